// runSuite end to end against the reference server: verdicts, failures that cite the check's rules,
// cleanup that leaves a non-empty target exactly as it was (also after failures and an interrupt),
// strangers that do not disturb the run, and targets that cannot be tested at all.
import { describe, expect, it } from 'vitest';
import { createState } from '../../src/model/create.ts';
import { passwordDigest } from '../../src/model/password.ts';
import type { State } from '../../src/model/state.ts';
import type { MatchMode, Profile } from '../../src/protocol/types.ts';
import type { CheckResult } from '../../src/report/types.ts';
import { admin, check, connection, guest, section, sessionOf, shared, user } from '../../src/runner/api.ts';
import type { Section } from '../../src/runner/api.ts';
import { makeFilter, runSuite, TargetUnavailableError } from '../../src/runner/run.ts';
import type { RunOptions } from '../../src/runner/run.ts';
import { startServer, type ReferenceServer } from '../../src/server/server.ts';
import { account } from '../support/accounts.ts';
import { type RawClient } from '../../src/net/raw-client.ts';
import { loginStranger } from '../support/stranger.ts';
import { seededIds } from '../../src/protocol/ids.ts';
import { perTest } from '../support/per-test.ts';
import { durable } from '../support/durable.ts';
import { runOptions, targetOf, TEST_ADMIN as ADMIN } from '../support/options.ts';

/** Message ids of the test's raw clients (seeded, like the harness's). */
const ids = seededIds(7);

const NOW = Math.floor(Date.now() / 1000);

const { own } = perTest();

/** A target that is not empty: accounts of all kinds, custom server info, a low per-IP limit. */
function populated(profile: Profile): State {
  const s = createState({ profile }, { now: NOW - 9000, idSeed: 3 });
  const accounts = [
    account('root', { isAdmin: true, passwordDigest: passwordDigest(ADMIN.password) }),
    account('boss', { isAdmin: true }),
    account('alice', { permissions: ['user_list', 'user_info', 'chat_send'] }),
    account('shop', { isShared: true, permissions: ['user_list', 'chat_send'] }),
  ];
  for (const a of accounts) s.accounts[a.username] = a;
  s.serverInfo = {
    ...s.serverInfo,
    name: 'Custom BBS',
    description: 'kept as it is',
    image: 'data:image/png;base64,AAAA',
    max_connections_per_ip: 4,
    max_transfers_per_ip: 2,
  };
  return s;
}

async function serve(state: State, tls = false): Promise<ReferenceServer> {
  const srv = await startServer({ port: 0, tls, initialState: state });
  own(srv);
  return srv;
}

/** A stranger already logged in when the run starts (must survive it untouched). */
const stranger = (srv: ReferenceServer): Promise<RawClient> => loginStranger(srv, ids, own);

/** This file's runs match by key unless they say otherwise. */
const options = (srv: ReferenceServer, sections: Section[], over: Partial<RunOptions> = {}): RunOptions =>
  runOptions(srv, { match: 'key', sections, ...over });

const byId = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r]));

// --- sections used below --------------------------------------------------------------------------------

