// The suite as a whole (issue 4): every rule id and every error key reachable in a profile has at
// least one check, and every id a check cites exists in the spec.
import { beforeAll, describe, expect, it } from 'vitest';
import { computeCoverage, unknownCitations } from '../../src/report/coverage.ts';
import type { Section } from '../../src/runner/api.ts';
import { loadSections } from '../../src/runner/load.ts';

let sections: Section[];
beforeAll(async () => {
  sections = await loadSections();
});

describe('suite coverage', () => {
  it('cites only rule ids and error keys that the spec defines', () => {
    expect(unknownCitations(sections)).toEqual({ rules: [], errors: [] });
  });

  for (const profile of ['spec', 'nexusd'] as const) {
    it(`has a check for every rule id and every error key reachable in profile ${profile}`, () => {
      const c = computeCoverage(sections, profile);
      expect(c.rules.missing, 'rule ids without a check').toEqual([]);
      expect(c.errors.missing, 'error keys without a check').toEqual([]);
    });
  }
});
