// Running the planned checks through a session. `--jobs 1`: one after another on lane 0, in plan
// order, exactly as a single mirror always ran them. `--jobs N`: first the checks on server-wide
// state (check-plan.ts `sharedState`), one after another on lane 0 while nothing else of the run is
// connected; then N lanes side by side (session.ts `openLanes`). Lane 0 is the guest lane: it runs
// the checks on the one guest account one after another (no two at once), then its share of the
// rest; the rest is dealt in plan order to the least-loaded lane, lane 0 counting its guest checks,
// so it gets correspondingly fewer. The guest lane is lane 0 rather than an extra one so that
// `--jobs N` keeps meaning N lanes (the per-IP limit the run raises fits N, prepare.ts) and no
// extra lane admin is created. The deal depends on the plan and N only, never on timing, and each
// lane's names and ids derive from the seed and its index, so a seed repeats every check's lane,
// names and verdict. Results are reported in plan order whatever order they finish in, except a
// check held on a presumed absence (below): the others stream on past it, and the held ones come
// last, once the end of the plan has settled them.
import type { CheckDef, Section } from './api.ts';
import { sharedState } from './check-plan.ts';
import type { Lane } from './lane.ts';
import type { CheckResult } from './results.ts';
import type { RunSession } from './session.ts';
import { describeKind, type OutputKind } from './lockstep/absent-outputs.ts';

/**
 * `--jobs` of the CLI and the library when not given. Lanes overlap waiting — a timeout on a
 * target that misses a frame, the network's round trip to a remote target — not the harness's own
 * CPU, and each lane adds a control connection and hears the other lanes' broadcasts (~10% more
 * harness CPU at 4 lanes). Against a target, 4 lanes overlap most of the waiting; the embedded
 * reference server shares the harness's thread and misses no frame, so it runs one lane.
 */
export function defaultJobs(embedded: boolean): number {
  return embedded ? 1 : 4;
}

export interface Planned {
  section: Section;
  check: CheckDef;
}

export interface ScheduleOptions {
  /** Lanes side by side (default 1: the plan order on one mirror). */
  jobs: number;
  /** Re-run a failed check once on fresh connections; a pass then makes it `flaky`. */
  retry: boolean;
  /** Each result as it is settled: in plan order, the held ones last (runPlanned's value keeps plan order). */
  onResult: (r: CheckResult) => void;
  /** Once, before the held results: how many were held, on which types, and how many ran again. */
  onNotice?: (line: string) => void;
}

/**
 * Which lane runs each concurrent check: each in plan order to the lane with the least checks so
 * far (the lowest index on a tie), lane k starting with `preload[k]` (default 0). Without a
 * preload that is round-robin.
 */
export function deal<T>(items: readonly T[], lanes: number, preload: readonly number[] = []): T[][] {
  const out: T[][] = Array.from({ length: lanes }, () => []);
  const load = out.map((_, k) => preload[k] ?? 0);
  for (const item of items) {
    let k = 0;
    for (let j = 1; j < lanes; j++) if (load[j]! < load[k]!) k = j;
    out[k]!.push(item);
    load[k]! += 1;
  }
  return out;
}

/** Where each planned check runs under `--jobs` (indices into the plan). */
export interface LanePlan {
  /** One after another on lane 0 before any other lane opens (server-wide state). */
  alone: number[];
  /**
   * What each lane runs, side by side: lane 0 (the guest lane) the guest-account checks first,
   * then its share of the others.
   */
  lanes: number[][];
}

/**
 * Splits the plan for `lanes` lanes: the server-wide checks alone; the guest-account checks all on
 * lane 0, one after another; the others dealt with lane 0 preloaded by the guest checks, so the
 * lanes end up with as even counts as the plan allows. Depends on the checks and the lane count only.
 */
export function planLanes(checks: readonly CheckDef[], lanes: number): LanePlan {
  const alone: number[] = [];
  const guest: number[] = [];
  const others: number[] = [];
  checks.forEach((check, i) => {
    const s = sharedState(check)?.state;
    (s === 'server' ? alone : s === 'guest' ? guest : others).push(i);
  });
  const shares = deal(others, lanes, [guest.length]);
  shares[0] = [...guest, ...shares[0]!];
  return { alone, lanes: shares };
}

/** What the schedule needs of the session: lane 0, the lanes of the concurrent phase, the stop reason. */
export type LaneSource = Pick<RunSession, 'openLanes' | 'closeOtherLanes' | 'stopped' | 'absent'>;

/** A check failed while an output kind was presumed absent: its result waits for the end of the plan. */
interface Presumed {
  i: number;
  result: CheckResult;
  kinds: readonly OutputKind[];
}

