// The frame fuzzer: it finds a server that crashes on one input, shrinks the batch to that input,
// and the fixture it writes replays to the same failure against that server and passes against the
// reference server; against the reference server and every variant server (the other allowed
// choice at each undetermined point) it finds nothing, in both profiles.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFixture } from '../../src/fuzz/fixture.ts';
import { loadFixtures, replayFixtures } from '../../src/fuzz/replay.ts';
import { runFuzz, type FuzzRunResult } from '../../src/fuzz/run.ts';
import type { Profile } from '../../src/protocol/types.ts';
import { faultHooks } from '../../src/server/faults/index.ts';
import type { ServerOptions } from '../../src/server/server.ts';
import { perTest } from '../support/per-test.ts';
import { COMBINATIONS } from '../support/variants.ts';

const ADMIN = { username: 'fuzz-admin', password: 'fuzz-admin-pw' };
const { serve, tempDir } = perTest('nc-fuzz-');

function target(s: { host: string; port: number }) {
  return { host: s.host, port: s.port, transport: 'plain' as const, embedded: true };
}

/** One line per failure found, for readable assertion messages. */
function found(r: FuzzRunResult): string[] {
  return r.fuzz.flatMap((f) => f.failures.map((x) => `${x.class}: ${x.message}`));
}

describe('the frame fuzzer finds, shrinks and records a crash', () => {
  it('finds the crashing input, shrinks it to one case, and the fixture replays to the same failure (and passes on the reference)', async () => {
    let srv = await serve({ faults: faultHooks(['crash-on-empty-user-list']) });
    const port = srv.port;
    const dir = tempDir();
    const result = await runFuzz({
      target: target(srv),
      admin: ADMIN,
      profile: 'spec',
      match: 'exact',
      timeoutMs: 1000,
      seed: 1,
      fuzzers: ['frames'],
      runs: 1500,
      fixturesDir: dir,
      restart: async () => {
        await srv.close();
        srv = await serve({ port, faults: faultHooks(['crash-on-empty-user-list']) });
      },
    });
    const frames = result.fuzz[0]!;
    expect(frames.fuzzer).toBe('frames');
    expect(frames.failures.length).toBeGreaterThan(0);
    expect(result.summary.failed).toBe(frames.failures.length);
    const crash = frames.failures[0]!;
    expect(crash.class).toBe('crash');
    expect(crash.fixture).toBeDefined();

    // Shrunk: the fixture sends exactly one frame, the crashing one, and names its rules.
    const fixture = parseFixture(readFileSync(crash.fixture!, 'utf8'), crash.fixture!);
    const raw = fixture.steps.filter((s) => s.op === 'raw');
    expect(raw).toHaveLength(1);
    expect(raw[0]!.text).toMatch(/^NX\|8\|UserList\|[0-9A-Fa-f]{12}\|0+\|/);
    expect(fixture.class).toBe('crash');
    expect(fixture.seed).toBe(1);
    expect(fixture.found?.failures.length).toBeGreaterThan(0);
    expect(fixture.found?.transcript.some((e) => e.dir === 'sent' && e.frame.includes('UserList'))).toBe(true);
    // Passwords never reach a fixture.
    expect(JSON.stringify(fixture)).not.toContain(ADMIN.password);

    // Replayed against the broken server (restarted: the crash took it down): the same failure.
    await srv.close();
    srv = await serve({ port, faults: faultHooks(['crash-on-empty-user-list']) });
    const fixtures = loadFixtures(crash.fixture!);
    const broken = await replayFixtures({
      target: target(srv),
      admin: ADMIN,
      profile: 'spec',
      match: 'exact',
      timeoutMs: 1000,
      seed: 2,
      fixtures,
    });
    expect(broken.summary.failed).toBe(1);
    expect(broken.checks[0]!.failures.map((f) => f.rule)).toEqual(expect.arrayContaining(fixture.rules.slice(0, 1)));

    // Against the reference server, in both profiles, it passes.
    for (const profile of ['spec', 'nexusd'] as const) {
      const ref = await serve({ profile });
      const ok = await replayFixtures({ target: target(ref), admin: ADMIN, profile, match: 'exact', timeoutMs: 1000, seed: 3, fixtures });
      expect(ok.checks.map((c) => `${c.status} ${c.message ?? ''}`)).toEqual(['passed ']);
      expect(ok.restored?.ok).toBe(true);
    }
  }, 120_000);
});

describe('the frame fuzzer is never stricter than the spec', () => {
  async function fuzzClean(profile: Profile, variant?: ServerOptions['variant']): Promise<void> {
    const srv = await serve({ profile, ...(variant ? { variant } : {}) });
    const dir = tempDir();
    const result = await runFuzz({
      target: target(srv),
      admin: ADMIN,
      profile,
      match: 'exact',
      timeoutMs: 2000,
      seed: 4242,
      fuzzers: ['frames'],
      // Every batch model-checked: this is about the oracle, not tier 1 (frames-fast.test.ts).
      framesMode: 'checked',
      runs: 400,
      fixturesDir: dir,
    });
    expect(found(result)).toEqual([]);
    expect(result.summary).toEqual({ passed: 1, failed: 0, skipped: 0, flaky: 0, total: 1 });
    expect(result.fuzz[0]!.cases).toBe(400);
    expect(result.restored?.ok, result.restored?.differences.join('; ')).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  }

  for (const profile of ['spec', 'nexusd'] as const) {
    it(`the reference server (${profile}) gives zero failures`, () => fuzzClean(profile), 60_000);
  }
  for (const c of COMBINATIONS) {
    it(`variant server: ${c.name}`, () => fuzzClean(c.profile, c.variant), 60_000);
  }
});
