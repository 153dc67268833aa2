// A server that is half built (Handshake and Login, perhaps UserList and UserInfo, nothing else):
// the run is still useful. Every check runs or is skipped with a reason, what the target does not
// answer is named once before the checks, the failures are about the target (never the harness),
// and the cleanup says what it could not restore or verify.
import { afterEach, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/report/types.ts';
import { loadSections } from '../../src/runner/load.ts';
import { runSuite } from '../../src/runner/run.ts';
import type { HostileServer } from '../support/hostile.ts';
import { halfBuiltServer, type HalfBuiltOptions } from '../support/halfbuilt.ts';
import { runOptions, targetOf } from '../support/options.ts';

const ADMIN = { username: 'conform', password: 'conform-secret-pw' };
const INTERNAL = /attachSession|mirror|RawExchangeError|TargetUnavailable|Lockstep|TypeError|internal error/;
let server: HostileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function runAgainst(opts: HalfBuiltOptions, grep: string, jobs = 1): Promise<{ result: RunResult; notices: string[] }> {
  server = await halfBuiltServer(opts);
  const notices: string[] = [];
  const result = await runSuite(
    runOptions(server, {
      admin: ADMIN,
      seed: 11,
      timeoutMs: 300,
      grep,
      sections: await loadSections(),
      onNotice: (l) => notices.push(l),
      jobs,
      target: targetOf(server, { embedded: false }),
    }),
  );
  return { result, notices };
}

function expectUseful(r: RunResult): void {
  for (const c of r.checks) {
    expect(['passed', 'failed', 'skipped']).toContain(c.status);
    if (c.status === 'skipped') expect(c.message ?? '').not.toBe('');
    if (c.status === 'failed') expect(c.failures.length).toBeGreaterThan(0);
    for (const f of c.failures) {
      expect(f.rule).toMatch(/^[A-Z]+(-[A-Z0-9]+)+$/);
      expect(`${f.sent} ${f.expected} ${f.actual}`).not.toMatch(INTERNAL);
    }
  }
  expect(JSON.stringify(r)).not.toContain(ADMIN.password);
}

describe('a half-built target', () => {
  it('Handshake and Login only (Error for the rest): UserList and UserInfo named once, handshake checks run, cleanup says what it could not do', async () => {
    const { result: r, notices } = await runAgainst({}, '/^session\\/(handshake|sequencing)/');
    expectUseful(r);
    expect(notices.filter((l) => l.includes('does not answer UserList'))).toHaveLength(1);
    expect(notices.filter((l) => l.includes('does not answer UserInfo'))).toHaveLength(1);
    expect(notices.every((l) => /^the target does not answer \w+ \(answered Error "Unknown message type: \w+"\): /.test(l))).toBe(true);
    const pre = r.checks.find((c) => c.id === 'preflight/read-accounts');
    expect(pre?.status).toBe('failed');
    expect(pre?.failures[0]?.rule).toBe('USR-LIST-4');
    // Checks ran against the target (not skipped wholesale) and failed where the notice says:
    // UserInfo is the round trip that ends every check.
    const failed = r.checks.filter((c) => c.section !== 'preflight' && c.status === 'failed');
    expect(failed.length).toBeGreaterThan(5);
    const compatible = failed.filter((c) => c.id.startsWith('session/handshake/compatible/'));
    expect(compatible.length).toBeGreaterThan(2);
    expect(
      compatible.every((c) =>
        c.failures.some((f) => f.sent.includes('"type":"UserInfo"') && f.actual.includes('Unknown message type: UserInfo')),
      ),
    ).toBe(true);
    expect(
      r.checks
        .filter((c) => c.section !== 'preflight')
        .every((c) => c.status !== 'skipped' || /slow|fresh|profile|TLS/.test(c.message ?? '')),
    ).toBe(true);
    expect(r.restored?.ok).toBe(false);
    const cleanup = r.restored!.differences.join('\n');
    expect(cleanup).toMatch(/could not restore: list accounts .*does not answer UserList/);
    expect(cleanup).toMatch(/not verified: the target does not answer UserList/);
    expect(cleanup).not.toMatch(INTERNAL);
  });

  it('the same, silent on what it does not know: every wait ends at the timeout and the run still ends', async () => {
    const { result: r, notices } = await runAgainst({ unknown: 'silent' }, 'session/handshake/server-version');
    expectUseful(r);
    expect(notices.filter((l) => l.includes('does not answer UserList'))).toEqual([
      'the target does not answer UserList (no answer within 300 ms): checks that need it fail',
    ]);
    expect(r.checks.find((c) => c.id === 'session/handshake/server-version')?.status).toBe('failed');
  });

  it('with UserList and UserInfo too: the handshake section passes; only ConnectionMonitor is named', async () => {
    const { result: r, notices } = await runAgainst({ implements: ['UserList', 'UserInfo'] }, '/^session\\/(handshake|sequencing)/');
    expectUseful(r);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^the target does not answer ConnectionMonitor /);
    const compatible = r.checks.filter((c) => c.id.startsWith('session/handshake/compatible/'));
    expect(compatible.length).toBeGreaterThan(2);
    expect(compatible.every((c) => c.status === 'passed')).toBe(true);
    expect(r.checks.find((c) => c.id === 'preflight/read-addresses')?.failures[0]?.rule).toBe('CM-3');
    expect(r.restored!.differences).toEqual([expect.stringMatching(/^not verified: the target does not answer ConnectionMonitor/)]);
  });

  it('asked for lanes (--jobs 4) that it cannot give (no UserCreate for their admins): the same verdicts on one lane', async () => {
    const grep = '/^session\\/(handshake|sequencing)/';
    const one = (await runAgainst({ implements: ['UserList', 'UserInfo'] }, grep)).result;
    await server?.close();
    const { result: four, notices } = await runAgainst({ implements: ['UserList', 'UserInfo'] }, grep, 4);
    expectUseful(four);
    expect(notices).toHaveLength(1);
    expect(four.checks.map((c) => [c.id, c.status])).toEqual(one.checks.map((c) => [c.id, c.status]));
    expect(four.stats.connections).toBe(one.stats.connections);
  });
});
