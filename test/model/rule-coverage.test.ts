// Issue 3: the model is the oracle of every check, so each rule it implements (rules.md §2–§6,
// session.md, the wire rules the model decides) must be exercised by a model test that names it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SPEC_RULE_IDS } from '../../src/report/spec-ids.ts';

const here = dirname(fileURLToPath(import.meta.url));
const modelTests = readdirSync(here)
  .filter((f) => f.endsWith('.test.ts') && f !== 'rule-coverage.test.ts')
  .map((f) => readFileSync(join(here, f), 'utf8'))
  .join('\n');

/** rules.md §2–§6 families, and the session rules the model implements in full. */
const MODEL_FAMILIES = /^(GEN|PERM|MERGE|VAL|USR|ADM|CM|ADMP|SELF|GUEST|SHARED|BC|SES|WIRE-SEQ)-/;
/**
 * Rules about what a client (the harness) must tolerate, not what a server does: the comparator
 * and the runner implement them (test/runner names them).
 */
const HARNESS_SIDE = new Set(['SES-SI-8', 'SES-BC-4', 'SES-ERR-5']);

const named = (id: string): boolean => new RegExp(`${id.replace(/-/g, '\\-')}(?![0-9A-Za-z])`).test(modelTests);

describe('model rule coverage', () => {
  it('names every rule id of rules.md §2–§6, session.md and WIRE-SEQ in a model test', () => {
    const ids = SPEC_RULE_IDS.filter((id) => MODEL_FAMILIES.test(id) && !HARNESS_SIDE.has(id));
    expect(ids.length).toBeGreaterThan(150);
    expect(ids.filter((id) => !named(id))).toEqual([]);
  });
});