/** Runs the plan; resolves with the results in plan order. */
export async function runPlanned(session: LaneSource, planned: readonly Planned[], opts: ScheduleOptions): Promise<CheckResult[]> {
  const results: Array<CheckResult | undefined> = new Array(planned.length);
  const presumed: Presumed[] = [];
  /** Plan indices of the held checks: streaming passes over them, and their results come last. */
  const heldAt = new Set<number>();
  let next = 0;
  const stream = (): void => {
    for (; next < planned.length && (results[next] !== undefined || heldAt.has(next)); next++) {
      if (!heldAt.has(next)) opts.onResult(results[next]!);
    }
  };
  const settle = (i: number, r: CheckResult): void => {
    results[i] = r;
    if (heldAt.has(i)) opts.onResult(r);
    else stream();
  };
  const runOn = async (lane: Lane, i: number): Promise<void> => {
    const { section, check } = planned[i]!;
    const run = (): Promise<CheckResult> => lane.runCheck(section, check);
    let r = await run();
    let kinds = presumedIn(lane, r);
    // Already disproved (typically by a late copy read while the check resynced): it runs again
    // now, on its own lane, with full waits for that kind, as it would at the end of the plan.
    if (kinds.some((k) => seen(session, k)) && session.stopped === null) {
      r = ranAgain(r, await run());
      kinds = presumedIn(lane, r);
    }
    if (kinds.length > 0) {
      // Held until the end says whether it stands; the results after it stream on. Not retried
      // now, since settlePresumed runs it again once the kind shows up.
      presumed.push({ i, result: r, kinds });
      heldAt.add(i);
      stream();
      return;
    }
    // A failure with a full wait stands whatever a retry shows (flaky at best).
    if (r.status === 'failed' && opts.retry && session.stopped === null) r = await retried(r, run);
    settle(i, r);
  };

  const [first] = await session.openLanes(1);
  if (opts.jobs <= 1) {
    for (let i = 0; i < planned.length; i++) await runOn(first!, i);
  } else {
    const checks = planned.map((p) => p.check);
    for (const i of planLanes(checks, opts.jobs).alone) await runOn(first!, i);
    const lanes = await session.openLanes(opts.jobs);
    // The target may give fewer lanes than asked: the deal is made for those it gave.
    const plan = planLanes(checks, lanes.length);
    await Promise.all(
      plan.lanes.map(async (share, k) => {
        const lane = lanes[k]!;
        lane.concurrent = true;
        // Only the guest lane returns the guest account to its snapshot state after a failed check:
        // another lane's resync would disable it under a guest check in progress.
        lane.leavesGuest = k !== 0;
        try {
          for (const i of share) await runOn(lane, i);
        } finally {
          lane.concurrent = false;
          lane.leavesGuest = false;
        }
      }),
    );
  }
  await settlePresumed(session, first!, planned, presumed, settle, opts.onNotice);
  return results as CheckResult[];
}

/**
 * The checks failed on a presumed absence, once every other check ran: where a frame of a presumed
 * kind arrived since, the check runs again (alone on lane 0, the other lanes closed: a check on
 * server-wide state must see no other connection of the run) with full waits for that kind, until
 * no re-run shows a kind that another check's presumption rests on (each kind is seen once, so
 * this ends). What is left failed on kinds none of which arrived in the whole run.
 */
async function settlePresumed(
  session: LaneSource,
  lane: Lane,
  planned: readonly Planned[],
  presumed: readonly Presumed[],
  settle: (i: number, r: CheckResult) => void,
  onNotice?: (line: string) => void,
): Promise<void> {
  if (presumed.length === 0) return;
  const held = new Map(presumed.map((p) => [p.i, p]));
  const settled: Array<{ i: number; result: CheckResult }> = [];
  const rerun = new Set<number>();
  const revoked = (p: Presumed): boolean => p.kinds.some((k) => seen(session, k));
  for (
    let again = [...held.values()].filter(revoked);
    again.length > 0 && session.stopped === null;
    again = [...held.values()].filter(revoked)
  ) {
    await session.closeOtherLanes();
    for (const p of again.sort((a, b) => a.i - b.i)) {
      const { section, check } = planned[p.i]!;
      const result = ranAgain(p.result, await lane.runCheck(section, check));
      rerun.add(p.i);
      const kinds = presumedIn(lane, result);
      if (kinds.length > 0) held.set(p.i, { i: p.i, result, kinds });
      else {
        held.delete(p.i);
        settled.push({ i: p.i, result });
      }
    }
  }
  const kinds = [...new Set(presumed.flatMap((p) => p.kinds.map(describeKind)))].sort().join(' or ');
  const checks = (n: number): string => `${n} check${n === 1 ? '' : 's'}`;
  const stand = [...held.values()].filter((p) => !revoked(p)).length;
  const parts = [
    rerun.size > 0 ? `${checks(rerun.size)} ran again with full waits once one arrived` : '',
    stand > 0 ? `${checks(stand)} stand${stand === 1 ? 's' : ''}: none arrived in the whole run` : '',
    held.size > stand ? `${checks(held.size - stand)} could not run again (the run stopped)` : '',
  ];
  onNotice?.(
    `${checks(presumed.length)} failed while no ${kinds} had arrived, so their results were held for the end of the run: ${parts.filter((x) => x !== '').join('; ')}.`,
  );
  for (const p of [...settled, ...held.values()].sort((a, b) => a.i - b.i)) settle(p.i, p.result);
}

/** The kinds whose presumed absence `r` (the lane's last check) failed on; empty when it did not fail on one. */
function presumedIn(lane: Lane, r: CheckResult): readonly OutputKind[] {
  return r.status === 'failed' ? lane.presumedInLastCheck() : [];
}

/** Whether an output of this kind arrived in the run, which revokes a presumption that rests on it. */
function seen(session: LaneSource, kind: OutputKind): boolean {
  return session.absent?.hasSeen(kind) === true;
}

/** A check failed on a presumption run again: the second run's verdict, the time of both. */
function ranAgain(first: CheckResult, again: CheckResult): CheckResult {
  return { ...again, durationMs: first.durationMs + again.durationMs };
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
