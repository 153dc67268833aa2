// The fast-check loop the validator and stateful fuzzers share: generate a value, turn it into a
// steps case, run the case as a check through the run session (the lockstep is the only oracle),
// let fast-check shrink a failing value to a minimal one, then record that minimal case as a
// regression fixture. A fuzzer only supplies its arbitrary and how a value becomes steps.
import fc from 'fast-check';
import type { CheckResult } from '../runner/results.ts';
import { firstLine } from '../runner/text.ts';
import { FIXTURE_FORMAT, FIXTURE_VERSION, type Fixture, type FuzzerName } from './fixture.ts';
import { toCheck, type StepsCase } from './steps.ts';
import type { FuzzContext, FuzzFailure, FuzzerResult } from './types.ts';

/** Cases a fuzzer runs when the budget names neither a deadline nor a count. */
export const DEFAULT_RUNS = 100;
/** Cases per fast-check round (the budget and the signal are looked at between rounds). */
const ROUND_RUNS = 20;
/** Time a shrink may go on past the deadline. */
const SHRINK_GRACE_MS = 30_000;

export interface PropertySpec<T> {
  fuzzer: FuzzerName;
  /** The failure class written into the fixture (`verdict`, `sequence`). */
  failureClass: string;
  arbitrary: fc.Arbitrary<T>;
  /** A value as a steps case; must be a pure function of the value (shrinking reruns it). */
  toCase: (value: T) => StepsCase;
  /**
   * The value as a list of parts (probes, commands) and back. fast-check's array shrinker does not
   * always try dropping every single element; after it, each part is dropped in turn while the
   * case still fails, so the recorded case is minimal part by part.
   */
  parts: { split: (value: T) => unknown[]; join: (parts: unknown[]) => T };
}

/** The replay command a failure message ends with. */
export function replayCommand(fixturePath: string | undefined, ctx: Pick<FuzzContext, 'profile' | 'match'>): string {
  const target = fixturePath ?? '<fixture>';
  return `nexus-conform replay ${target} --profile ${ctx.profile} --match ${ctx.match}`;
}

/** The fixture for a shrunk failing case. The transcript is left to the driver (it owns the traffic tap). */
export function fixtureOf(
  spec: Pick<PropertySpec<unknown>, 'fuzzer' | 'failureClass'>,
  c: StepsCase,
  result: CheckResult,
  ctx: FuzzContext,
  path: string | undefined,
): Fixture {
  const rules = [...new Set(result.failures.map((f) => f.rule))];
  return {
    format: FIXTURE_FORMAT,
    version: FIXTURE_VERSION,
    fuzzer: spec.fuzzer,
    class: spec.failureClass,
    title: `${c.title}: ${result.message ?? 'failed'}`,
    rules: rules.length > 0 ? rules : c.rules,
    seed: ctx.seed,
    ...(path !== undefined ? { path } : {}),
    profile: ctx.profile,
    match: ctx.match,
    actors: c.actors as Fixture['actors'],
    steps: c.steps,
    found: {
      against: ctx.against,
      at: new Date().toISOString(),
      failures: result.failures.map((f) => ({
        rule: f.rule,
        sent: f.sent,
        expected: f.expected,
        ...(f.note !== undefined ? { note: f.note } : {}),
        actual: f.actual,
        ...(f.actor ? { actor: f.actor } : {}),
      })),
      transcript: [],
    },
  };
}

/**
 * Runs cases until the budget is spent, the signal aborts or a case fails; a failing case is shrunk
 * by fast-check (each candidate is a full check run) and the smallest failing one is recorded.
 * Stops at the first failure: later cases would mostly rediscover it. With no budget at all,
 * DEFAULT_RUNS cases run.
 */
