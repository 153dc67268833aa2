// The CI gate `run` and `fuzz` share: `--expect-failures FILE` marks the known failures (they do
// not fail the run), `--update-baseline FILE` writes the run's failures as such a list, and the exit
// code says whether anything is left that the list does not excuse. The list itself (format,
// marking, baseline) is src/report/expectations.ts; this is what a command says around it.
import type { Expectations } from '../report/expectations.ts';
import type { RunResult } from '../report/types.ts';
import { errorText, EXIT, UsageError } from './common.ts';

export interface GateFlags {
  expectFailures?: string;
  updateBaseline?: string;
}

/** Loaded with a run (zod), so --help and --list stay quick. */
const loadExpectations = () => import('../report/expectations.ts');

/** A known-failures list and the file it came from. */
export interface Gate {
  file: string;
  list: Expectations;
}

/** The list --expect-failures names, read and validated before the target is touched. */
export async function readGate(flags: GateFlags): Promise<Gate | undefined> {
  const file = flags.expectFailures;
  if (file === undefined) return undefined;
  const { readExpectations } = await loadExpectations();
  try {
    return { file, list: readExpectations(file) };
  } catch (err) {
    throw new UsageError(`--expect-failures: ${errorText(err)}`);
  }
}

/** What the gate has to say about a run: lines for the report, warnings for stderr. */
export interface GateReport {
  notes: string[];
  warnings: string[];
}

/**
 * Marks the result's listed failures and says what held. `absent`: what a listed id the run does
 * not report means — for the suite a check it does not know (a typo, a renamed check); for a fuzz
 * run a failure this run did not find, which is no proof that it is fixed (it stays listed).
 */
export async function applyGate(result: RunResult, gate: Gate, absent: 'unknown' | 'not-found'): Promise<GateReport> {
  const { file, list } = gate;
  const { applyExpectations } = await loadExpectations();
  const o = applyExpectations(result, list);
  const out: GateReport = { notes: [`\nexpected failures (${file}): ${o.expected.length} failed as expected`], warnings: [] };
  if (o.nowPassing.length > 0)
    out.notes.push(`listed as expected failures but pass now (remove them from ${file}): ${o.nowPassing.join(', ')}`);
  if (o.unknown.length === 0) return out;
  if (absent === 'unknown') out.warnings.push(`${file} lists checks this run does not know: ${o.unknown.join(', ')}`);
  else out.notes.push(`listed but not found by this run (a fuzzer that misses a bug does not prove it fixed): ${o.unknown.join(', ')}`);
  return out;
}

/** --update-baseline: the run's failures as a list, keeping the reasons the old list gave. */
export async function writeGateBaseline(flags: GateFlags, result: RunResult, previous: Gate | undefined): Promise<void> {
  if (flags.updateBaseline === undefined) return;
  const { baselineOf, writeBaseline } = await loadExpectations();
  try {
    writeBaseline(flags.updateBaseline, baselineOf(result, previous?.list));
  } catch (err) {
    throw new UsageError(`cannot write ${flags.updateBaseline}: ${errorText(err)}`);
  }
}

/**
 * The exit code: failed while a failure or flake is not excused by the list, or a listed check
 * passes now (the list only shrinks); a flaky check is never a pass.
 */
export async function gateExit(result: RunResult): Promise<number> {
  const { gateFailures } = await loadExpectations();
  return gateFailures(result).length > 0 ? EXIT.failed : EXIT.ok;
}
