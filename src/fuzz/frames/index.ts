// The frame fuzzer: batches of frame cases (arbitraries.ts) run as checks through the run session,
// so the lockstep runner judges every reaction against the model with the spec's alternatives.
// A failing batch is shrunk by fast-check (fewer cases, simpler bytes) while it keeps failing in
// the same class — crash (the target went away), hang (an expected answer never came), leak (the
// long-lived session or a new login broke after the bad input) or mismatch (any other deviation) —
// then replayed once more as the fixture it becomes (the transcript is that replay's) and recorded.
// Two tiers (`--frames-mode`): the model-checked one above, and tier 1 (fast.ts), which writes the
// same batches over raw connections without the model and only proves liveness after each; a batch
// it suspects is replayed by the model-checked tier (triage), and a suspicion that replay does not
// confirm is reported as `unreproduced`, never dropped. `mixed` (default) model-checks every 8th
// batch, `fast` only what tier 1 suspects, `checked` every batch.
// Batch i is generated from the run seed and i alone: the same seed gives the same cases in order,
// whichever tier runs them.
import fc from 'fast-check';
import type { CheckResult } from '../../runner/results.ts';
import type { Section } from '../../runner/api.ts';
import { summarise } from '../../runner/session.ts';
import { FIXTURE_FORMAT, FIXTURE_VERSION, type Fixture } from '../fixture.ts';
import { toCheck } from '../steps.ts';
import type { FramesMode, FuzzContext, FuzzFailure, Fuzzer } from '../types.ts';
import { frameCase, type FrameEnv } from './arbitraries.ts';
import { actorsFor, batchCheck, LIVE, PROBE, rulesOf, standaloneSteps, type BatchTrace } from './batch.ts';
import { describeCase, type FrameCase } from './cases.ts';
import { FastTier, IN_FLIGHT, type FastFinding } from './fast.ts';

const SECTION: Section = { id: 'fuzz/frames', title: 'frame fuzzer', checks: [] };

