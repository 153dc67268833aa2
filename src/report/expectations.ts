// A CI gate's memory of known failures. `--expect-failures FILE` lists check ids with a reason each:
// a listed check that fails (or is flaky) is reported as an expected failure and does not fail the
// run; a listed check that now passes is reported and fails the run, so the list only shrinks.
// `--update-baseline FILE` writes the run's failures as such a list (keeping the reasons given).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { CheckResult, RunResult } from './types.ts';

export const expectationsSchema = z.object({
  expectedFailures: z.array(z.object({ check: z.string().min(1), reason: z.string().min(1) })),
});
export type Expectations = z.infer<typeof expectationsSchema>;

/** Reads and validates the list; throws an Error with one readable line when it cannot. */
export function readExpectations(file: string): Expectations {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = expectationsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(
      `${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message} (expected {"expectedFailures": [{"check": "<section>/<check>", "reason": "…"}]})`,
    );
  }
  return parsed.data;
}

const failing = (c: CheckResult) => c.status === 'failed' || c.status === 'flaky';

export interface ExpectationOutcome {
  /** Listed checks that failed as expected. */
  expected: string[];
  /** Listed checks that passed: the list must shrink (fails the run). */
  nowPassing: string[];
  /** Listed ids this run does not know (neither run nor skipped). */
  unknown: string[];
}

/** Marks the result's checks (`expectedFailure`) and says what held and what did not. */
export function applyExpectations(result: RunResult, list: Expectations): ExpectationOutcome {
  const byId = new Map(result.checks.map((c) => [c.id, c]));
  const out: ExpectationOutcome = { expected: [], nowPassing: [], unknown: [] };
  for (const { check, reason } of list.expectedFailures) {
    const c = byId.get(check);
    if (c === undefined) {
      out.unknown.push(check);
      continue;
    }
    if (failing(c)) {
      c.expectedFailure = { reason, held: true };
      out.expected.push(check);
    } else if (c.status === 'passed') {
      c.expectedFailure = { reason, held: false };
      out.nowPassing.push(check);
    }
  }
  return out;
}

/** Checks that fail the run: unexpected failures and flakes, and listed checks that now pass. */
export function gateFailures(result: RunResult): CheckResult[] {
  return result.checks.filter((c) => (failing(c) && c.expectedFailure?.held !== true) || c.expectedFailure?.held === false);
}

/** The run's failures as an expectations list; reasons already given are kept. */
export function baselineOf(result: RunResult, previous?: Expectations): Expectations {
  const reasons = new Map((previous?.expectedFailures ?? []).map((e) => [e.check, e.reason]));
  return {
    expectedFailures: result.checks
      .filter(failing)
      .map((c) => ({ check: c.id, reason: reasons.get(c.id) ?? `baseline: ${(c.message ?? 'failed').split('\n')[0]}` })),
  };
}

export function writeBaseline(file: string, list: Expectations): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(list, null, 2) + '\n');
}
