// The frame fuzzer: batches of frame cases (arbitraries.ts) run as checks through the run session,
// so the lockstep runner judges every reaction against the model with the spec's alternatives.
// A failing batch is shrunk by fast-check (fewer cases, simpler bytes) while it keeps failing in
// the same class — crash (the target went away), hang (an expected answer never came), leak (the
// long-lived session or a new login broke after the bad input) or mismatch (any other deviation) —
// then replayed once more as the fixture it becomes (the transcript is that replay's) and recorded.
// Batch i is generated from the run seed and i alone: the same seed gives the same cases in order.
import fc from 'fast-check';
import type { CheckResult } from '../../runner/results.ts';
import type { Section } from '../../runner/api.ts';
import { summarise } from '../../runner/session.ts';
import { FIXTURE_FORMAT, FIXTURE_VERSION, type Fixture } from '../fixture.ts';
import { toCheck } from '../steps.ts';
import type { FuzzContext, FuzzFailure, Fuzzer } from '../types.ts';
import { frameCase, type FrameEnv } from './arbitraries.ts';
import { actorsFor, batchCheck, LIVE, PROBE, rulesOf, type BatchTrace } from './batch.ts';
import { describeCase, type FrameCase } from './cases.ts';

const SECTION: Section = { id: 'fuzz/frames', title: 'frame fuzzer', checks: [] };

/** Cases per batch (one check): large enough to amortise the accounts, small enough to shrink fast. */
const BATCH = 48;
/** Shrinking a failure may take this long at least, even when the budget is nearly spent. */
const MIN_SHRINK_MS = 30_000;

interface Outcome {
  result: CheckResult;
  class: string;
  trace: BatchTrace;
  cases: readonly FrameCase[];
}

/** The seed of batch `i`: distinct per batch, a function of the run seed only. */
function batchSeed(seed: number, i: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) | 0;
}

/** The failure class of a failed check: crash, hang, leak, mismatch. */
export function classify(result: CheckResult, targetGone: boolean): string {
  if (targetGone) return 'crash';
  // An answer that never came; a close that never came is a connection kept (a mismatch).
  if (result.failures.some((f) => /^nothing within \d+ ms/.test(f.actual) && !(f.expected[0] ?? '').startsWith('connection closed')))
    return 'hang';
  if (result.failures.some((f) => f.actor === LIVE || f.actor === PROBE)) return 'leak';
  return 'mismatch';
}

/** Reads the protocol version the target speaks from the mirror (a valid Handshake needs it). */
async function protocolVersion(ctx: FuzzContext): Promise<string> {
  let version = '';
  const r = await ctx.session.runCheck(SECTION, {
    id: 'version',
    title: 'read the protocol version',
    rules: ['SES-HS-1'],
    run: async (_actors, t) => {
      version = t.model().config.protocolVersion;
    },
  });
  if (r.status !== 'passed' || version === '') throw new Error(`cannot start the frame fuzzer: ${r.message ?? 'no protocol version'}`);
  return version;
}