export async function runProperty<T>(
  ctx: FuzzContext,
  spec: PropertySpec<T>,
): Promise<Omit<FuzzerResult, 'durationMs' | 'casesPerSecond'>> {
  const section = { id: `fuzz/${spec.fuzzer}`, title: `${spec.fuzzer} fuzzer`, checks: [] };
  let cases = 0;
  let shrinking = false;
  let smallest: { c: StepsCase; result: CheckResult; value: T } | null = null;
  const failures: FuzzFailure[] = [];
  const outOfBudget = (): boolean =>
    ctx.signal?.aborted === true ||
    ctx.session.stopped !== null ||
    (ctx.budget.deadline !== undefined && Date.now() >= ctx.budget.deadline);

  /** Runs one value as a check; a failing run becomes the smallest so far. */
  const attempt = async (value: T): Promise<boolean> => {
    const c = spec.toCase(value);
    const result = await ctx.session.runCheck(section, toCheck(c));
    cases += 1;
    if (result.status === 'failed') {
      // During shrinking fast-check only moves on to a candidate that fails: the last failing run is the smallest.
      shrinking = true;
      smallest = { c, result, value };
    }
    ctx.progress(cases, failures.length + (smallest ? 1 : 0));
    return result.status !== 'failed';
  };
  const property = fc.asyncProperty(spec.arbitrary, async (value) => {
    // Past the budget every further case passes untried, so fast-check winds down quickly.
    if (outOfBudget() && (!shrinking || ctx.session.stopped !== null || ctx.signal?.aborted)) return true;
    return attempt(value);
  });
  /** Drops each part in turn while the case still fails (one-minimal after fast-check's shrink). */
  const dropParts = async (value: T): Promise<void> => {
    let parts = spec.parts.split(value);
    for (let i = 0; i < parts.length && parts.length > 1;) {
      if (ctx.signal?.aborted || ctx.session.stopped !== null) return;
      const candidate = [...parts.slice(0, i), ...parts.slice(i + 1)];
      if (await attempt(spec.parts.join(candidate))) i += 1;
      else parts = candidate;
    }
  };

  // Rounds of a fixed size, each with its own seed (ctx.seed + round): the budget and the signal are
  // honoured between rounds, and a fixture's seed and path find its case again in round 0.
  let round = 0;
  while (!outOfBudget() && (ctx.budget.runs === undefined || cases < ctx.budget.runs)) {
    const seed = ctx.seed + round;
    const numRuns = Math.min(ROUND_RUNS, ctx.budget.runs === undefined ? ROUND_RUNS : ctx.budget.runs - cases);
    const remaining = ctx.budget.deadline === undefined ? undefined : Math.max(0, ctx.budget.deadline - Date.now());
    const details = await fc.check(property, {
      seed,
      numRuns,
      ...(remaining !== undefined ? { interruptAfterTimeLimit: remaining + SHRINK_GRACE_MS } : {}),
    });
    if (details.failed && smallest) {
      const { value } = smallest as { value: T };
      await dropParts(value);
      // Once more, so the session's last check (whose traffic the driver keeps as the fixture's
      // transcript) is the minimal failing case itself.
      await attempt((smallest as { value: T }).value);
    }
    const found = smallest as { c: StepsCase; result: CheckResult } | null;
    if (details.failed && found) {
      const path = details.counterexamplePath ?? undefined;
      const fixture = fixtureOf(spec, found.c, found.result, { ...ctx, seed }, path);
      const written = ctx.record(fixture);
      const f = found.result.failures[0];
      const what = f
        ? `${f.rule}: sent ${firstLine(f.sent)}; expected ${firstLine(f.expected[0] ?? '')}; got ${firstLine(f.actual)}`
        : (found.result.message ?? 'failed');
      failures.push({
        class: spec.failureClass,
        rules: fixture.rules,
        message: `${what} (${found.c.steps.length} steps after ${details.numShrinks} shrinks; seed ${seed}${path ? `, path ${path}` : ''}) — replay: ${replayCommand(written, ctx)}`,
        ...(written !== undefined ? { fixture: written } : {}),
        failures: found.result.failures,
      });
      break;
    }
    if (ctx.budget.runs === undefined && ctx.budget.deadline === undefined && cases >= DEFAULT_RUNS) break;
    round += 1;
  }
  ctx.progress(cases, failures.length);
  return { fuzzer: spec.fuzzer, cases, failures };
}
