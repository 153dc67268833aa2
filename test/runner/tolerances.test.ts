// The comparator's tolerances are data (src/runner/tolerances.ts): each entry has a unique id and
// a rule id from the spec, and docs/UNDETERMINED.md points at every entry (and at nothing else).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPEC_RULE_IDS } from '../../src/report/spec-ids.ts';
import { TOLERANCES } from '../../src/runner/tolerances.ts';

const doc = readFileSync(resolve(import.meta.dirname, '../../docs/UNDETERMINED.md'), 'utf8');
/** `tolerances.ts#id`, or `#id` after such a reference in the same row. */
const cited = new Set([...doc.matchAll(/`(?:tolerances\.ts)?#([a-z0-9-]+)`/g)].map((m) => m[1]!));

describe('tolerances table', () => {
  it('has unique ids, each with a rule id of the spec and a member or carrier rule', () => {
    const ids = TOLERANCES.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const t of TOLERANCES) {
      expect(SPEC_RULE_IDS, t.id).toContain(t.rule);
      expect(t.member !== undefined || t.carriers !== undefined, t.id).toBe(true);
      expect(t.allows.length, t.id).toBeGreaterThan(10);
    }
  });

  it('every entry is named in docs/UNDETERMINED.md, and every name there is an entry', () => {
    const ids = new Set(TOLERANCES.map((t) => t.id));
    expect([...ids].filter((id) => !cited.has(id))).toEqual([]);
    expect([...cited].filter((id) => !ids.has(id))).toEqual([]);
  });
});
