import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/model/errors.ts';
import { computeCoverage, reachableErrorKeys, unknownCitations } from '../../src/report/coverage.ts';
import { SPEC_ERROR_KEYS, SPEC_RULE_IDS } from '../../src/report/spec-ids.ts';
import type { CheckDef, Section } from '../../src/runner/api.ts';

function def(id: string, rules: string[], errors: `E-${string}`[] = [], needs?: CheckDef['needs']): CheckDef {
  return { id, title: id, rules, errors, ...(needs ? { needs } : {}), run: async () => {} };
}
const sections = (...checks: CheckDef[]): Section[] => [{ id: 's', title: 'S', checks }];

describe('coverage', () => {
  it('counts each cited rule id once against every rule id of the spec', () => {
    const c = computeCoverage(sections(def('a', ['GEN-1', 'SES-HS-4']), def('b', ['GEN-1', 'WIRE-FRM-1'])), 'spec');
    expect(c.rules.total).toBe(SPEC_RULE_IDS.length);
    expect(c.rules.covered).toBe(3);
    expect(c.rules.missing).not.toContain('GEN-1');
    expect(c.rules.missing).toContain('GEN-2');
    expect(c.rules.missing).toHaveLength(SPEC_RULE_IDS.length - 3);
  });

  it('counts UND-* ids as covered when a check cites them and missing otherwise', () => {
    const none = computeCoverage(sections(), 'spec');
    expect(none.rules.missing).toContain('UND-3');
    const cited = computeCoverage(sections(def('a', ['UND-3'])), 'spec');
    expect(cited.rules.missing).not.toContain('UND-3');
    expect(cited.rules.covered).toBe(1);
  });

  it('ignores citations that are not spec rule ids and reports them as unknown', () => {
    const s = sections(def('a', ['GEN-1', 'GEN-999', 'NOPE']), def('b', [], ['E-NOT-LOGGED-IN', 'E-NO-SUCH-KEY']));
    expect(computeCoverage(s, 'spec').rules.covered).toBe(1);
    expect(unknownCitations(s)).toEqual({ rules: ['GEN-999', 'NOPE'], errors: ['E-NO-SUCH-KEY'] });
  });

  it('counts error keys against the keys reachable in the profile only', () => {
    const catalogue = {
      'E-A': { reachable: { spec: true, nexusd: true } },
      'E-SPEC': { reachable: { spec: true, nexusd: false } },
      'E-NEVER': { reachable: { spec: false, nexusd: false } },
    };
    const s = sections(def('a', [], ['E-A', 'E-NEVER']));
    expect(computeCoverage(s, 'spec', catalogue).errors).toEqual({ covered: 1, total: 2, missing: ['E-SPEC'] });
    expect(computeCoverage(s, 'nexusd', catalogue).errors).toEqual({ covered: 1, total: 1, missing: [] });
  });

  it('lets a check pinned to one profile cover nothing in the other', () => {
    const s = sections(def('a', ['MERGE-1'], ['E-PERMISSION-DENIED'], { profile: 'nexusd' }));
    expect(computeCoverage(s, 'nexusd').rules.covered).toBe(1);
    expect(computeCoverage(s, 'spec').rules.covered).toBe(0);
    expect(computeCoverage(s, 'spec').errors.missing).toContain('E-PERMISSION-DENIED');
  });

  it('takes the reachable error keys from the model catalogue, all of them spec keys', () => {
    const known = new Set<string>(SPEC_ERROR_KEYS);
    for (const profile of ['spec', 'nexusd'] as const) {
      const keys = reachableErrorKeys(profile);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((k) => !known.has(k))).toEqual([]);
    }
    // Keys no black-box client can provoke (errors.md: "not testable") are outside the total.
    expect(ERROR_CATALOGUE['E-DATABASE']?.reachable.spec).toBe(false);
    expect(reachableErrorKeys('spec')).not.toContain('E-DATABASE');
    // E-MAX-CONNECTIONS-PER-IP-INVALID is `spec` only (VAL-LIMIT).
    expect(reachableErrorKeys('spec')).toContain('E-MAX-CONNECTIONS-PER-IP-INVALID');
    expect(reachableErrorKeys('nexusd')).not.toContain('E-MAX-CONNECTIONS-PER-IP-INVALID');
  });
});
