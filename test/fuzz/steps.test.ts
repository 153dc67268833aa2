// Steps as a check: a steps case runs through a run session against the reference server in
// lockstep (placeholders substituted, created accounts cleaned up), and the same steps against a
// server that breaks a rule fail with that rule.
import { describe, expect, it } from 'vitest';
import { parseFixture, FixtureError } from '../../src/fuzz/fixture.ts';
import { substitute, toCheck } from '../../src/fuzz/steps.ts';
import type { Actor } from '../../src/runner/api.ts';
import { RunSession } from '../../src/runner/session.ts';
import type { TrafficEvent } from '../../src/runner/lockstep.ts';
import { perTest } from '../support/per-test.ts';
import { TEST_ADMIN, targetOf } from '../support/options.ts';

const { serve } = perTest('nc-test-');

const SECTION = { id: 'fuzz/steps', title: 'steps', checks: [] };

describe('toCheck', () => {
  it('runs requests, raw frames, connects and placeholders in lockstep and leaves the target as found', async () => {
    const srv = await serve({ port: 0 });
    const traffic: TrafficEvent[] = [];
    const session = await RunSession.open({
      onTraffic: (e) => traffic.push(e),
      target: targetOf(srv),
      admin: TEST_ADMIN,
      profile: 'spec',
      match: 'exact',
      timeoutMs: 2000,
      seed: 7,
      connectionsNeeded: 4,
    });
    const r = await session.runCheck(
      SECTION,
      toCheck({
        id: 'case-1',
        title: 'a small case',
        rules: ['ADM-CREATE-1'],
        actors: { bob: { kind: 'user', permissions: ['user_info'] } },
        steps: [
          {
            op: 'request',
            actor: 'admin',
            type: 'UserCreate',
            body: { username: '{{name:x}}', password: 'pw-1234', is_admin: false, enabled: true, permissions: [] },
          },
          { op: 'request', actor: 'bob', type: 'UserInfo', body: { nickname: '{{bob.nickname}}' } },
          { op: 'connect', actor: 'door', state: 'shaken' },
          { op: 'raw', actor: 'door', text: 'NX|4|Nope|0000000000000000|2|{}\n' },
          { op: 'expectClosed', actor: 'door' },
        ],
      }),
    );
    expect(r.failures).toEqual([]);
    expect(r.status).toBe('passed');
    // Every frame is heard, passwords masked.
    const sent = traffic.filter((e) => e.dir === 'sent');
    expect(sent.some((e) => e.type === 'UserCreate' && !e.text.includes('pw-1234'))).toBe(true);
    expect(traffic.some((e) => e.dir === 'received' && e.type === 'UserInfoResponse')).toBe(true);
    expect(traffic.some((e) => e.actor === 'door' && e.dir === 'sent' && e.type === undefined && e.text.includes('Nope'))).toBe(true);
    expect(traffic.some((e) => e.actor === 'door' && e.dir === 'closed')).toBe(true);
    const restored = await session.finish();
    expect(restored).toEqual({ ok: true, differences: [] });
  });
});

describe('substitute', () => {
  it('replaces actor fields and fresh names, and refuses unknown actors', () => {
    const bob = { username: 'nc_bob', nickname: 'nc_bob', password: 'p' } as Actor;
    const names: string[] = [];
    const fresh = (b: string) => (names.push(b), `nc_${b}`);
    expect(substitute({ a: ['{{bob.username}}!', '{{name:z}}'] }, new Map([['bob', bob]]), fresh)).toEqual({ a: ['nc_bob!', 'nc_z'] });
    expect(() => substitute('{{eve.nickname}}', new Map(), fresh)).toThrow(/no actor "eve"/);
  });
});

describe('parseFixture', () => {
  it('names the first problem of a malformed fixture', () => {
    expect(() => parseFixture('{', 'a.json')).toThrow(FixtureError);
    expect(() => parseFixture('{"format":"nexus-conform-fixture","version":1}', 'b.json')).toThrow(/b\.json: not a valid fixture: fuzzer/);
  });
});
