// The library's runFuzz and replayFixture: the fuzzers under a budget, and recorded regression
// fixtures replayed as checks, against a target or an embedded reference server — what
// `nexus-conform fuzz` and `replay` do, as calls with typed options and results.
import type { FuzzerName } from '../fuzz/fixture.ts';
import { registeredFuzzers } from '../fuzz/registry.ts';
import { loadFixtures, replayFixtures, replaySettings } from '../fuzz/replay.ts';
import { runFuzz as runFuzzers, type FuzzProgress, type FuzzRunResult } from '../fuzz/run.ts';
import type { FuzzFailure } from '../fuzz/types.ts';
import type { CheckResult, RunResult } from '../report/types.ts';
import { withTarget, type TargetOptions } from './target.ts';

export interface FuzzOptions extends TargetOptions {
  /** Which fuzzers (default: every registered one). */
  fuzzers?: FuzzerName[];
  /** Time budget shared by the fuzzers, ms. */
  timeMs?: number;
  /** Cases per fuzzer. */
  runs?: number;
  /** Where the minimal fixtures of failures are written (default: not written). */
  fixturesDir?: string;
  onProgress?: (p: FuzzProgress) => void;
  onFailure?: (fuzzer: FuzzerName, failure: FuzzFailure) => void;
}

/** Runs the fuzzers; the result is a run result (failures found are failed checks) plus `fuzz`. */
export async function runFuzz(opts: FuzzOptions = {}): Promise<FuzzRunResult> {
  const fuzzers = opts.fuzzers ?? registeredFuzzers();
  return withTarget(opts, (session) =>
    runFuzzers({
      ...session,
      fuzzers,
      ...(opts.timeMs !== undefined ? { timeMs: opts.timeMs } : {}),
      ...(opts.runs !== undefined ? { runs: opts.runs } : {}),
      ...(opts.fixturesDir !== undefined ? { fixturesDir: opts.fixturesDir } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.onFailure ? { onFailure: opts.onFailure } : {}),
    }),
  );
}

export interface ReplayOptions extends TargetOptions {
  onResult?: (r: CheckResult) => void;
}

/**
 * Replays a fixture file, or every fixture under a folder, as checks. Profile and match default to
 * the fixtures' own.
 */
export async function replayFixture(path: string, opts: ReplayOptions = {}): Promise<RunResult> {
  const fixtures = loadFixtures(path);
  const { profile, match } = replaySettings(fixtures, opts.profile, opts.match);
  return withTarget({ ...opts, profile, match }, (session) =>
    replayFixtures({ ...session, fixtures, ...(opts.onResult ? { onResult: opts.onResult } : {}) }),
  );
}
