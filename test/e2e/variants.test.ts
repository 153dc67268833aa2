// The whole suite against conforming servers that decide differently wherever the spec lets them
// (rules.md §7, every "accept either"): the reference server started with `variant` takes the other
// option at every choice point (Ctx.choose), the other decoder rules (UND-11, WIRE-BAD-15) and the
// other form of every annotated output (forms.ts: carriers, alternatives, optional frames and
// closes, the order of own copies, UND-14 locales). Every check must pass against each of them —
// the permanent proof that no check is stricter than the spec — and the server's `seen()` proves
// each variant was actually exercised. One negative: a server of the other profile fails checks.
import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/protocol/types.ts';
import type { RunResult } from '../../src/report/types.ts';
import type { Section } from '../../src/runner/api.ts';
import { loadSections } from '../../src/runner/load.ts';
import { runSuite } from '../../src/runner/run.ts';
import { COMBINATIONS, type Variant } from '../support/variants.ts';
import { perTest } from '../support/per-test.ts';
import { runOptions } from '../support/options.ts';

const ADMIN = { username: 'variant-admin', password: 'variant-admin-pw' };
let sections: Section[] | null = null;

const { serve } = perTest('nc-test-');

async function suite(
  serverProfile: Profile,
  variant: Variant | undefined,
  o: { profile?: Profile; grep?: string; jobs?: number } = {},
): Promise<{ result: RunResult; seen: Record<string, number> }> {
  sections ??= await loadSections();
  const srv = await serve({ profile: serverProfile, ...(variant ? { variant } : {}) });
  // The run's profile is the server's unless `o` says otherwise.
  const result = await runSuite(runOptions(srv, { admin: ADMIN, timeoutMs: 2000, seed: 20251, sections, ...o }));
  return { result, seen: srv.seen() };
}

/** Every failed check with its first failures, for a readable assertion message. */
function failures(r: RunResult): string[] {
  return r.checks
    .filter((c) => c.status === 'failed')
    .map(
      (c) =>
        `${c.id}: ${c.failures
          .slice(0, 2)
          .map((f) => `[${f.rule}] expected ${f.expected[0]} got ${f.actual.split('\n')[0]}`)
          .join(' | ')}`,
    );
}

describe('the whole suite passes against every allowed variant of the reference server', () => {
  // One check after another, and on 4 lanes side by side (--jobs 4, the CLI's default).
  for (const [c, jobs] of COMBINATIONS.flatMap((c) => [1, 4].map((jobs) => [c, jobs] as const))) {
    it(`${c.name} (--jobs ${jobs})`, async () => {
      const { result, seen } = await suite(c.profile, c.variant, { jobs });
      expect(failures(result)).toEqual([]);
      expect(result.summary.failed).toBe(0);
      expect(result.summary.passed).toBeGreaterThan(350);
      expect(result.restored?.ok, result.restored?.differences.join('; ')).toBe(true);
      const labels = Object.keys(seen);
      const missing = c.exercised.filter((want) => !labels.some((l) => l.startsWith(want)));
      expect(missing, `variants never exercised (seen: ${labels.join(' | ')})`).toEqual([]);
    }, 60_000);
  }
});

describe('the suite can fail', () => {
  it('a server of the other profile fails checks (the spec suite against a nexusd server)', async () => {
    // Two sections with [DIVERGENT] rules keep it short (every failed check waits and resyncs).
    const { result } = await suite('nexusd', undefined, { profile: 'spec', grep: '/^(permissions\\/merge|users\\/list)\\//' });
    expect(result.summary.failed).toBeGreaterThan(10);
    const rules = new Set(result.checks.filter((c) => c.status === 'failed').flatMap((c) => c.failures.map((f) => f.rule)));
    // The carrier of a permission failure (USR-LIST-2, GEN-4), the delegation rule (MERGE-1: refused
    // instead of intersected), all:true listing (USR-LIST-4) and the wording (USR-INFO-2, exact match).
    for (const rule of ['USR-LIST-2', 'USR-LIST-4', 'ADM-CREATE-12', 'USR-INFO-2']) expect([...rules]).toContain(rule);
    expect(result.restored?.ok).toBe(true);
  }, 60_000);
});
