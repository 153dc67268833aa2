// The library entry point (`import { … } from 'nexus-conform'`): run the suite from a server
// author's own tests, start the reference server, and reach the model and the schemas. Everything
// here is typed; the results are the objects the JSON report serialises (toJsonReport).
import { CLIENT_SCHEMAS, ConnectionInfoSchema, ServerInfoSchema, UserInfoDetailedSchema, UserInfoSchema } from './protocol/messages.ts';
import { fixtureSchema } from './fuzz/fixture.ts';
import { jsonReportSchema } from './report/json-schema.ts';

export { runSuite, type SuiteOptions } from './library/suite.ts';
export { runFuzz, replayFixture, type FuzzOptions, type ReplayOptions } from './library/fuzz.ts';
export type { TargetOptions } from './library/target.ts';
export type { FuzzProgress, FuzzRunResult } from './fuzz/run.ts';
export type { FuzzerResult, FuzzFailure } from './fuzz/types.ts';
export type { FuzzerName } from './fuzz/fixture.ts';
export { startReferenceServer, type ReferenceServerOptions, type RunningReferenceServer } from './library/reference-server.ts';
export { TargetUnavailableError } from './runner/failures.ts';
export { toJsonReport, renderJson } from './report/json.ts';
export type { JsonCheck, JsonReport } from './report/json.ts';
export type { CheckResult, CheckStatus, CoverageSummary, Failure, RunResult } from './report/types.ts';
export type { MatchMode, Profile } from './protocol/types.ts';
export type { Fixture } from './fuzz/fixture.ts';

/** The reference model: a pure `step(state, event) → {state, outputs}` and its state, errors, validators. */
export * as model from './model/index.ts';

/** zod schemas: client messages by type, the server's records, the JSON report, regression fixtures. */
export const schemas = {
  clientMessages: CLIENT_SCHEMAS,
  serverInfo: ServerInfoSchema,
  userInfo: UserInfoSchema,
  userInfoDetailed: UserInfoDetailedSchema,
  connectionInfo: ConnectionInfoSchema,
  jsonReport: jsonReportSchema,
  fixture: fixtureSchema,
} as const;
