// Planning one check: whether it runs on this target and, if not, why (the skip reasons), and the
// plain parts of its result (id, section, rules, seed section; the one-line failure summary).
import type { Profile } from '../protocol/types.ts';
import type { CheckDef, Section } from './api.ts';
import type { CheckResult, Failure } from './results.ts';
import { firstLine } from './text.ts';

/** What the run knows that decides whether a check can run. */
export interface RunFacts {
  profile: Profile;
  transport: 'tls' | 'plain';
  /** The target had no accounts before the run (SES-AUTH-2 checkable). */
  fresh: boolean;
  /** `--slow`: checks that wait for the target's own timers run too. */
  slow: boolean;
  /** Set once the run cannot go on (interrupt, target gone). */
  stopped: string | null;
}

/** Whether the check waits for the target's own deadlines (WIRE-TMO-*, 30–60 s each). */
export function isSlow(check: CheckDef): boolean {
  return check.needs?.slow === true || check.slow === true;
}

/** Why the check does not run here, or null when it runs. */
export function whySkipped(check: CheckDef, facts: RunFacts): string | null {
  if (facts.stopped !== null) return facts.stopped;
  const needs = check.needs ?? {};
  if (needs.profile && needs.profile !== facts.profile) return `needs profile ${needs.profile}`;
  if (needs.tls && facts.transport !== 'tls') return 'needs a TLS target';
  if (needs.fresh && !facts.fresh) return 'needs a fresh target (accounts existed before the run)';
  if (isSlow(check) && !facts.slow) return 'slow check (run with --slow)';
  return null;
}

/** The result of a check that did not run, with the reason. */
export function skippedResult(section: Section, check: CheckDef, message: string): CheckResult {
  return { ...resultBase(section, check), status: 'skipped', message, failures: [], durationMs: 0, roundTrips: 0 };
}

/** What every result of the check carries, whatever its status. */
export function resultBase(section: Section, check: CheckDef): Omit<CheckResult, 'status' | 'failures' | 'durationMs' | 'roundTrips'> {
  const seed = check.seed ?? section.seed;
  return {
    id: `${section.id}/${check.id}`,
    section: section.id,
    title: check.title,
    rules: check.rules,
    errors: [...(check.errors ?? [])],
    ...(seed === undefined ? {} : { seed }),
    ...(section.source ? { file: section.source.file } : {}),
    ...(section.source?.lines[check.id] !== undefined ? { line: section.source.lines[check.id] } : {}),
  };
}

/** `<rule>: expected <first outcome> (<note>), got <actual>` on one line, with the count of the others. */
export function summarise(failures: Failure[]): string {
  const f = failures[0]!;
  const more = failures.length > 1 ? ` (+${failures.length - 1} more)` : '';
  const note = f.note !== undefined ? ` (${firstLine(f.note)})` : '';
  return `${f.rule}: expected ${firstLine(f.expected[0] ?? '')}${note}, got ${firstLine(f.actual)}${more}`;
}
