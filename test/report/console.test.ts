import { describe, expect, it } from 'vitest';
import {
  ConsoleReporter,
  clip,
  firstDifference,
  formatFailure,
  formatSummaryLine,
  renderConsole,
  shouldUseColor,
} from '../../src/report/console.ts';
import { FAILED, PASSED, SKIPPED, check, runResult } from './fixtures.ts';

const plain = { color: false };
const ANSI = /\x1b\[/;

describe('console report', () => {
  it('shows rule, sent, expected and actual of every failure', () => {
    const out = renderConsole(runResult(), plain);
    for (const f of FAILED.failures) {
      expect(out).toContain(`rule:     ${f.rule}`);
      expect(out).toContain(`sent:     ${f.sent}`);
      expect(out).toContain(`expected: ${f.expected[0]}`);
      for (const alt of f.expected.slice(1)) expect(out).toContain(`or ${alt}`);
      if (f.note !== undefined) expect(out).toContain(`(${f.note})`);
      expect(out).toContain(`actual:   ${f.actual}`);
    }
    expect(out).toContain('actor:    conn');
    expect(out).toContain('seed doc: users.md §Error Handling');
    expect(out).toContain('failure 2 of 2');
    // The one-line summary is not repeated above the details it summarises.
    expect(out).not.toContain(FAILED.message);
  });

  it('groups checks under their section with marks, ids, titles and rule ids', () => {
    const titles = new Map([['session/login', 'Login']]);
    const lines = renderConsole(runResult(), plain, titles).split('\n');
    const hs = lines.indexOf('session/handshake');
    const login = lines.indexOf('session/login — Login');
    expect(hs).toBeGreaterThanOrEqual(0);
    expect(login).toBeGreaterThan(hs);
    expect(lines).toContain(`    ✗ ${FAILED.id} — ${FAILED.title}  [SES-HS-2, SES-HS-4]`);
    expect(lines).toContain(`    ✓ ${PASSED.id} — ${PASSED.title}  [SES-AUTH-2]`);
    expect(lines).toContain(`    – ${SKIPPED.id} — ${SKIPPED.title}  [SES-GUEST-2]`);
    expect(lines).toContain('        skipped: needs a fresh server');
  });

  it('ends with the summary line alone on its line, coverage, the seed and the run time', () => {
    const out = renderConsole(runResult(), plain);
    const lines = out.split('\n');
    expect(lines).toContain('1 passed, 1 failed, 1 skipped');
    expect(formatSummaryLine({ passed: 10, failed: 0, skipped: 2, flaky: 0, total: 12 })).toBe('10 passed, 0 failed, 2 skipped');
    expect(out).toContain('rule ids:   3 of 5 (60%)');
    expect(out).toContain('error keys: 1 of 2 reachable in profile spec (50%)');
    expect(out).toContain('rule ids without a check: GEN-1, GEN-2');
    expect(out.split('\n')).toContain('coverage');
    const partial = renderConsole(runResult(), { color: false, selection: '--grep login' });
    expect(partial.split('\n')).toContain('coverage of the selected checks (--grep login)');
    expect(out).toContain('seed 987654321');
    expect(out).toContain(`fingerprint: ${'AB:'.repeat(31)}AB`);
    expect(out).toContain('42 round trips on 7 connections');
    expect(lines).toContain('time 1.2 s');
  });

  it('reports a target that was not restored, with the differences', () => {
    const r = runResult();
    r.restored = { ok: false, differences: ['account nc-x still exists'] };
    const out = renderConsole(r, plain);
    expect(out).toContain('the target differs from the pre-run snapshot');
    expect(out).toContain('    account nc-x still exists');
  });

  it('prints a failed check without failure details with its message', () => {
    const out = renderConsole(runResult([check({ id: 's/x', section: 's', status: 'failed', message: 'run threw: boom' })]), plain);
    expect(out).toContain('failed: run threw: boom');
  });

  it('is plain text without colour and coloured only when asked', () => {
    expect(renderConsole(runResult(), plain)).not.toMatch(ANSI);
    expect(renderConsole(runResult(), { color: true })).toMatch(ANSI);
    // The CI-read summary line stays uncoloured even with colours on.
    expect(renderConsole(runResult(), { color: true }).split('\n')).toContain('1 passed, 1 failed, 1 skipped');
  });

  it('uses colour only on a TTY without NO_COLOR', () => {
    expect(shouldUseColor({ isTTY: true }, {})).toBe(true);
    expect(shouldUseColor({ isTTY: false }, {})).toBe(false);
    expect(shouldUseColor({}, {})).toBe(false);
    expect(shouldUseColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldUseColor({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('lists only failing checks in quiet mode but keeps the summary', () => {
    const out = renderConsole(runResult(), { color: false, quiet: true });
    expect(out).toContain(FAILED.id);
    expect(out).not.toContain(PASSED.id);
    expect(out).not.toContain(SKIPPED.id);
    expect(out.split('\n')).toContain('1 passed, 1 failed, 1 skipped');
  });

  it('streams checks under section headers as they arrive', () => {
    const chunks: string[] = [];
    const rep = new ConsoleReporter((t) => chunks.push(t), plain);
    rep.check(PASSED);
    rep.check(SKIPPED);
    rep.check(FAILED);
    const text = chunks.join('');
    expect(text.match(/^session\/login$/gm)).toHaveLength(1);
    expect(text.indexOf('session/handshake')).toBeGreaterThan(text.indexOf(SKIPPED.id));
    rep.finish(runResult());
    expect(chunks.join('').split('\n')).toContain('1 passed, 1 failed, 1 skipped');
  });
});

describe('clipping huge frames', () => {
  const big = (fill: string, n: number) => fill.repeat(n);

  it('leaves short values untouched', () => {
    expect(clip('abc', 10)).toBe('abc');
    expect(clip('abc', 10, 1)).toBe('abc');
  });

  it('keeps the first difference visible deep inside a 700 kB value', () => {
    const expected = big('A', 500_000) + 'EXPECTED-TAIL' + big('B', 200_000);
    const actual = big('A', 500_000) + 'ACTUAL-TAIL' + big('B', 200_000);
    const d = firstDifference(expected, actual);
    expect(d).toBe(500_000);
    const e = clip(expected, 600, d);
    const a = clip(actual, 600, d);
    expect(e.length).toBeLessThan(800);
    expect(a.length).toBeLessThan(800);
    expect(e).toContain('EXPECTED-TAIL');
    expect(a).toContain('ACTUAL-TAIL');
    expect(e).toMatch(/…\[\d+ chars\]…/);
  });

  it('keeps a difference near the start and shows the end of the value', () => {
    const s = 'xyz' + big('-', 10_000) + 'END';
    const c = clip(s, 200, 1);
    expect(c.startsWith('xyz')).toBe(true);
    expect(c.endsWith('END')).toBe(true);
    expect(c.length).toBeLessThan(260);
  });

  it('shows a length difference at the end of the shorter value', () => {
    const expected = big('q', 5000);
    const actual = big('q', 5000) + 'EXTRA';
    const d = firstDifference(expected, actual);
    expect(clip(actual, 300, d)).toContain('EXTRA');
  });

  it('never splits a surrogate pair', () => {
    const s = '😀'.repeat(5000);
    const c = clip(s, 301, 4001);
    expect(c).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it('clips the rendered failure but keeps the labels and the difference', () => {
    const f = {
      rule: 'ADM-SINFO-7',
      sent: 'ServerInfoUpdate ' + big('i', 100_000),
      expected: ['ServerInfoUpdateResponse ' + big('x', 50_000) + 'success:true'],
      actual: 'ServerInfoUpdateResponse ' + big('x', 50_000) + 'success:false',
    };
    const out = formatFailure(f, { color: false });
    expect(out.length).toBeLessThan(3000);
    expect(out).toContain('success:true');
    expect(out).toContain('success:false');
    expect(out).toContain('rule:     ADM-SINFO-7');
  });
});
