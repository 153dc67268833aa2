// `--exclude` (and the library's `exclude`): checks named by a pattern stay in the run as skipped
// checks with a reason, so every report still lists them; they open no connection and send nothing.
import type { CheckDef, Section } from './api.ts';
import { makeFilter } from './filter.ts';

/** Why an excluded check is reported as skipped. */
export const EXCLUDED_REASON = 'excluded by --exclude';

/**
 * A check `--exclude` names, kept in the run (same id, title, rules and error keys, so the console,
 * JUnit and JSON reports list it as skipped with EXCLUDED_REASON) but with no actors, preconditions
 * or steps: it opens no connection, sends nothing, and the exclusion wins over any other skip reason.
 */
export function asExcluded(c: CheckDef): CheckDef {
  const { actors: _actors, needs: _needs, slow: _slow, ...rest } = c;
  return { ...rest, run: async (_a, t) => t.skip(EXCLUDED_REASON) };
}

/**
 * The runner's --grep matching (substring or /regex/) per pattern, on the id, the title and also
 * each rule id, so a target can drop the checks of one rule: e.g. `--exclude UND-13`, the
 * WIRE-TMO-1 idle checks, on pre-seed builds without a pre-login idle timeout (WIRE-TMO-4).
 */
export function exclusion(patterns: readonly string[]): (section: Section, c: CheckDef) => boolean {
  const filters = patterns.map((p) => makeFilter(p));
  return (section, c) => filters.some((f) => f(`${section.id}/${c.id}`) || f(c.title) || c.rules.some((r) => f(r)));
}

/** The sections with every excluded check replaced by its skipped stand-in (asExcluded). */
export function withExclusions(sections: Section[], isExcluded: (section: Section, c: CheckDef) => boolean): Section[] {
  return sections.map((s) => ({ ...s, checks: s.checks.map((c) => (isExcluded(s, c) ? asExcluded(c) : c)) }));
}
