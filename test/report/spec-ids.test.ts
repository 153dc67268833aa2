import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC_DIR, OUTPUT_FILE, collectSpecIds, renderSpecIdsModule, tableIds } from '../../scripts/gen-spec-ids.ts';
import { SPEC_ERROR_KEYS, SPEC_RULE_IDS } from '../../src/report/spec-ids.ts';

const FAMILIES = /^(GEN|PERM|MERGE|VAL|USR|ADM|CM|ADMP|SELF|GUEST|SHARED|BC|UND|SES|WIRE)-/;

describe('spec ids', () => {
  it('src/report/spec-ids.ts is what the generator makes of ../shared/spec (or well-formed without it)', () => {
    if (existsSync(DEFAULT_SPEC_DIR)) {
      // Stale file → run `npx tsx scripts/gen-spec-ids.ts`.
      expect(readFileSync(OUTPUT_FILE, 'utf8')).toBe(renderSpecIdsModule(collectSpecIds()));
    } else {
      // Without ../shared (e.g. a clone of this repository alone) the checked-in list must still be sane.
      expect(new Set(SPEC_RULE_IDS).size).toBe(SPEC_RULE_IDS.length);
      expect(new Set(SPEC_ERROR_KEYS).size).toBe(SPEC_ERROR_KEYS.length);
    }
  });

  it('covers every rule family and error keys, without duplicates', () => {
    for (const family of [
      'GEN-',
      'PERM-',
      'MERGE-',
      'VAL-',
      'USR-',
      'ADM-',
      'CM-',
      'ADMP-',
      'SELF-',
      'GUEST-',
      'SHARED-',
      'BC-',
      'UND-',
      'SES-',
      'WIRE-',
    ]) {
      expect(
        SPEC_RULE_IDS.some((id) => id.startsWith(family)),
        family,
      ).toBe(true);
    }
    expect(SPEC_RULE_IDS.every((id) => FAMILIES.test(id))).toBe(true);
    expect(SPEC_RULE_IDS).toContain('ADM-UPDATE-13a');
    expect(SPEC_RULE_IDS).toContain('VAL-SERVER-IMAGE');
    expect(SPEC_ERROR_KEYS.every((k) => /^E-[A-Z0-9-]+$/.test(k))).toBe(true);
    expect(SPEC_ERROR_KEYS).toContain('E-INVALID-MESSAGE-FORMAT');
    expect(SPEC_ERROR_KEYS).toContain('E-ACCOUNT-DISABLED-BY-ADMIN');
  });

  it('reads only tables headed "Id", keeps escaped pipes inside cells, and refuses rows that are not ids', () => {
    const md = [
      '| Id | Rule |',
      '| --- | --- |',
      '| WIRE-FRM-1 | Magic is `NX\\|`. |',
      '| **GEN-2** | bold id |',
      '',
      '| Point | Model |',
      '| --- | --- |',
      '| UND-1 / ADM-EDIT-1 | not an id table |',
    ].join('\n');
    expect(tableIds(md, 'Id', /^[A-Z]+(-[A-Z0-9]+)+$/, 'x.md')).toEqual(['WIRE-FRM-1', 'GEN-2']);
    const broken = '| Id | Rule |\n| --- | --- |\n| see below | oops |\n';
    expect(() => tableIds(broken, 'Id', /^[A-Z]+(-[A-Z0-9]+)+$/, 'x.md')).toThrow(/x\.md:3: .*"see below"/);
  });
});
