// `fuzz` and `replay` as users run them: the seed at the start and the end, the same seed giving the
// same run, reports with the `fuzz` entries, exit codes (0 clean, 1 found, 2 unusable input or
// target, 130 interrupted), a malformed fixture as one line, and a find's replay command.
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { faultHooks } from '../../src/server/faults/index.ts';
import { expectOneLine, ROOT, runCli, start } from './spawn.ts';
import { perTest } from '../support/per-test.ts';

const STACK = /\n\s+at /;
const ADMIN = 'cli-fuzz-admin:cli-fuzz-admin-pw';
const { serve } = perTest('nc-test-');

const tmp = (): string => mkdtempSync(join(tmpdir(), 'nc-cli-fuzz-'));
/** The checked-in regression fixture of a server that crashes on an empty UserList payload. */
const CRASH_FIXTURE = join(ROOT, 'fixtures', 'frames', 'crash-on-empty-userlist-payload.json');

describe('nexus-conform fuzz', () => {
  it('fuzzes the embedded server clean: seed at start and end, reports with the fuzz entries, exit 0', async () => {
    const dir = tmp();
    const json = join(dir, 'report.json');
    const junit = join(dir, 'junit.xml');
    const found = join(dir, 'found');
    const r = await runCli(['fuzz', 'frames', '--runs', '60', '--seed', '4242', '--json', json, '--junit', junit, '--fixtures', found], {
      timeoutMs: 60_000,
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('seed:        4242');
    expect(r.stdout).toMatch(/^seed 4242$/m);
    expect(r.stdout).toMatch(/^frames: 60 cases, \d+ cases\/s, 0 failures/m);
    expect(r.stdout).toMatch(/^1 passed, 0 failed, 0 skipped$/m);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.summary).toEqual({ passed: 1, failed: 0, skipped: 0, flaky: 0, total: 1 });
    expect(report.seed).toBe(4242);
    expect(report.fuzz).toEqual([
      { fuzzer: 'frames', cases: 60, durationMs: expect.any(Number), casesPerSecond: expect.any(Number), failures: [] },
    ]);
    expect(report.restored.ok).toBe(true);
    expect(readFileSync(junit, 'utf8')).toContain('<testcase ');
    expect(() => readdirSync(found)).toThrow();
  }, 70_000);

  it('the same seed against the same server gives the same run', async () => {
    const args = ['fuzz', 'frames', '--runs', '40', '--seed', '99', '--quiet'];
    const traffic = (s: string) => /^traffic (\d+) round trips on (\d+) connections$/m.exec(s)?.[0];
    const [a, b] = await Promise.all([runCli(args, { timeoutMs: 60_000 }), runCli(args, { timeoutMs: 60_000 })]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(a.stdout).toMatch(/^seed 99$/m);
    expect(traffic(a.stdout)).toBeDefined();
    expect(traffic(a.stdout)).toBe(traffic(b.stdout));
  }, 70_000);

  it('finds a crash in a broken target: exit 1, the fixture written and its replay command printed', async () => {
    const srv = await serve({ faults: faultHooks(['crash-on-empty-user-list']) });
    const found = join(tmp(), 'found');
    const target = `127.0.0.1:${srv.port}`;
    const r = await runCli(
      ['fuzz', 'frames', target, '--admin', ADMIN, '--runs', '1500', '--seed', '1', '--timeout', '1000', '--fixtures', found],
      { timeoutMs: 90_000 },
    );
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^frames: found crash: /m);
    const replay = /^ {4}replay: {2}(nexus-conform replay (\S+) 127\.0\.0\.1:\d+)$/m.exec(r.stdout);
    expect(replay, r.stdout).not.toBeNull();
    expect(readdirSync(found)).toContain(replay![2]!.split('/').pop());
    // A real target that crashed cannot be restored: the comparison says so instead of hiding it.
    expect(r.stdout).toMatch(/cleanup: the target differs|cannot verify the cleanup/);
    expect(r.stderr).not.toMatch(STACK);
  }, 100_000);

  it('gates on new finds only: --update-baseline records a find, --expect-failures lets exactly it pass', async () => {
    const dir = tmp();
    const known = join(dir, 'known.json');
    // A fault only the frame fuzzer finds (the catalogue's, at its own seed and budget); each run
    // crashes its server, so each gets a fresh one.
    const fuzzOn = async (fault: string | null, ...extra: string[]) => {
      const srv = await serve({ faults: fault === null ? [] : faultHooks([fault]) });
      const args = ['fuzz', 'frames', `127.0.0.1:${srv.port}`, '--admin', ADMIN, '--runs', '150', '--seed', '5', '--timeout', '1000'];
      return runCli([...args, '--fixtures', join(dir, 'found'), ...extra], { timeoutMs: 60_000 });
    };
    const first = await fuzzOn('crash-on-empty-member-name', '--update-baseline', known);
    expect(first.code, first.stdout + first.stderr).toBe(1);
    const listed = JSON.parse(readFileSync(known, 'utf8')) as { expectedFailures: Array<{ check: string; reason: string }> };
    expect(listed.expectedFailures.map((e) => e.check)).toEqual([expect.stringMatching(/^fuzz\/frames\/crash\/[A-Z]+-[A-Z0-9-]+$/)]);
    const id = listed.expectedFailures[0]!.check;

    // The same find again: expected, exit 0; its id is the one listed.
    const again = await fuzzOn('crash-on-empty-member-name', '--expect-failures', known);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain(`✗ ${id} — `);
    expect(again.stdout).toMatch(/^ +expected failure: baseline: crash/m);
    expect(again.stdout).toMatch(/^expected failures \(.*known\.json\): 1 failed as expected$/m);

    // A find the list does not name fails the gate.
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ expectedFailures: [{ check: 'fuzz/frames/hang/WIRE-ID-2', reason: 'a known hang' }] }));
    const unlisted = await fuzzOn('crash-on-empty-member-name', '--expect-failures', other);
    expect(unlisted.code, unlisted.stdout + unlisted.stderr).toBe(1);
    // Not finding a listed bug proves nothing: said, and the gate still passes.
    const clean = await fuzzOn(null, '--expect-failures', known);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect(clean.stdout).toContain(`listed but not found by this run (a fuzzer that misses a bug does not prove it fixed): ${id}`);
  }, 120_000);

  it('rejects an unknown fuzzer and a bad budget with one line, exit 2', async () => {
    const bad = await runCli(['fuzz', 'bogus'], { timeoutMs: 20_000 });
    expect(bad.code).toBe(2);
    expect(expectOneLine(bad.stderr)).toMatch(/unknown fuzzer "bogus"/);
    const time = await runCli(['fuzz', 'frames', '--time', '0'], { timeoutMs: 20_000 });
    expect(time.code).toBe(2);
    expect(expectOneLine(time.stderr)).toMatch(/--time/);
  }, 30_000);

  it('SIGINT stops, cleans up and exits 130', async () => {
    const run = start(['fuzz', 'frames', '--time', '60', '--seed', '5'], { timeoutMs: 60_000 });
    await run.waitFor(/^seed: +5 /m);
    await run.waitFor(/^frames: \d+ cases/m);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.timedOut).toBe(false);
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(r.stderr).toMatch(/SIGINT: stopping and restoring the target/);
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  }, 70_000);
});