const passing = section({ id: 'demo/pass', title: 'Checks the reference server passes' }, [
  check({
    id: 'list',
    title: 'A user holding user_list sees the online users',
    rules: ['USR-LIST-3'],
    actors: { viewer: user({ permissions: ['user_list'] }), other: user() },
    run: async ({ viewer, other }, t) => {
      const r = await viewer.request('UserList', { all: false }).expectSuccess();
      const names = (r.body.users as Array<{ nickname: string }>).map((u) => u.nickname);
      t.assert(names.includes(other.nickname) && names.includes('alice'), 'USR-LIST-3', 'the list shows both sessions');
    },
  }),
  check({
    id: 'kick-admin',
    title: 'A non-admin holding user_kick cannot kick an admin',
    rules: ['ADM-KICK-7', 'ADMP-1'],
    errors: ['E-CANNOT-KICK-ADMIN'],
    actors: { mod: user({ permissions: ['user_kick', 'user_list'] }), boss: admin() },
    run: async ({ mod, boss }) => {
      await mod.request('UserKick', { nickname: boss.nickname }).expectError('E-CANNOT-KICK-ADMIN');
      await boss.expectConnected();
    },
  }),
  check({
    id: 'kick',
    title: 'A kicked user is disconnected',
    rules: ['ADM-KICK-8', 'SES-KICK-1'],
    actors: { mod: user({ permissions: ['user_kick', 'user_list'] }), victim: user() },
    run: async ({ mod, victim }) => {
      await mod.request('UserKick', { nickname: victim.nickname }).expectSuccess();
      await victim.expectClosed();
    },
  }),
  check({
    id: 'guest',
    title: 'A guest session with user_list lists users',
    rules: ['SES-GUEST-2'],
    actors: { g: guest({ permissions: ['user_list'] }) },
    run: async ({ g }) => {
      await g.request('UserList', {}).expectSuccess();
    },
  }),
  check({
    id: 'guest-no-login',
    title: 'A guest declared with login: false has its account enabled and no session until it logs in',
    rules: ['SES-GUEST-2'],
    actors: { viewer: user({ permissions: ['user_list'] }), g: guest({ login: false }) },
    run: async ({ viewer, g }, t) => {
      const nicknames = async (): Promise<string[]> =>
        ((await viewer.request('UserList', {}).expectSuccess()).body.users as Array<{ nickname: string }>).map((u) => u.nickname);
      t.assert(!(await nicknames()).includes(g.nickname), 'SES-GUEST-2', 'no guest session is online before it logs in');
      await g.login().expectSuccess();
      t.assert((await nicknames()).includes(g.nickname), 'SES-GUEST-2', 'the guest account is enabled: its session logs in');
    },
  }),
  check({
    id: 'shared',
    title: 'Two sessions of a shared account are listed separately',
    rules: ['SES-SHARED-2'],
    actors: { s1: shared({ permissions: ['user_list'] }), s2: sessionOf('s1') },
    run: async ({ s1, s2 }, t) => {
      const r = await s1.request('UserList', {}).expectSuccess();
      const nicks = (r.body.users as Array<{ nickname: string }>).map((u) => u.nickname);
      t.assert(nicks.includes(s1.nickname) && nicks.includes(s2.nickname), 'SES-SHARED-2', 'both nicknames are listed');
    },
  }),
  check({
    id: 'server-info',
    title: 'The admin renames the server (restored by the runner)',
    rules: ['ADM-SINFO-10'],
    actors: { watcher: user() },
    run: async (_a, t) => {
      await t.admin.request('ServerInfoUpdate', { name: 'Renamed by a check', image: '' }).expectSuccess();
    },
  }),
  check({
    id: 'created',
    title: 'An account the check creates itself is deleted afterwards',
    rules: ['ADM-CREATE-12'],
    run: async (_a, t) => {
      const name = t.name('made');
      t.created(name);
      await t.admin
        .request('UserCreate', { username: name, password: 'pw', is_admin: false, enabled: true, permissions: [] })
        .expectSuccess();
    },
  }),
  check({
    id: 'bare',
    title: 'Bare connections, pipelines and raw bytes go through the lockstep too',
    rules: ['WIRE-SEQ-8', 'SES-LOGIN-12'],
    actors: { c: connection('new'), u: user({ permissions: ['user_info'] }) },
    run: async ({ c, u }, t) => {
      await c.expectConnected();
      await c.handshake().expectSuccess();
      await c.login({ username: t.name('nobody'), password: 'x', features: [] }).expectError('E-INVALID-CREDENTIALS');
      await c.expectClosed();
      const answers = await u.pipeline([{ type: 'UserBack' }, { type: 'UserInfo', body: { nickname: u.nickname } }]);
      t.assert(answers.map((a) => a?.type).join() === 'UserBackResponse,UserInfoResponse', 'WIRE-SEQ-8', 'answers in order');
      const shaken = await t.connect('shaken');
      await shaken.sendRaw('NX|3|Bad|');
      await shaken.sendRaw('a1b2c3d4e5f6|2|{}\n');
      await shaken.expectClosed();
    },
  }),
  check({
    id: 'admin-closed',
    title: 'A check may close the control connection; the runner reopens it',
    rules: ['SES-HS-7'],
    errors: ['E-HANDSHAKE-ALREADY-COMPLETED'],
    actors: { watcher: user({ permissions: ['user_list'] }) },
    run: async (_a, t) => {
      await t.admin.handshake().expectError('E-HANDSHAKE-ALREADY-COMPLETED');
      await t.admin.expectClosed();
    },
  }),
  check({
    id: 'ip-limit',
    title: 'The per-IP limit counts a stranger from our own address too (WIRE-IP-1)',
    rules: ['WIRE-IP-1', 'WIRE-IP-2'],
    run: async (_a, t) => {
      const open = Object.keys(t.model().connections).length; // includes the stranger's socket
      await t.admin.request('ServerInfoUpdate', { max_connections_per_ip: open + 1 }).expectSuccess();
      const last = await t.connect('shaken');
      const refused = await t.connect('new');
      await refused.expectClosed();
      await last.expectConnected();
    },
  }),
  check({ id: 'nexusd-only', title: 'skipped in spec', rules: ['GEN-4'], needs: { profile: 'nexusd' }, run: async () => {} }),
  check({ id: 'fresh-only', title: 'skipped on a used target', rules: ['SES-AUTH-2'], needs: { fresh: true }, run: async () => {} }),
]);

