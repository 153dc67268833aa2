// Public surface of the reference model (DESIGN §Layers): the server, the runner and the fuzzers
// import from here, never from the individual files.
export { step, ipKey } from './step.ts';
export { dottedIPv4, isLoopback, unmapIPv4 } from './ip.ts';
export type { StepOptions } from './step.ts';
export { ViewCache } from './view-cache.ts';
export * from './state.ts';
export type {
  Carrier,
  CloseOutput,
  CloseReason,
  ErrorKey,
  ErrorParams,
  Event,
  Output,
  SendAccept,
  SendOutput,
  StepAlternative,
  StepResult,
} from './events.ts';
export { Ctx } from './ctx.ts';
export type { ByProfile, ChoicePoint, Choices, FailOptions, Request } from './ctx.ts';
export * from './errors.ts';
export * from './validators.ts';
export * from './create.ts';
export * from './password.ts';
export * from './permissions.ts';
export * from './views.ts';
export * from './merge.ts';
export { handshake } from './session/handshake.ts';
export { login, DEFAULT_LOCALE } from './session/login.ts';
export { HANDLERS } from './messages/index.ts';
export type { Handler } from './messages/index.ts';