async function run(ctx: FuzzContext): Promise<{ fuzzer: 'frames'; cases: number; failures: FuzzFailure[] }> {
  const env: FrameEnv = { profile: ctx.profile, version: await protocolVersion(ctx) };
  const caseArb = frameCase(env);
  const failures: FuzzFailure[] = [];
  let cases = 0;
  const budgetLeft = (): boolean =>
    !ctx.signal?.aborted &&
    ctx.session.stopped === null &&
    (ctx.budget.runs === undefined || cases < ctx.budget.runs) &&
    (ctx.budget.deadline === undefined || Date.now() < ctx.budget.deadline);

  /** Runs one batch; after a crash, brings the target back first where the driver can. */
  const runBatch = async (id: string, batch: readonly FrameCase[]): Promise<Outcome | null> => {
    if (ctx.session.stopped !== null) {
      if (!ctx.restart || ctx.signal?.aborted) return null;
      await ctx.restart();
    }
    const trace: BatchTrace = { steps: [], caseIndex: 0 };
    const result = await ctx.session.runCheck(SECTION, batchCheck(id, batch, trace));
    if (result.status !== 'failed') return { result, class: 'ok', trace, cases: batch };
    return { result, class: classify(result, ctx.session.stopped !== null && !ctx.signal?.aborted), trace, cases: batch };
  };

  for (let i = 0; budgetLeft(); i++) {
    const size = ctx.budget.runs === undefined ? BATCH : Math.min(BATCH, ctx.budget.runs - cases);
    const batchArb = fc.array(caseArb, { minLength: 1, maxLength: size, size: 'max' });
    let first = null as Outcome | null;
    let smallest = null as Outcome | null;
    let counted = false;
    const property = fc.asyncProperty(batchArb, async (batch) => {
      const o = await runBatch(`batch-${i}`, batch);
      if (!counted) {
        counted = true;
        cases += batch.length;
        ctx.progress(cases, failures.length);
      }
      if (o === null || o.class === 'ok') return true;
      // One report per class: another failure of a class already reported is most likely the same
      // bug again (fix it and fuzz again), and shrinking it would spend the budget finding it twice.
      if (first === null && failures.some((f) => f.class === o.class)) return true;
      first ??= o;
      // Shrinking keeps the failure it started from: another class is another bug.
      if (o.class !== first.class) return true;
      smallest = o;
      return false;
    });
    const remaining = ctx.budget.deadline === undefined ? Infinity : ctx.budget.deadline - Date.now();
    const details = await fc.check(property, {
      seed: batchSeed(ctx.seed, i),
      numRuns: 1,
      interruptAfterTimeLimit: Math.max(MIN_SHRINK_MS, Number.isFinite(remaining) ? remaining : 0) || undefined,
      markInterruptAsFailure: false,
    });
    const found = smallest ?? first;
    if (found === null) continue;
    const failure = await report(ctx, found, `${i}:${details.counterexamplePath ?? ''}`);
    failures.push(failure);
    ctx.progress(cases, failures.length);
    // A target that crashed and cannot be brought back ends the run for this fuzzer.
    if (failure.class === 'crash' && !ctx.restart) break;
  }
  return { fuzzer: 'frames', cases, failures };
}

/** Replays the minimal batch once more as a fixture (its transcript is that replay's) and records it. */
async function report(ctx: FuzzContext, o: Outcome, path: string): Promise<FuzzFailure> {
  const culprit = o.trace.caseIndex >= 0 ? o.cases[o.trace.caseIndex] : o.cases[o.cases.length - 1];
  const what = culprit ? describeCase(culprit) : 'liveness after the batch';
  const fixture: Fixture = {
    format: FIXTURE_FORMAT,
    version: FIXTURE_VERSION,
    fuzzer: 'frames',
    class: o.class,
    title: `${o.class}: ${what}`,
    // The rules that failed, then those of the grammar element the culprit case bends.
    rules: [...new Set([...o.result.failures.map((f) => f.rule), ...(culprit ? rulesOf(culprit.element) : [])])],
    seed: ctx.seed,
    path,
    profile: ctx.profile,
    match: ctx.match,
    actors: actorsFor(o.cases) as Fixture['actors'],
    steps: o.trace.steps,
  };
  // Confirm: the fixture's own steps fail the same way (and give the transcript of that run).
  let confirmed = o.result;
  if (ctx.session.stopped === null || ctx.restart) {
    if (ctx.session.stopped !== null) await ctx.restart!();
    const again = await ctx.session.runCheck(
      SECTION,
      toCheck({ id: 'fixture', title: fixture.title, rules: fixture.rules, actors: actorsFor(o.cases), steps: fixture.steps }),
    );
    if (again.status === 'failed') confirmed = again;
    if (ctx.session.stopped !== null && ctx.restart && !ctx.signal?.aborted) await ctx.restart();
  }
  fixture.found = { against: ctx.against, at: new Date().toISOString(), failures: confirmed.failures, transcript: [] };
  const file = ctx.record(fixture);
  return {
    class: o.class,
    rules: fixture.rules,
    message: `${o.class}: ${what} — ${summarise(confirmed.failures)}`,
    failures: confirmed.failures,
    ...(file !== undefined ? { fixture: file } : {}),
  };
}

export const fuzzer: Fuzzer = { name: 'frames', connections: 14, run };