const failing = section({ id: 'demo/fail', title: 'Checks that must fail' }, [
  check({
    id: 'wrong-error',
    title: 'A scenario expecting the wrong error fails with the rule it cites',
    rules: ['ADM-KICK-7'],
    actors: { mod: user({ permissions: ['user_kick'] }), boss: admin() },
    run: async ({ mod, boss }) => {
      await mod.request('UserKick', { nickname: boss.nickname }).expectError('E-PERMISSION-DENIED');
    },
  }),
  check({
    id: 'throws',
    title: 'A check that throws fails, it does not crash the run',
    rules: ['GEN-3'],
    actors: { u: user() },
    run: async ({ u }) => {
      await u.request('UserBack', {});
      throw new Error('boom');
    },
  }),
  check({
    id: 'login-masked',
    title: 'A failure showing a Login frame masks its password',
    rules: ['WIRE-SEQ-7'],
    actors: { u: user() },
    run: async ({ u }) => {
      await u.login().expectError('E-INVALID-CREDENTIALS');
    },
  }),
  check({
    id: 'after',
    title: 'The next check starts from a resynced mirror',
    rules: ['USR-LIST-3'],
    actors: { viewer: user({ permissions: ['user_list'] }) },
    run: async ({ viewer }) => {
      await viewer.request('UserList', {}).expectSuccess();
    },
  }),
]);

