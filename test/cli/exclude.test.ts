// --exclude: skips checks per target (e.g. `--exclude UND-13`: the WIRE-TMO-1 idle checks on pre-seed
// builds without a pre-login idle timeout, WIRE-TMO-4). Same syntax as --grep, repeatable, matched on
// the id, the title and the rule ids; excluded checks are reported as skipped with their reason.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneLine, runCli } from './spawn.ts';

const STACK = /\n\s+at /;
const REASON = 'excluded by --exclude';

interface ReportCheck {
  id: string;
  status: string;
  message?: string;
  roundTrips: number;
}

function listed(stdout: string): string[] {
  return [...stdout.matchAll(/^ {2}(\S+) — /gm)].map((m) => m[1]!);
}

describe('--exclude with --list', () => {
  it('drops the checks citing a rule id, and says how many it dropped', async () => {
    const r = await runCli(['--list', '--grep', 'wire/timeouts/', '--exclude', 'UND-13'], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(listed(r.stdout)).toEqual(['wire/timeouts/incomplete-frame']);
    expect(r.stdout).toMatch(/^1 checks in 1 sections \(2 excluded by --exclude\)$/m);
  });

  it('is repeatable; each pattern is a substring or a /regex/ on the id or the title', async () => {
    const all = listed((await runCli(['--list', '--grep', 'session/handshake/'], { timeoutMs: 30_000 })).stdout);
    expect(all).toContain('session/handshake/server-version');
    expect(all).toContain('session/handshake/empty');
    expect(all.filter((id) => id.startsWith('session/handshake/invalid-semver/')).length).toBeGreaterThan(1);
    const r = await runCli(
      [
        '--list',
        '--grep',
        'session/handshake/',
        '--exclude',
        '/^session\\/handshake\\/invalid-semver\\//',
        '--exclude',
        'An empty version is rejected',
      ],
      { timeoutMs: 30_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const kept = listed(r.stdout);
    expect(kept).toEqual(all.filter((id) => !id.startsWith('session/handshake/invalid-semver/') && id !== 'session/handshake/empty'));
    expect(r.stdout).toMatch(
      new RegExp(`^${kept.length} checks in 1 sections \\(${all.length - kept.length} excluded by --exclude\\)$`, 'm'),
    );
  });

  it('keeps a comma inside one pattern (a regex may need it)', async () => {
    const r = await runCli(['--list', '--grep', 'wire/timeouts/', '--exclude', '/^wire\\/timeouts\\/idle-(a|b){1,2}/'], {
      timeoutMs: 30_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(listed(r.stdout)).toEqual(['wire/timeouts/incomplete-frame']);
  });

  it('rejects an invalid /regex/ and an exclusion of everything with one line, exit 2', async () => {
    const bad = await runCli(['--list', '--exclude', '/([/'], { timeoutMs: 30_000 });
    expect(bad.code).toBe(2);
    expect(expectOneLine(bad.stderr)).toMatch(/--exclude.*not a valid \/regular expression\//);
    const all = await runCli(['--list', '--grep', 'wire/timeouts/', '--exclude', 'wire/'], { timeoutMs: 30_000 });
    expect(all.code).toBe(2);
    expect(expectOneLine(all.stderr)).toMatch(/^nexus-conform: --exclude leaves no check to run \(3 selected, all excluded\)$/);
  });
});

describe('--exclude in a run (embedded reference server)', () => {
  it('reports excluded checks as skipped with the reason, runs nothing for them, and runs the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-exclude-'));
    const json = join(dir, 'report.json');
    const r = await runCli(
      [
        '--grep',
        'session/handshake/',
        '--exclude',
        'server-version',
        '--exclude',
        '/^session\\/handshake\\/empty$/',
        '--seed',
        '99',
        '--json',
        json,
      ],
      {
        timeoutMs: 90_000,
      },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr + r.stdout).not.toMatch(STACK);
    expect(r.stdout).toMatch(/^ {4}– session\/handshake\/server-version — /m);
    expect(r.stdout).toContain(`skipped: ${REASON}`);
    expect(r.stdout).toMatch(
      /^coverage of the selected checks \(--grep session\/handshake\/ --exclude server-version --exclude \/\^session\\\/handshake\\\/empty\$\/\)$/m,
    );

    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      checks: ReportCheck[];
      summary: { passed: number; failed: number; skipped: number };
    };
    const byId = new Map(report.checks.map((c) => [c.id, c]));
    for (const id of ['session/handshake/server-version', 'session/handshake/empty']) {
      expect(byId.get(id), id).toMatchObject({ status: 'skipped', message: REASON, roundTrips: 0 });
    }
    const others = report.checks.filter((c) => c.id !== 'session/handshake/server-version' && c.id !== 'session/handshake/empty');
    expect(others.length).toBeGreaterThan(5);
    expect(others.every((c) => c.status === 'passed')).toBe(true);
    expect(report.summary).toMatchObject({ failed: 0, skipped: 2, passed: others.length });
    // Coverage counts only what ran: E-VERSION-EMPTY is provoked by the excluded check alone.
    const coverage = (report as unknown as { coverage: { errors: { missing: string[] } } }).coverage;
    expect(coverage.errors.missing).toContain('E-VERSION-EMPTY');
    expect(coverage.errors.missing).not.toContain('E-VERSION-MAJOR-MISMATCH');
  }, 100_000);

  it('the exclusion wins over other skip reasons (a slow check without --slow)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-exclude-'));
    const json = join(dir, 'report.json');
    const r = await runCli(['--grep', 'wire/timeouts/', '--exclude', 'UND-13', '--json', json], { timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { checks: ReportCheck[] };
    expect(report.checks.map((c) => [c.id, c.status, c.message])).toEqual([
      ['wire/timeouts/idle-after-handshake', 'skipped', REASON],
      ['wire/timeouts/idle-before-handshake', 'skipped', REASON],
      ['wire/timeouts/incomplete-frame', 'skipped', 'slow check (run with --slow)'],
    ]);
  }, 70_000);
});
