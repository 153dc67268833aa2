// A small RunResult with one check of each status, shared by the reporter tests.
import type { CheckResult, RunResult } from '../../src/report/types.ts';

export function check(over: Partial<CheckResult> & Pick<CheckResult, 'id' | 'section' | 'status'>): CheckResult {
  return {
    title: `title of ${over.id}`,
    rules: ['SES-HS-4'],
    errors: [],
    failures: [],
    durationMs: 12,
    roundTrips: 1,
    ...over,
  };
}

export const FAILED = check({
  id: 'session/handshake/compatible',
  section: 'session/handshake',
  title: 'A compatible client version is accepted',
  rules: ['SES-HS-2', 'SES-HS-4'],
  seed: 'users.md §Error Handling',
  status: 'failed',
  message: 'SES-HS-4: expected success, got an error',
  failures: [
    {
      rule: 'SES-HS-4',
      actor: 'conn',
      sent: 'Handshake {"type":"Handshake","version":"0.5.0"}',
      expected: [
        'HandshakeResponse {"type":"HandshakeResponse","success":true,"version":"0.5.0"}',
        'HandshakeResponse {"type":"HandshakeResponse","success":true,"version":"0.5.1"}',
      ],
      note: 'the minor version may differ',
      actual: 'HandshakeResponse {"type":"HandshakeResponse","success":false,"error":"nope"}',
    },
    {
      rule: 'WIRE-ID-2',
      sent: 'Handshake {"type":"Handshake","version":"0.5.0"}',
      expected: ['id 0123456789ab'],
      actual: 'id ffffffffffff',
    },
  ],
});

export const PASSED = check({
  id: 'session/login/first-user',
  section: 'session/login',
  title: 'The first login creates an admin',
  rules: ['SES-AUTH-2'],
  errors: [],
  status: 'passed',
});

export const SKIPPED = check({
  id: 'session/login/guest-disabled',
  section: 'session/login',
  title: 'Guest is disabled by default',
  rules: ['SES-GUEST-2'],
  errors: ['E-GUEST-DISABLED'],
  status: 'skipped',
  message: 'needs a fresh server',
});

export function runResult(checks: CheckResult[] = [FAILED, PASSED, SKIPPED]): RunResult {
  const count = (s: CheckResult['status']) => checks.filter((c) => c.status === s).length;
  return {
    target: { address: '127.0.0.1:7500', transport: 'tls', fingerprint: 'AB:'.repeat(31) + 'AB', embedded: false, fresh: false },
    profile: 'spec',
    match: 'exact',
    startedAt: '2025-01-02T03:04:05.000Z',
    durationMs: 1234,
    summary: { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), flaky: count('flaky'), total: checks.length },
    checks,
    stats: { roundTrips: 42, connections: 7, logins: 5 },
    coverage: {
      rules: { covered: 3, total: 5, missing: ['GEN-1', 'GEN-2'] },
      errors: { covered: 1, total: 2, missing: ['E-NOT-LOGGED-IN'] },
    },
    restored: { ok: true, differences: [] },
    seed: 987654321,
  };
}
