// Waiting: `drain` handles arrivals until every required expectation is met (or reports what did
// not come within the timeout); `nextSettle` looks at what the spec left open once the required
// part is done (optional frames, closes the target may or may not make) and says what must be
// probed next. It never writes anything itself: the engine sends the probe or the close at top
// level (engine.ts settleAll), so no exchange ever runs inside another.
import { describeExpectation } from '../render.ts';
import { isOptional } from '../outcomes.ts';
import { processArrivals } from './arrivals.ts';
import type { SendOutput } from '../../model/index.ts';
import type { Core } from './core.ts';
import { isBroadcast, isDirectAnswer, isRemovalClose, type Expectation, type HarnessConn } from './conn.ts';
import { resolveFork } from './forks.ts';
import { RunAborted } from './types.ts';

/** What settling needs next on one connection. */
export type SettleWork =
  /**
   * A round trip settles both kinds of open point at once: optional frames the target meant to
   * send arrive before its answer, and a connection it meant to close is closed before it reads
   * the probe (WIRE-SEQ-8). `pending`: the optional frames that do not come before the answer
   * are not coming.
   */
  | { kind: 'probe'; hc: HarnessConn; pending: Expectation[] }
  /** Before login a probe would have side effects; closing ourselves makes both outcomes equal. */
  | { kind: 'close'; hc: HarnessConn };

function required(core: Core): Expectation[] {
  const out: Expectation[] = [];
  for (const hc of core.conns.values()) {
    for (const e of hc.queue) if (!isOptional(e.output)) out.push(e);
  }
  return out;
}

/**
 * Handles arrivals until every required expectation is met or the timeout expires; what is still
 * missing then fails. `waitedMs`: how long the operation already waited before (the failure says
 * the whole wait). When only outputs of kinds presumed absent are missing (absent-outputs.ts),
 * the wait ends at once instead, and their failures say why. When only broadcasts after an outcome
 * the target did not take are missing (Core.notTaken), they are dropped: the check failed on it.
 */
export async function drain(core: Core, timeoutMs: number, waitedMs = 0): Promise<void> {
  const ended = await waitFor(core, timeoutMs);
  if (ended === 'met') return;
  if (core.fork) {
    resolveFork(core, true);
    processArrivals(core);
  }
  for (const e of required(core)) {
    const hc = core.conns.get(e.conn)!;
    hc.queue = hc.queue.filter((x) => x !== e);
    // 'moot': the broadcasts of an outcome the target did not take (Core.notTaken).
    if (ended === 'moot') continue;
    const { kind } = e;
    // 'presumed': waitFor found only presumed-absent outputs missing (no fork, nothing handled since).
    if (ended === 'presumed' && kind !== null) core.failPresumed(hc, e, kind, 'nothing (not waited for)');
    else {
      if (ended === 'timeout' && kind !== null) core.missedInFullWait(hc, e, kind);
      core.fail(hc, e.output.rules, e.sent, describeExpectation(e.output), `nothing within ${waitedMs + timeoutMs} ms`);
    }
  }
}

/** A broadcast predicted after an outcome the target did not take (Core.notTaken). */
function afterOutcomeNotTaken(core: Core, e: Expectation): boolean {
  return isBroadcast(e) && core.notTaken.has(e.requestIds);
}

/** Handles arrivals for at most `ms`; true once every required expectation is met (nothing fails here). */
export async function drainWithin(core: Core, ms: number): Promise<boolean> {
  return (await waitFor(core, ms)) === 'met';
}

/**
 * Handles arrivals until every required expectation is met, `ms` pass, or only outputs of kinds
 * presumed absent since before the wait began are missing (nothing waits for those: the schedule
 * re-checks the verdict), or only broadcasts after an outcome the target did not take
 * (Core.notTaken: the check failed on it). A removal close presumed absent still gets the
 * target's usual time (answer-time.ts): unlike a broadcast's late copy, which any connection of
 * the run may hear, a late close is read on its own connection only, and the harness lets go of
 * that one soon after a failure, so a close the target makes promptly must arrive first.
 */
async function waitFor(core: Core, ms: number): Promise<'met' | 'timeout' | 'presumed' | 'moot'> {
  const started = Date.now();
  const deadline = started + ms;
  const closesPresumedFrom = started + core.answerTime.grace(ms);
  const absent = core.opts.absent;
  const began = absent?.since();
  for (;;) {
    resolveFork(core, false);
    processArrivals(core);
    const missing = required(core);
    if (missing.length === 0 && core.fork === null) return 'met';
    if (core.fork === null && missing.every((e) => afterOutcomeNotTaken(core, e))) return 'moot';
    const presumed = absent !== undefined && core.fork === null && missing.every((e) => e.kind !== null && absent.presumed(e.kind, began));
    const now = Date.now();
    if (core.opts.signal?.aborted) throw new RunAborted();
    if (now >= deadline) return 'timeout';
    const closesDue = presumed && now < closesPresumedFrom && missing.some((e) => isRemovalClose(e.output));
    if (presumed && !closesDue) return 'presumed';
    await core.activity((closesDue ? closesPresumedFrom : deadline) - now);
  }
}

/** The required answers to `requestIds` still due on `hc` (WIRE-ORD-1: direct answers echo the request id). */
export function dueAnswers(hc: HarnessConn, requestIds: readonly string[]): Expectation[] {
  return hc.queue.filter((e) => isDirectAnswer(e) && requestIds.includes((e.output as SendOutput).message.id) && !isOptional(e.output));
}

/**
 * The next open point to settle, or null when none is left. Leftovers that need no round trip
 * (a removed session's, a connection past login that cannot be probed) are dropped here.
 */
export function nextSettle(core: Core): SettleWork | null {
  for (const hc of [...core.conns.values()]) {
    if (hc.closed) continue;
    const leftovers = hc.queue;
    if (leftovers.length === 0 && hc.life.kind !== 'may-close') continue;
    if (leftovers.some((e) => e.output.kind === 'close' && e.output.accept?.lazy)) hc.markRemoved();
    const pending = leftovers.filter((e) => e.output.kind === 'send');
    hc.queue = pending;
    if (leftovers.some((e) => e.output.kind === 'close' && e.output.accept?.optional)) hc.tolerateClose();
    const closeToSettle = hc.life.kind === 'may-close';
    if (!closeToSettle && pending.length === 0) continue;
    if (core.mirror.state.connections[hc.id]?.phase === 'auth' && !hc.removed) return { kind: 'probe', hc, pending };
    hc.queue = [];
    if (closeToSettle) return { kind: 'close', hc };
  }
  return null;
}

/** After the probe's answer: optional frames that did not come before it are not coming. */
export function probeSettled(work: Extract<SettleWork, { kind: 'probe' }>): void {
  const { hc, pending } = work;
  hc.queue = hc.queue.filter((e) => !pending.includes(e));
  hc.endProbe();
}
