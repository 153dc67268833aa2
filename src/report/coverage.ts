// Coverage of the spec by the suite: which rule ids and which reachable error keys at least one
// check cites. Static (from the check declarations), per profile, so `--list` and tests can use it
// without running anything.
import { ERROR_CATALOGUE } from '../model/errors.ts';
import type { Profile } from '../protocol/types.ts';
import type { CheckDef, Section } from '../runner/api.ts';
import { SPEC_ERROR_KEYS, SPEC_RULE_IDS } from './spec-ids.ts';
import type { CoverageSummary } from './types.ts';

type Reachability = Record<string, { reachable: { spec: boolean; nexusd: boolean } }>;

/** Checks that can run in `profile` (a check pinned to the other profile covers nothing here). */
function checksFor(sections: readonly Section[], profile: Profile): CheckDef[] {
  return sections.flatMap((s) => s.checks.filter((c) => c.needs?.profile === undefined || c.needs.profile === profile));
}

/** Error keys a black-box client can provoke from a server of `profile` (ERROR_CATALOGUE flags). */
export function reachableErrorKeys(profile: Profile, catalogue: Reachability = ERROR_CATALOGUE): string[] {
  // Document order of errors.md, so `missing` lists read like the spec.
  const known = new Set(SPEC_ERROR_KEYS as readonly string[]);
  const ordered = [...SPEC_ERROR_KEYS, ...Object.keys(catalogue).filter((k) => !known.has(k))];
  return ordered.filter((k) => catalogue[k]?.reachable[profile] === true);
}

/**
 * Rule ids covered (cited by at least one check) of every rule id in rules.md, session.md and
 * wire.md — UND-* included: an undetermined point counts as covered once a check cites it, i.e.
 * exercises it while accepting every allowed outcome. Error keys covered of those reachable in
 * `profile`.
 */
export function computeCoverage(
  sections: readonly Section[],
  profile: Profile,
  catalogue: Reachability = ERROR_CATALOGUE,
): CoverageSummary {
  const checks = checksFor(sections, profile);
  const citedRules = new Set(checks.flatMap((c) => c.rules));
  const citedErrors = new Set<string>(checks.flatMap((c) => c.errors ?? []));
  const reachable = reachableErrorKeys(profile, catalogue);
  const missingRules = SPEC_RULE_IDS.filter((id) => !citedRules.has(id));
  const missingErrors = reachable.filter((k) => !citedErrors.has(k));
  return {
    rules: { covered: SPEC_RULE_IDS.length - missingRules.length, total: SPEC_RULE_IDS.length, missing: missingRules },
    errors: { covered: reachable.length - missingErrors.length, total: reachable.length, missing: missingErrors },
  };
}

/** Rule ids and error keys cited by checks that the spec does not define (typos, renamed rules). */
export function unknownCitations(sections: readonly Section[]): { rules: string[]; errors: string[] } {
  const rules = new Set(SPEC_RULE_IDS);
  const errors = new Set<string>(SPEC_ERROR_KEYS);
  const all = sections.flatMap((s) => s.checks);
  return {
    rules: [...new Set(all.flatMap((c) => c.rules))].filter((r) => !rules.has(r)),
    errors: [...new Set(all.flatMap((c) => c.errors ?? []))].filter((e) => !errors.has(e)),
  };
}