describe('nexus-conform replay', () => {
  it('replays the checked-in fixtures against the embedded server in both profiles: exit 0', async () => {
    for (const profile of ['spec', 'nexusd']) {
      const r = await runCli(['replay', 'fixtures', '--profile', profile, '--seed', '3'], { timeoutMs: 60_000 });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^ {4}✓ replay\/frames\/crash-on-empty-userlist-payload\.json — /m);
      expect(r.stdout).toMatch(/^(\d+) passed, 0 failed, 0 skipped$/m);
    }
  }, 70_000);

  it('replays a fixture to its failure against the broken server: exit 1 with the rule', async () => {
    const faults = [
      {
        onFrame: (f: { type: string; payload: Uint8Array }) =>
          f.type === 'UserList' && f.payload.length === 0 ? ('crash' as const) : undefined,
      },
    ];
    const srv = await serve({ faults });
    const r = await runCli(['replay', CRASH_FIXTURE, `127.0.0.1:${srv.port}`, '--admin', ADMIN, '--timeout', '1000'], {
      timeoutMs: 60_000,
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^ {4}✗ replay\/crash-on-empty-userlist-payload\.json — /m);
    expect(r.stdout).toMatch(/^0 passed, 1 failed, 0 skipped$/m);
  }, 70_000);

  it('a malformed fixture, a missing one and an empty folder are one line each, exit 2', async () => {
    const dir = tmp();
    const broken = join(dir, 'broken.json');
    const fixture = JSON.parse(readFileSync(CRASH_FIXTURE, 'utf8'));
    writeFileSync(broken, JSON.stringify({ ...fixture, steps: [{ op: 'teleport', actor: 'c1' }] }));
    const r = await runCli(['replay', broken], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(expectOneLine(r.stderr)).toMatch(/broken\.json: not a valid fixture: steps\.0/);
    writeFileSync(join(dir, 'not-json.json'), '{');
    const notJson = await runCli(['replay', join(dir, 'not-json.json')], { timeoutMs: 20_000 });
    expect(notJson.code).toBe(2);
    expect(expectOneLine(notJson.stderr)).toMatch(/not-json\.json: not a valid fixture: not JSON/);
    const missing = await runCli(['replay', join(dir, 'nope.json')], { timeoutMs: 20_000 });
    expect(missing.code).toBe(2);
    expect(expectOneLine(missing.stderr)).toMatch(/no such file or folder/);
    const empty = mkdtempSync(join(dir, 'empty-'));
    const none = await runCli(['replay', empty], { timeoutMs: 20_000 });
    expect(none.code).toBe(2);
    expect(expectOneLine(none.stderr)).toMatch(/holds no \*\.json fixture/);
    for (const x of [r, notJson, missing, none]) expect(x.stderr).not.toMatch(STACK);
  }, 60_000);

  it('a fixture folder is replayed recursively, one verdict per fixture', async () => {
    const dir = tmp();
    // The checked-in fixtures (a developer's own fuzz finds under fixtures/found/ left out).
    cpSync(join(ROOT, 'fixtures'), join(dir, 'fx'), { recursive: true, filter: (src) => !src.includes(join('fixtures', 'found')) });
    const r = await runCli(['replay', join(dir, 'fx'), '--quiet'], { timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const n = (readdirSync(join(dir, 'fx'), { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).length;
    expect(n).toBeGreaterThanOrEqual(4);
    expect(r.stdout).toMatch(new RegExp(`^${n} passed, 0 failed, 0 skipped$`, 'm'));
  }, 70_000);
});
