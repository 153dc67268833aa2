// Runs against the embedded reference server: exit codes, reports, listing and interruption.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneLine, runCli, start } from './spawn.ts';

const STACK = /\n\s+at /;
const SUMMARY = /^(\d+) passed, (\d+) failed, (\d+) skipped$/m;

describe('--list', () => {
  it('prints every check with its id, title, rule ids and error keys', async () => {
    const r = await runCli(['--list'], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}session\/handshake\/server-version — .+$/m);
    expect(r.stdout).toMatch(/^ {6}rules: {2}SES-HS-4, /m);
    expect(r.stdout).toMatch(/^ {6}errors: E-VERSION-[A-Z-]+/m);
    expect(r.stdout).toMatch(/^\d+ checks in \d+ sections$/m);
  });

  it('honours --grep, and a pattern matching nothing is exit 2', async () => {
    const r = await runCli(['--list', '--grep', '/^session\\/handshake\\/server-version$/'], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^1 checks in 1 sections$/m);
    const none = await runCli(['--list', '--grep', 'no-such-check-zzz'], { timeoutMs: 30_000 });
    expect(none.code).toBe(2);
    expect(expectOneLine(none.stderr)).toMatch(/no check matches --grep/);
  });
});

describe('embedded reference server', () => {
  it('passes a selection and writes the JUnit and JSON reports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-run-'));
    const junit = join(dir, 'out', 'junit.xml');
    const json = join(dir, 'out', 'report.json');
    const r = await runCli(['--grep', 'session/handshake/', '--seed', '4242', '--junit', junit, '--json', json], { timeoutMs: 90_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('(embedded reference server)');
    expect(r.stdout).toContain('seed:        4242');
    expect(r.stdout).toMatch(/^coverage of the selected checks \(--grep session\/handshake\/\)$/m);
    expect(r.stdout).toMatch(/^time \d/m);
    const [, passed, failed, skipped] = SUMMARY.exec(r.stdout)!.map(Number);
    expect(failed).toBe(0);
    expect(passed).toBeGreaterThan(0);
    expect(r.stdout).not.toMatch(/\x1b\[/);

    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.summary).toEqual({ passed, failed, skipped, flaky: 0, total: passed! + failed! + skipped! });
    expect(report.seed).toBe(4242);
    expect(report.target.embedded).toBe(true);
    expect(report.target.transport).toBe('plain');
    expect(report.coverage.rules.total).toBeGreaterThan(100);
    expect(report.checks.every((c: { id: string }) => c.id.startsWith('session/handshake/'))).toBe(true);

    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(report.summary.total);
    expect(xml).toContain('classname="session/handshake"');
  }, 100_000);

  it('goes on quietly when its reader stops reading (| head): the run finishes and writes its reports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-run-'));
    const json = join(dir, 'report.json');
    const run = start(['--grep', 'session/', '--json', json], { timeoutMs: 90_000 });
    await run.waitFor(/^target: /m);
    // Every later line (check results, the summary) is written into a closed pipe.
    run.child.stdout!.destroy();
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/internal error|EPIPE/);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.summary.failed).toBe(0);
    expect(report.summary.passed).toBeGreaterThan(20);
  }, 100_000);

  it('over TLS pinned to a certificate the server does not have exits 2 with one clear line', async () => {
    const r = await runCli(['--tls', '--fingerprint', Array(32).fill('AA').join(':')], { timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(STACK);
    expect(expectOneLine(r.stderr)).toMatch(/fingerprint/i);
  }, 70_000);

  it('SIGINT during a run cleans up and exits 130 without a stack trace', async () => {
    const run = start(['--seed', '7'], { timeoutMs: 90_000 });
    await run.waitFor(/^ {4}[✓✗–] /m);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.timedOut).toBe(false);
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(r.stderr).toMatch(/SIGINT: stopping and restoring the target/);
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  }, 100_000);
});
