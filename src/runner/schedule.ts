// Running the planned checks through a session. `--jobs 1`: one after another on lane 0, in plan
// order, exactly as a single mirror always ran them. `--jobs N`: first the checks that must run
// alone (check-plan.ts `runsAlone`), one after another on lane 0 while nothing else of the run is
// connected; then N lanes side by side (session.ts `openLanes`), the other checks dealt to them
// round-robin in plan order, each lane running its share one after another. The deal depends on
// the plan and N only, never on timing, and each lane's names and ids derive from the seed and its
// index, so a seed repeats every check's lane, names and verdict. Results are reported in plan
// order whatever order they finish in.
import type { CheckDef, Section } from './api.ts';
import { runsAlone } from './check-plan.ts';
import type { Lane } from './lane.ts';
import type { CheckResult } from './results.ts';
import type { RunSession } from './session.ts';

/**
 * `--jobs` of the CLI and the library when not given. Past 4 lanes a 2-core machine gains nothing
 * on a passing run; more lanes overlap more timeouts on a failing one (`--jobs 16`).
 */
export const DEFAULT_JOBS = 1;

export interface Planned {
  section: Section;
  check: CheckDef;
}

export interface ScheduleOptions {
  /** Lanes side by side (default 1: the plan order on one mirror). */
  jobs: number;
  /** Re-run a failed check once on fresh connections; a pass then makes it `flaky`. */
  retry: boolean;
  /** Each result, in plan order. */
  onResult: (r: CheckResult) => void;
}

/** Which lane runs each concurrent check: round-robin over those checks in plan order. */
export function deal<T>(items: readonly T[], lanes: number): T[][] {
  const out: T[][] = Array.from({ length: lanes }, () => []);
  items.forEach((item, i) => out[i % lanes]!.push(item));
  return out;
}

/** Runs the plan; resolves with the results in plan order. */
export async function runPlanned(session: RunSession, planned: readonly Planned[], opts: ScheduleOptions): Promise<CheckResult[]> {
  const results: Array<CheckResult | undefined> = new Array(planned.length);
  let next = 0;
  const settle = (i: number, r: CheckResult): void => {
    results[i] = r;
    for (; next < planned.length && results[next] !== undefined; next++) opts.onResult(results[next]!);
  };
  const runOn = async (lane: Lane, i: number): Promise<void> => {
    const { section, check } = planned[i]!;
    let r = await lane.runCheck(section, check);
    if (r.status === 'failed' && opts.retry && session.stopped === null) r = await retried(r, () => lane.runCheck(section, check));
    settle(i, r);
  };

  const [first] = await session.openLanes(1);
  const indices = planned.map((_, i) => i);
  if (opts.jobs <= 1) {
    for (const i of indices) await runOn(first!, i);
    return results as CheckResult[];
  }
  const alone = indices.filter((i) => runsAlone(planned[i]!.check) !== null);
  const together = indices.filter((i) => runsAlone(planned[i]!.check) === null);
  for (const i of alone) await runOn(first!, i);
  const lanes = await session.openLanes(opts.jobs);
  await Promise.all(
    deal(together, lanes.length).map(async (share, k) => {
      const lane = lanes[k]!;
      lane.concurrent = true;
      try {
        for (const i of share) await runOn(lane, i);
      } finally {
        lane.concurrent = false;
      }
    }),
  );
  return results as CheckResult[];
}

/**
 * A failed check run once more (the lane resynced after the failure, so on fresh connections):
 * a pass makes it flaky, keeping the first attempt's failures and transcript; a second failure
 * keeps it failed. Either way the result says how often it ran and failed.
 */
async function retried(first: CheckResult, again: () => Promise<CheckResult>): Promise<CheckResult> {
  const second = await again();
  if (second.status === 'passed') {
    return {
      ...first,
      status: 'flaky',
      message: `failed, then passed on a re-run: ${first.message ?? ''}`,
      attempts: { runs: 2, failed: 1 },
    };
  }
  if (second.status === 'failed') return { ...first, attempts: { runs: 2, failed: 2 }, durationMs: first.durationMs + second.durationMs };
  return first;
}