/** Cases per batch (one check): large enough to amortise the accounts, small enough to shrink fast. */
const BATCH = 48;
/** `mixed`: every CHECKED_EVERY-th batch (batch 0 first) is model-checked, the others go through tier 1. */
const CHECKED_EVERY = 8;
/** `fast`: tier-1 batches per check (the guest account is enabled for one check at a time). */
const SEGMENT = 64;
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
  const mode: FramesMode = ctx.framesMode ?? 'mixed';
  const failures: FuzzFailure[] = [];
  let cases = 0;
  const budgetLeft = (): boolean =>
    !ctx.signal?.aborted &&
    ctx.session.stopped === null &&
    (ctx.budget.runs === undefined || cases < ctx.budget.runs) &&
    (ctx.budget.deadline === undefined || Date.now() < ctx.budget.deadline);
  /** The size of the next batch: full, except the last one of a case budget. */
  const nextSize = (): number => (ctx.budget.runs === undefined ? BATCH : Math.min(BATCH, ctx.budget.runs - cases));
  /** Batch i's property: the same arbitrary and seed in both tiers, so batch i is the same cases in both. */
  const batchProperty = (size: number, predicate: (batch: FrameCase[]) => Promise<boolean>) =>
    fc.asyncProperty(fc.array(caseArb, { minLength: 1, maxLength: size, size: 'max' }), predicate);
  const casesOf = (i: number, size: number): FrameCase[] =>
    fc.sample(
      batchProperty(size, async () => true),
      { seed: batchSeed(ctx.seed, i), numRuns: 1 },
    )[0]![0];

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

  /**
   * Model-checks batch i; a failure is shrunk, confirmed as a fixture and recorded. `count`: the
   * cases are new to the run (false when tier 2 replays a batch tier 1 already counted). Says
   * whether the batch failed at all (a class already reported is not reported twice) and whether
   * the run must stop (a crash the driver cannot bring back).
   */
  const checkBatch = async (i: number, size: number, count: boolean): Promise<{ failed: boolean; stop: boolean }> => {
    let first = null as Outcome | null;
    let smallest = null as Outcome | null;
    let counted = !count;
    let failed = false;
    const property = batchProperty(size, async (batch) => {
      const o = await runBatch(`batch-${i}`, batch);
      if (!counted) {
        counted = true;
        cases += batch.length;
        ctx.progress(cases, failures.length);
      }
      if (o === null || o.class === 'ok') return true;
      failed = true;
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
    if (found === null) return { failed, stop: false };
    const failure = await report(ctx, found, `${i}:${details.counterexamplePath ?? ''}`);
    failures.push(failure);
    ctx.progress(cases, failures.length);
    // A target that crashed and cannot be brought back ends the run for this fuzzer.
    return { failed: true, stop: failure.class === 'crash' && !ctx.restart };
  };

  let tier: FastTier | null = null;
  /** Tier 1 over batches first..first+n-1 (fewer when the budget ends); stops at the first suspect batch. */
  const fastSegment = async (first: number, n: number): Promise<{ ran: number; suspect: Suspect | null }> => {
    if (ctx.session.stopped !== null && ctx.restart && !ctx.signal?.aborted) await ctx.restart();
    if (tier === null || tier.session !== ctx.session) tier = await FastTier.create(ctx.session, env.version);
    const t = tier;
    let ran = 0;
    let suspect: Suspect | null = null;
    const body = async (): Promise<void> => {
      await t.begin();
      try {
        // Batches follow each other with no connection left idle: batch k+1 is queued once every
        // case of batch k is on a connection. The liveness check after batch k is asked once the
        // target has read all of it, while batch k+1 is written; batch k+2 waits for its answer, so
        // a miss makes batches k and k+1 the suspects.
        const unproven: Array<{ batch: Batch; liveness: Promise<FastFinding | null> }> = [];
        const proveOldest = async (): Promise<boolean> => {
          const oldest = unproven.shift()!;
          const finding = await oldest.liveness;
          if (finding === null) return true;
          const next = unproven.shift();
          // The batch beside it is still written: tier 1 ends once the target let go of it.
          if (next) await next.liveness;
          suspect = { ...oldest.batch, finding, ...(next ? { beside: next.batch } : {}) };
          return false;
        };
        for (let k = 0; k < n && budgetLeft(); k++) {
          if (unproven.length === 2 && !(await proveOldest())) break;
          const size = nextSize();
          const batch: Batch = { i: first + k, size, cases: casesOf(first + k, size) };
          const written = t.write(batch.cases);
          unproven.push({ batch, liveness: written.drained.then(() => t.liveness()) });
          cases += batch.cases.length;
          ran++;
          ctx.progress(cases, failures.length);
          await written.taken;
        }
        while (suspect === null && unproven.length > 0 && (await proveOldest()));
      } finally {
        await t.end();
      }
    };
    // Inside a check: the runner enables the guest account for it (guest-state cases log in as
    // guest) and restores it after; the lockstep lane sees tier 1's sessions as strangers.
    const r = await ctx.session.runCheck(SECTION, {
      id: `fast-${first}`,
      title: `tier 1 from batch ${first}`,
      rules: ['WIRE-FRM-9'],
      actors: { gst: { kind: 'guest', login: false } },
      run: body,
    });
    if (r.status === 'skipped' && ran === 0 && ctx.session.stopped === null) await body(); // no guest account
    if (suspect === null && r.status === 'failed' && ran > 0) {
      const i = first + ran - 1;
      const size = BATCH;
      suspect = {
        i,
        size,
        cases: casesOf(i, size),
        finding: { class: 'leak', detail: `the lockstep sessions beside tier 1 failed: ${r.message ?? ''}` },
      };
    }
    return { ran, suspect };
  };

  /** Tier 2 on a batch tier 1 suspects: the model-checked replay classifies, shrinks and records it. */
  const triage = async (s: Suspect): Promise<boolean> => {
    if (s.finding.class === 'crash' && !ctx.restart) {
      failures.push(unreplayed(ctx, s));
      ctx.progress(cases, failures.length);
      return true;
    }
    if ((s.finding.class === 'crash' || ctx.session.stopped !== null) && ctx.restart && !ctx.signal?.aborted) await ctx.restart();
    for (const b of s.beside ? [s, s.beside] : [s]) {
      const r = await checkBatch(b.i, b.size, false);
      if (r.failed) return r.stop;
    }
    // The replay could not run at all: the target went away after what tier 1 saw (say behind a
    // front that still accepts connections, so tier 1's reachability probe passed). That is a crash.
    if (ctx.session.stopped !== null && !ctx.signal?.aborted) {
      failures.push(unreplayed(ctx, { ...s, finding: { ...s.finding, detail: `${s.finding.detail}; then the target stopped answering` } }));
      ctx.progress(cases, failures.length);
      return true;
    }
    // Seen by tier 1, not by the model-checked replay (timing, concurrency): said, never dropped.
    if (!failures.some((f) => f.class === 'unreproduced' && f.message.startsWith(`unreproduced ${s.finding.class}`))) {
      failures.push(unconfirmed(ctx, s, 'unreproduced', 'the model-checked replay of the same cases passed'));
      ctx.progress(cases, failures.length);
    }
    return false;
  };

  for (let i = 0; budgetLeft();) {
    const checked = mode === 'checked' || (mode === 'mixed' && i % CHECKED_EVERY === 0);
    if (checked) {
      const r = await checkBatch(i, nextSize(), true);
      i++;
      if (r.stop) break;
      continue;
    }
    const n = mode === 'fast' ? SEGMENT : CHECKED_EVERY - (i % CHECKED_EVERY);
    const seg = await fastSegment(i, n);
    if (seg.ran === 0 && seg.suspect === null) {
      // Tier 1 could not run here (the target broke before it began): the model-checked tier says why.
      const r = await checkBatch(i, nextSize(), true);
      i++;
      if (r.stop) break;
      continue;
    }
    i += seg.ran;
    if (seg.suspect !== null && (await triage(seg.suspect))) break;
  }
  return { fuzzer: 'frames', cases, failures };
}

/** Batch i of a run: its size and its cases. */
interface Batch {
  i: number;
  size: number;
  cases: readonly FrameCase[];
}

/** A batch tier 1 saw break the target, and the batch written while its liveness was asked (a suspect too). */
interface Suspect extends Batch {
  finding: FastFinding;
  beside?: Batch;
}

/** Every case a suspect covers, in the order tier 1 wrote them. */
function suspectCases(s: Suspect): readonly FrameCase[] {
  return s.beside ? [...s.cases, ...s.beside.cases] : s.cases;
}

/** "batch 7", or "batches 7 and 8" when the next one ran beside its liveness check. */
function suspectName(s: Suspect): string {
  return s.beside ? `batches ${s.i} and ${s.beside.i}` : `batch ${s.i}`;
}

/**
 * A crash tier 1 saw on a target the driver cannot bring back: recorded as a fixture of the whole
 * batch (each case on a connection of its own, batch.ts standaloneSteps), neither replayed nor
 * shrunk — replaying it against the restarted target shrinks nothing but shows the crash again.
 */
function unreplayed(ctx: FuzzContext, s: Suspect): FuzzFailure {
  const f = unconfirmed(
    ctx,
    s,
    'crash',
    `the target is gone and cannot be restarted, so ${s.beside ? 'the batches were' : 'the batch was'} not replayed or shrunk`,
  );
  const cases = suspectCases(s);
  const fixture: Fixture = {
    format: FIXTURE_FORMAT,
    version: FIXTURE_VERSION,
    fuzzer: 'frames',
    class: 'crash',
    title: `crash: ${suspectName(s)} of seed ${ctx.seed} (${cases.length} cases, tier 1, not shrunk)`,
    rules: f.rules,
    seed: ctx.seed,
    path: `${s.i}:tier1`,
    profile: ctx.profile,
    match: ctx.match,
    actors: actorsFor(cases) as Fixture['actors'],
    steps: standaloneSteps(cases),
    found: { against: ctx.against, at: new Date().toISOString(), failures: f.failures ?? [], transcript: [] },
  };
  const file = ctx.record(fixture);
  return file !== undefined ? { ...f, fixture: file } : f;
}

/** A tier-1 finding the model-checked tier could not confirm (or could not replay): reported as such. */
function unconfirmed(ctx: FuzzContext, s: Suspect, cls: string, why: string): FuzzFailure {
  const cases = suspectCases(s);
  const rules = [...new Set(cases.flatMap((c) => rulesOf(c.element)))];
  const what = `tier 1 (${IN_FLIGHT} connections in flight) saw a ${s.finding.class} after ${suspectName(s)} of seed ${ctx.seed} (${cases.length} cases)`;
  return {
    class: cls,
    rules,
    message: `${cls === s.finding.class ? cls : `${cls} ${s.finding.class}`}: ${what}: ${s.finding.detail}; ${why} (repeat with --seed ${ctx.seed} --frames-mode fast)`,
    failures: [
      {
        rule: rules[0] ?? 'WIRE-FRM-9',
        sent: `${suspectName(s)} of seed ${ctx.seed}: ${cases.length} frame cases over ${IN_FLIGHT} connections, then a round trip on a long-lived session and a new login`,
        expected: ['the long-lived session answers and a new connection can handshake and log in'],
        actual: `${s.finding.detail} (${why})`,
      },
    ],
  };
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

// Tier 1 holds up to 8 connections in flight, 8 closing, 8 pooled, its long-lived session and a probe.
export const fuzzer: Fuzzer = { name: 'frames', connections: 32, run };
