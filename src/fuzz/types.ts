// What a fuzzer is and what it reports. A fuzzer generates cases (steps over actors, steps.ts),
// runs each through the run session (the same lockstep oracle as the scripted suite), and on a
// failure lets fast-check shrink the case, then records the minimal case as a fixture. The driver
// (run.ts) owns the session, the budget, progress and where fixtures are written; fuzzers own
// their generators. Everything random derives from the seed the driver passes.
import type { MatchMode, Profile } from '../protocol/types.ts';
import type { Failure } from '../runner/results.ts';
import type { RunSession } from '../runner/session.ts';
import type { Fixture, FuzzerName } from './fixture.ts';

export interface FuzzBudget {
  /** Stop starting new cases after this time (ms since the epoch). */
  deadline?: number;
  /** Stop after this many cases. */
  runs?: number;
}

/** How the frame fuzzer spends its budget (frames/index.ts): model-checked batches, tier 1, or both. */
export type FramesMode = 'checked' | 'fast' | 'mixed';
export const FRAMES_MODES: readonly FramesMode[] = ['checked', 'fast', 'mixed'];

export interface FuzzContext {
  session: RunSession;
  profile: Profile;
  match: MatchMode;
  seed: number;
  timeoutMs: number;
  budget: FuzzBudget;
  /** The frame fuzzer's tiers (default `mixed`). */
  framesMode?: FramesMode;
  signal?: AbortSignal;
  /** The server the cases run against, for fixtures' `found.against` (e.g. `127.0.0.1:7500`, `embedded`). */
  against: string;
  /** Reports progress: cases run so far and failures found so far. */
  progress(cases: number, failures: number): void;
  /**
   * Records a shrunk failure; returns the path of the fixture written (or undefined when not written).
   * An empty `found.transcript` is filled with the traffic of the last check the session ran.
   */
  record(fixture: Fixture): string | undefined;
  /**
   * Where the driver can bring a crashed target back (the embedded server, restarted on the same
   * address): restarts it and opens a new run session on it, which becomes `session`. Absent for
   * real targets: a crash ends the fuzzer there.
   */
  restart?(): Promise<void>;
}

export interface FuzzFailure {
  /** Failure class: `mismatch`, `crash`, `hang`, `leak` (frames); `verdict` (validators); `sequence` (stateful). */
  class: string;
  rules: string[];
  /** One line: rule, what was sent, what was expected, what came back. */
  message: string;
  /** Path of the fixture written for it. */
  fixture?: string;
  /** The lockstep failures of the minimal case (rule, sent, expected, actual), for the reports. */
  failures?: Failure[];
}

export interface FuzzerResult {
  fuzzer: FuzzerName;
  cases: number;
  durationMs: number;
  casesPerSecond: number;
  failures: FuzzFailure[];
}

export interface Fuzzer {
  readonly name: FuzzerName;
  /** The most connections it holds open at once (WIRE-IP-1: the driver raises the per-IP limit to fit). */
  readonly connections?: number;
  /** Runs cases until the budget is spent or the signal aborts. Never throws for a broken target. */
  run(ctx: FuzzContext): Promise<Omit<FuzzerResult, 'durationMs' | 'casesPerSecond'>>;
}
