// The lockstep engine (src/runner/lockstep/): one import path for its users. engine.ts is the
// facade; see the header of each module for its one job.
export { Lockstep } from './lockstep/engine.ts';
export { AbsentOutputs, describeKind, type OutputKind } from './lockstep/absent-outputs.ts';
export type { HarnessConn, ConnLife } from './lockstep/conn.ts';
export { LockstepMismatch } from './lockstep/mismatches.ts';
export { BARRIER_REQUEST, RunAborted } from './lockstep/types.ts';
export type { Answer, LockstepOptions, Outgoing, TargetAddress, TrafficEvent } from './lockstep/types.ts';
