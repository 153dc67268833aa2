// The JUnit report validates against the Jenkins/Ant JUnit schema (test/fixtures/junit-jenkins.xsd,
// checked with xmllint from libxml2-utils, which .ci/run installs): every status, flaky checks,
// expected failures, transcripts in system-out, root causes and file/line — and a real run's file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/report/junit.ts';
import { runCli } from '../cli/spawn.ts';
import { check, FAILED, PASSED, runResult, SKIPPED } from './fixtures.ts';

const XSD = fileURLToPath(new URL('../fixtures/junit-jenkins.xsd', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nexus-conform-junit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** xmllint's verdict: '' when the file validates, else its complaints. */
function validate(file: string): string {
  try {
    execFileSync('xmllint', ['--noout', '--schema', XSD, file], { stdio: 'pipe' });
    return '';
  } catch (err) {
    const e = err as { code?: string; stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('xmllint is missing: apt-get install libxml2-utils (as .ci/run does)', { cause: err });
    return e.stderr?.toString() ?? String(err);
  }
}

const transcript = {
  entries: [
    { at: 1_700_000_000_000, conn: 'h2', actor: 'viewer', dir: 'sent' as const, text: 'NX|8|UserList|abcdefabcdef|19|{"type":"UserList"}' },
    { at: 1_700_000_000_005, conn: 'h2', actor: 'viewer', dir: 'received' as const, text: 'bytes \u0001\u0002 <&> "quoted"' },
  ],
  omitted: 3,
};

describe('JUnit against the Jenkins/Ant schema', () => {
  it('validates with every status, flaky, expected failures, transcripts and file/line', () => {
    const flaky = check({
      id: 'session/login/flaky',
      section: 'session/login',
      status: 'flaky',
      failures: FAILED.failures,
      message: 'failed, then passed',
      attempts: { runs: 2, failed: 1 },
      transcript,
      file: 'scenarios/session/login.ts',
      line: 12,
    });
    const expected = check({
      id: 'session/login/known',
      section: 'session/login',
      status: 'failed',
      failures: FAILED.failures,
      expectedFailure: { reason: 'not yet <implemented>', held: true },
    });
    const nowPasses = check({
      id: 'session/login/fixed',
      section: 'session/login',
      status: 'passed',
      expectedFailure: { reason: 'was broken', held: false },
    });
    const xml = renderJunit(
      runResult([{ ...FAILED, transcript }, PASSED, SKIPPED, flaky, expected, nowPasses]),
      new Map([['session/login', 'Login']]),
    );
    const file = join(dir, 'fixture.xml');
    writeFileSync(file, xml);
    expect(validate(file)).toBe('');
    expect(xml).toMatch(/<testsuite name="session\/login"[^>]* time="[\d.]+" tests="5" failures="2" errors="0" skipped="2"/);
    expect(xml).toContain('file="scenarios/session/login.ts"');
    expect(xml).toContain('<property name="line" value="12"/>');
    expect(xml).toContain('type="flaky"');
    expect(xml).toContain('<property name="root-cause-1"');
    expect(xml).toMatch(/<system-out><!\[CDATA\[transcript \(passwords masked\):/);
  });

  it('rejects what Jenkins would not read (the schema is not a rubber stamp)', () => {
    const file = join(dir, 'bad.xml');
    writeFileSync(file, '<testsuites><testsuite name="s" tests="one"><testcase classname="s"/></testsuite></testsuites>');
    const complaints = validate(file);
    expect(complaints).toContain("attribute 'tests'");
    expect(complaints).toContain("attribute 'name' is required");
  });

  it("validates a real run's report", async () => {
    const file = join(dir, 'run.xml');
    const run = await runCli(['--grep', '/^session\\/(handshake|first-user)/', '--quiet', '--junit', file]);
    expect(run.code).toBe(0);
    expect(validate(file)).toBe('');
    expect(readFileSync(file, 'utf8')).toMatch(/<testcase [^>]*file="scenarios\/session\/handshake.ts"/);
  });
});
