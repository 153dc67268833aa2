import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderJunit, writeJunitReport, xmlSafe } from '../../src/report/junit.ts';
import { FAILED, PASSED, SKIPPED, check, runResult } from './fixtures.ts';

function testcases(xml: string): string[] {
  return [...xml.matchAll(/<testcase\b[^>]*?(?:\/>|>[\s\S]*?<\/testcase>)/g)].map((m) => m[0]);
}
function attr(el: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(el)?.[1];
}

describe('JUnit report', () => {
  const xml = renderJunit(runResult(), new Map([['session/login', 'Login']]));

  it('has one testcase per check, classname = section, name = "<id> — <title>"', () => {
    const cases = testcases(xml);
    expect(cases).toHaveLength(3);
    for (const c of [FAILED, PASSED, SKIPPED]) {
      const tc = cases.find((t) => attr(t, 'name') === `${c.id} — ${c.title}`);
      expect(tc, c.id).toBeDefined();
      expect(attr(tc!, 'classname')).toBe(c.section);
    }
    expect(xml).toMatch(/<testsuites[^>]*tests="3" failures="1" errors="0" skipped="1"/);
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
  });

  it('puts the first failure summary in the message and every failure in the body', () => {
    const tc = testcases(xml).find((t) => t.includes('<failure'))!;
    expect(attr(tc, 'message')).toBe(FAILED.message);
    expect(attr(tc, 'type')).toBe('SES-HS-4');
    for (const f of FAILED.failures) {
      expect(tc).toContain(`rule:     ${f.rule}`);
      expect(tc).toContain(`sent:     ${f.sent}`);
      expect(tc).toContain(`expected: ${f.expected[0]}`);
      for (const alt of f.expected.slice(1)) expect(tc).toContain(`or ${alt}`);
      if (f.note !== undefined) expect(tc).toContain(`(${f.note})`);
      expect(tc).toContain(`actual:   ${f.actual}`);
    }
  });

  it('derives the message from the first failure when the check has none', () => {
    const r = runResult([{ ...FAILED, message: undefined }]);
    const tc = testcases(renderJunit(r))[0]!;
    const message = attr(tc, 'message')!;
    expect(message).toContain('SES-HS-4: expected HandshakeResponse');
    expect(message).toContain('got HandshakeResponse');
  });

  it('marks skipped checks with the reason, and lists rule ids and error keys as properties', () => {
    const tc = testcases(xml).find((t) => t.includes(SKIPPED.id))!;
    expect(tc).toContain('<skipped/>');
    expect(tc).toContain('skipped: needs a fresh server');
    expect(tc).toContain('<property name="rules" value="SES-GUEST-2"/>');
    expect(tc).toContain('<property name="errors" value="E-GUEST-DISABLED"/>');
    expect(xml).toContain('<property name="seed" value="987654321"/>');
    expect(xml).toContain('<property name="seed-section" value="users.md §Error Handling"/>');
  });

  it('escapes characters XML cannot carry and markup in values', () => {
    const nasty = check({
      id: 's/nasty',
      section: 's',
      status: 'failed',
      failures: [{ rule: 'WIRE-BAD-1', sent: 'NX|\u0001\u0000<x>&', expected: ['close'], actual: ']]> "\uD800"' }],
    });
    const out = renderJunit(runResult([nasty]));
    expect(out).not.toMatch(/[\u0000-\u0008\uD800-\uDFFF]/);
    expect(out).toContain('\\u0001\\u0000');
    expect(out).toContain('\\ud800');
    expect(xmlSafe('a\u0007b\tc\nd')).toBe('a\\u0007b\tc\nd');
  });

  it('writes the file, creating its directory', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nc-junit-')), 'deep', 'junit.xml');
    writeJunitReport(file, runResult());
    expect(testcases(readFileSync(file, 'utf8'))).toHaveLength(3);
  });
});
