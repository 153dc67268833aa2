// The mutation score: the scripted suite against the reference server with each catalogued fault
// (src/server/faults/), in every profile where the fault is wrong, must detect every fault by a
// failed check citing one of its rule ids; without a fault, the whole suite passes. The table is
// printed and its JSON form written to reports/mutation.json (this test is the CI step for it;
// `npm run mutation` runs the same table by hand).
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fuzzDriver } from '../../src/report/mutation-fuzz.ts';
import { formatMutationTable, runMutation } from '../../src/report/mutation.ts';
import { SPEC_RULE_IDS } from '../../src/report/spec-ids.ts';
import { CLIENT_TYPES } from '../../src/protocol/types.ts';
import { loadSections } from '../../src/runner/load.ts';
import { FAULTS } from '../../src/server/faults/index.ts';

/** The families issue #10 asks the catalogue to cover. */
const FAMILIES = [
  'framing and message ids',
  'sequencing',
  'handshake',
  'login (regular)',
  'login (first user)',
  'login (shared)',
  'login (guest)',
  'permission rules',
  'admin protections',
  'self-operation rules',
  'shared and guest restrictions',
  'broadcasts and their audience',
  'list order and aggregation',
  'validators at their boundaries',
  'error wording and carrier',
  'connection effects',
  'multi-session behaviour',
  'per-IP limits and timeouts',
  'robustness',
];

describe('the fault catalogue', () => {
  it('has at least 60 faults with unique kebab-case names, one-line descriptions, known rule ids and profiles', () => {
    expect(FAULTS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(FAULTS.map((f) => f.name)).size).toBe(FAULTS.length);
    const known = new Set(SPEC_RULE_IDS);
    for (const f of FAULTS) {
      expect(f.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(f.description).not.toMatch(/\n/);
      expect(f.rules.length, f.name).toBeGreaterThan(0);
      expect(
        f.rules.filter((r) => !known.has(r)),
        f.name,
      ).toEqual([]);
      expect(f.profiles.length, f.name).toBeGreaterThan(0);
    }
  });

  it('covers every family, and a seed message family for each in-scope request', () => {
    const families = new Set(FAULTS.map((f) => f.family));
    expect(FAMILIES.filter((f) => !families.has(f))).toEqual([]);
    const seedMessages = [...families].filter((f) => f.startsWith('seed messages')).join(' ');
    // Every message the seeds define: all but the session opening (Handshake, Login).
    for (const m of CLIENT_TYPES.filter((t) => t !== 'Handshake' && t !== 'Login')) {
      expect(seedMessages).toContain(m);
    }
  });
});

describe('the mutation score', () => {
  it('every fault is detected by a failed check citing one of its rules; the baseline has no failure', async () => {
    const report = await runMutation({
      faults: FAULTS,
      sections: await loadSections(),
      seed: 20_260,
      timeoutMs: 2000,
      concurrency: 4,
      fuzz: fuzzDriver,
    });
    const table = formatMutationTable(report);
    console.log(table);
    mkdirSync('reports', { recursive: true });
    writeFileSync('reports/mutation.json', JSON.stringify(report, null, 2) + '\n');

    expect(report.baseline.map((b) => [b.profile, b.failed, b.failedChecks])).toEqual([
      ['spec', 0, []],
      ['nexusd', 0, []],
    ]);
    const undetected = report.rows
      .filter((r) => r.status === 'missed' || r.status === 'error')
      .map((r) => `${r.fault} (${r.profile}): ${r.status}: ${r.note}`);
    expect(undetected, table).toEqual([]);
    // A fault only a fuzzer finds may wait for its fuzzer only while that fuzzer is not in the build.
    for (const r of report.rows.filter((x) => x.status === 'fuzz-only')) expect(r.note).toMatch(/not in this build|needs the fuzzer/);
    for (const r of report.rows.filter((x) => x.status === 'detected' && x.detectedBy === 'suite'))
      expect(r.checks.length).toBeGreaterThan(0);
  }, 400_000);
});