describe('runSuite against the reference server', () => {
  it.each<[Profile, MatchMode]>([
    ['spec', 'key'],
    ['nexusd', 'exact'],
    ['spec', 'lenient'],
  ])('passes, fails and skips precisely and leaves a populated target as it was (%s, %s)', async (profile, match) => {
    const srv = await serve(populated(profile));
    const alice = await stranger(srv);
    const before = durable(srv.state());
    const seen: string[] = [];
    const sections = [passing, failing].map((s) => ({
      ...s,
      checks: s.checks.map((c) =>
        c.id === 'nexusd-only' ? { ...c, needs: { profile: profile === 'spec' ? ('nexusd' as const) : ('spec' as const) } } : c,
      ),
    }));
    const result = await runSuite(options(srv, sections, { match, onResult: (r) => seen.push(r.id) }));
    const checks = byId(result.checks);

    for (const id of [
      'list',
      'kick-admin',
      'kick',
      'guest',
      'guest-no-login',
      'shared',
      'server-info',
      'created',
      'bare',
      'admin-closed',
      'ip-limit',
    ]) {
      expect(checks[`demo/pass/${id}`], id).toMatchObject({ status: 'passed', failures: [] });
    }
    expect(checks['demo/pass/nexusd-only']).toMatchObject({
      status: 'skipped',
      message: `needs profile ${profile === 'spec' ? 'nexusd' : 'spec'}`,
    });
    expect(checks['demo/pass/fresh-only']!.status).toBe('skipped');
    expect(checks['demo/pass/fresh-only']!.message).toMatch(/fresh/);

    const wrong = checks['demo/fail/wrong-error']!;
    expect(wrong.status).toBe('failed');
    expect(wrong.failures).toHaveLength(1);
    expect(wrong.failures[0]).toMatchObject({ rule: 'ADM-KICK-7', actor: 'mod' });
    expect(wrong.failures[0]).toMatchObject({ expected: ['E-PERMISSION-DENIED'], note: 'the model predicts E-CANNOT-KICK-ADMIN' });
    expect(wrong.failures[0]!.actual).toMatch(/^NX\|16\|UserKickResponse\|.*Cannot kick admin users/);
    expect(wrong.failures[0]!.sent).toMatch(/^NX\|8\|UserKick\|[0-9a-f]{12}\|/);
    expect(wrong.message).toMatch(/^ADM-KICK-7: expected E-PERMISSION-DENIED \(the model predicts E-CANNOT-KICK-ADMIN\)/);

    const thrown = checks['demo/fail/throws']!;
    expect(thrown.status).toBe('failed');
    expect(thrown.failures[0]!.actual).toMatch(/^internal error in the harness: boom \(repeat with --seed \d+/);
    const masked = checks['demo/fail/login-masked']!;
    expect(masked.status).toBe('failed');
    expect(masked.failures[0]).toMatchObject({ expected: ['E-INVALID-CREDENTIALS'], note: 'the model predicts E-ALREADY-LOGGED-IN' });
    expect(masked.failures[0]!.sent).toMatch(
      /^NX\|5\|Login\|[0-9a-f]{12}\|\d+\|\{"type":"Login","username":"nc[0-9a-z]{4}_u[0-9a-z]+","password":"\*\*\*"/,
    );
    expect(checks['demo/fail/after']!.status).toBe('passed');

    expect(result.summary).toEqual({ passed: 12, failed: 3, skipped: 2, flaky: 0, total: 17 });
    expect(seen).toEqual(result.checks.map((c) => c.id));
    expect(result.target).toMatchObject({ transport: 'plain', embedded: true, fresh: false });
    expect(result.stats.connections).toBeGreaterThan(10);
    expect(result.stats.roundTrips).toBeGreaterThan(result.stats.connections);
    expect(result.restored).toEqual({ ok: true, differences: [] });

    expect(durable(srv.state())).toEqual(before);
    // The stranger was never touched: still logged in, nothing but broadcasts on its connection.
    expect(alice.isClosed).toBe(false);
    expect(Object.values(srv.state().sessions).map((s) => s.nickname)).toEqual(['alice']);
    const text = JSON.stringify(result);
    expect(text).not.toContain(ADMIN.password);
    expect(text).toMatch(/password\\":\\"\*\*\*/);
    expect(text).not.toMatch(/(password|current_password|requested_password)\\":\\"(?!\*\*\*)/);
  });

  it('restores the target after an interrupt in the middle of a check (SIGINT)', async () => {
    const srv = await serve(populated('nexusd'));
    const before = durable(srv.state());
    const controller = new AbortController();
    const interrupted = section({ id: 'demo/int', title: 'Interrupted' }, [
      check({
        id: 'changes-then-stops',
        title: 'Changes the server, then the user presses Ctrl-C',
        rules: ['ADM-SINFO-10'],
        actors: { a: user({ permissions: ['user_list'] }), g: guest() },
        run: async ({ a }, t) => {
          await t.admin.request('ServerInfoUpdate', { name: 'Half-way', description: 'changed' }).expectSuccess();
          const name = t.name('half');
          t.created(name);
          await t.admin.request('UserCreate', { username: name, password: 'pw', is_admin: false, enabled: true, permissions: [] });
          controller.abort();
          await a.request('UserList', {});
        },
      }),
      check({ id: 'never', title: 'Never runs', rules: ['GEN-1'], run: async () => {} }),
    ]);
    const result = await runSuite(options(srv, [interrupted], { signal: controller.signal }));
    expect(result.checks.map((c) => [c.id, c.status, c.message])).toEqual([
      ['demo/int/changes-then-stops', 'skipped', 'run interrupted'],
      ['demo/int/never', 'skipped', 'run interrupted'],
    ]);
    expect(result.restored).toEqual({ ok: true, differences: [] });
    expect(durable(srv.state())).toEqual(before);
    expect(Object.keys(srv.state().sessions)).toEqual([]);
  });

  it('creates the admin on a fresh target, says so, and runs fresh-only checks (SES-AUTH-2)', async () => {
    const srv = await serve(createState({ profile: 'spec' }, { now: NOW, idSeed: 1 }));
    const fresh = section({ id: 'demo/fresh', title: 'Fresh' }, [
      check({
        id: 'only-fresh',
        title: 'runs',
        rules: ['SES-AUTH-2'],
        needs: { fresh: true },
        actors: { u: user() },
        run: async ({ u }) => u.expectConnected(),
      }),
    ]);
    const result = await runSuite(options(srv, [fresh]));
    expect(result.target.fresh).toBe(true);
    expect(result.checks[0]!.status).toBe('passed');
    expect(result.restored).toEqual({ ok: true, differences: [] });
    expect(Object.keys(srv.state().accounts).sort()).toEqual(['guest', 'root']);
  });

  it('runs over TLS with automatic transport and records the fingerprint', async () => {
    const srv = await serve(populated('spec'), true);
    const result = await runSuite(
      options(srv, [passing], { grep: '/kick-admin$/', target: targetOf(srv, { transport: 'auto', embedded: false }) }),
    );
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([['demo/pass/kick-admin', 'passed']]);
    expect(result.target.transport).toBe('tls');
    expect(result.target.fingerprint).toBe(srv.fingerprint);
    expect(result.restored?.ok).toBe(true);
  });
});

describe('targets that cannot be tested', () => {
  it('refuses a wrong admin password with one line (no check runs)', async () => {
    const srv = await serve(populated('spec'));
    const run = runSuite(options(srv, [passing], { admin: { username: 'root', password: 'wrong' } }));
    await expect(run).rejects.toBeInstanceOf(TargetUnavailableError);
    await expect(run).rejects.toThrow(/^admin login as "root" failed: Invalid username or password$/);
  });

  it('reports a pinned fingerprint that does not match (WIRE-TLS-3)', async () => {
    const srv = await serve(populated('spec'), true);
    const wrong = Array.from({ length: 32 }, () => 'AB').join(':');
    const run = runSuite(options(srv, [passing], { target: targetOf(srv, { transport: 'auto', fingerprint: wrong, embedded: false }) }));
    await expect(run).rejects.toBeInstanceOf(TargetUnavailableError);
    await expect(run).rejects.toThrow(`server certificate fingerprint ${srv.fingerprint} does not match the pinned ${wrong}`);
  });

  it('reports a refused connection', async () => {
    // Not owned by the test: closed here, before the run.
    const srv = await startServer({ port: 0, initialState: populated('spec') });
    const { host, port } = srv;
    await srv.close();
    const run = runSuite(options(srv, [passing], { target: targetOf({ host, port }, { embedded: false }) }));
    await expect(run).rejects.toBeInstanceOf(TargetUnavailableError);
    await expect(run).rejects.toThrow(/refused/);
  });
});

describe('selection', () => {
  it('filters by substring or /regex/ on ids and titles', () => {
    const f = makeFilter('kick');
    expect(f('demo/pass/kick-admin')).toBe(true);
    expect(f('demo/pass/list')).toBe(false);
    const r = makeFilter('/^demo\\/PASS/i');
    expect(r('demo/pass/list')).toBe(true);
    expect(r('demo/fail/list')).toBe(false);
    expect(makeFilter(undefined)('anything')).toBe(true);
  });
});
