// restoreTarget against the reference server: every pre-existing account but the control admin goes
// back to its snapshot (spelling, admin flag, enabled flag, permissions; the guest included), run
// accounts are deleted, the server info is restored, passwords are never touched. The differences
// are put into a second server's initial state after the snapshot was taken from the first, because
// the reference server itself refuses some of them (UND-5: promoting the guest).
import { describe, expect, it } from 'vitest';
import { createState } from '../../src/model/create.ts';
import { passwordDigest } from '../../src/model/password.ts';
import type { Account, State } from '../../src/model/state.ts';
import type { Profile } from '../../src/protocol/types.ts';
import { ipPart } from '../../src/runner/compare.ts';
import {
  compareSnapshots,
  openControl,
  readSnapshot,
  restoreConnectionLimit,
  restoreTarget,
  ServerInfoWatch,
  strangersFromOurAddress,
  type ControlConnection,
  type RestorePlan,
  type Snapshot,
} from '../../src/runner/target.ts';
import { startServer, type ReferenceServer } from '../../src/server/server.ts';
import { account } from '../support/accounts.ts';
import { RawClient } from '../../src/net/raw-client.ts';
import { seededIds } from '../../src/protocol/ids.ts';
import { Findings } from '../../src/runner/preflight.ts';
import { onRequest } from '../../src/server/faults/kit.ts';
import { perTest } from '../support/per-test.ts';

/** Message ids of the test's raw clients (seeded, like the harness's). */
const ids = seededIds(7);

const NOW = 1_700_000_000;
const T = 5000;
const ADMIN = { username: 'root', password: 'root-secret-pw' };
const RUN_PREFIX = 'ncq1_';
let shortNames = 0;

const { own } = perTest();

/** The target as it was when the run started. */
function baseState(profile: Profile): State {
  const s = createState({ profile }, { now: NOW - 9000, idSeed: 5 });
  for (const a of [
    account('root', { isAdmin: true, passwordDigest: passwordDigest(ADMIN.password) }),
    account('boss', { isAdmin: true }),
    account('alice', { permissions: ['user_list', 'user_info', 'chat_send'] }),
    account('mallory', { enabled: false, permissions: ['user_info'] }),
    account('shop', { isShared: true, permissions: ['user_list', 'chat_send'] }),
    account('carol'),
  ]) {
    s.accounts[a.username] = a;
  }
  s.accounts.guest = { ...s.accounts.guest!, enabled: true, permissions: ['user_list', 'chat_receive'] };
  s.serverInfo = {
    ...s.serverInfo,
    name: 'Custom BBS',
    description: 'as it was',
    image: '',
    max_connections_per_ip: 7,
    max_transfers_per_ip: 2,
  };
  return s;
}

type Mutation = (s: State) => void;

const rename =
  (key: string, spelling: string): Mutation =>
  (s) => {
    s.accounts[key] = { ...s.accounts[key]!, username: spelling };
  };
const edit =
  (key: string, over: Partial<Account>): Mutation =>
  (s) => {
    s.accounts[key] = { ...s.accounts[key]!, ...over };
  };

async function serve(state: State): Promise<ReferenceServer> {
  const srv = await startServer({ port: 0, initialState: state });
  own(srv);
  return srv;
}

async function control(srv: ReferenceServer): Promise<ControlConnection> {
  const c = await openControl({ host: srv.host, port: srv.port, transport: 'plain', timeoutMs: T }, ADMIN, { ids });
  own(c.raw);
  return c;
}

/** Snapshot of the base state, as the run takes it before its first check. */
async function baseline(profile: Profile): Promise<Snapshot> {
  const srv = await serve(baseState(profile));
  const c = await control(srv);
  return readSnapshot(c, ADMIN, T);
}

function plan(snap: Snapshot, over: Partial<RestorePlan> = {}): RestorePlan {
  return {
    baseline: snap,
    serverInfo: snap.serverInfo,
    isRunName: (n) => n.startsWith(RUN_PREFIX),
    shortName: () => `${RUN_PREFIX}del${++shortNames}`,
    extraAccounts: [],
    profile: 'spec',
    ...over,
  };
}

/** Everything restoration may touch or must not touch, per account. */
function accounts(state: State) {
  return Object.fromEntries(
    Object.entries(state.accounts).map(([k, a]) => [
      k,
      {
        username: a.username,
        isAdmin: a.isAdmin,
        isShared: a.isShared,
        enabled: a.enabled,
        permissions: [...a.permissions].sort(),
        digest: a.passwordDigest,
        createdAt: a.createdAt,
      },
    ]),
  );
}

/**
 * Takes the snapshot of the base state, starts a target that differs from it by `mutations`,
 * restores it and returns what the restore reported plus the target.
 */
async function restoreAfter(profile: Profile, mutations: Mutation[], over: Partial<RestorePlan> = {}) {
  const snap = await baseline(profile);
  const changed = baseState(profile);
  for (const m of mutations) m(changed);
  const srv = await serve(changed);
  const c = await control(srv);
  const problems = await restoreTarget(c, plan(snap, { profile, ...over }), T);
  const check = await control(srv);
  const after = await readSnapshot(check, ADMIN, T);
  return { snap, srv, problems, diffs: compareSnapshots(snap, after) };
}

const expected = (profile: Profile) => accounts(baseState(profile));

describe('restoreTarget', () => {
  it('restores the guest name from a case variant (nexusd allows the rename, ADM-UPDATE-7)', async () => {
    const { srv, problems, diffs } = await restoreAfter('nexusd', [rename('guest', 'GUEST')]);
    expect(problems).toEqual([]);
    expect(diffs).toEqual([]);
    expect(srv.state().accounts.guest!.username).toBe('guest');
    expect(accounts(srv.state())).toEqual(expected('nexusd'));
  });

  it('demotes a guest the target let a check promote (UND-5)', async () => {
    const { srv, problems, diffs } = await restoreAfter('spec', [edit('guest', { isAdmin: true })]);
    expect(problems).toEqual([]);
    expect(diffs).toEqual([]);
    expect(srv.state().accounts.guest!.isAdmin).toBe(false);
    expect(accounts(srv.state())).toEqual(expected('spec'));
  });

  it('restores the guest enabled flag and permissions', async () => {
    const { srv, problems, diffs } = await restoreAfter('spec', [edit('guest', { enabled: false, permissions: ['user_info'] })]);
    expect(problems).toEqual([]);
    expect(diffs).toEqual([]);
    expect(accounts(srv.state())).toEqual(expected('spec'));
  });

  it('restores admin flag, enabled flag, permissions and spelling of every other pre-existing account', async () => {
    const { srv, problems, diffs } = await restoreAfter('spec', [
      edit('alice', { isAdmin: true, permissions: ['user_kick'], enabled: false }),
      edit('mallory', { enabled: true, permissions: [] }),
      edit('boss', { isAdmin: false, permissions: ['user_list'] }),
      edit('shop', { permissions: ['user_info'] }),
      rename('carol', 'Carol'),
    ]);
    expect(problems).toEqual([]);
    expect(diffs).toEqual([]);
    expect(accounts(srv.state())).toEqual(expected('spec'));
  });

  it('never touches the control admin nor any password', async () => {
    // The admin's stored permissions differ from the snapshot (which cannot read them: ADM-EDIT-2);
    // the others' digests differ from the base state: restoration must leave all of them alone.
    const { srv, problems } = await restoreAfter('spec', [
      edit('root', { permissions: ['user_list'] }),
      edit('alice', { passwordDigest: passwordDigest('changed-elsewhere'), enabled: false }),
    ]);
    expect(problems).toEqual([]);
    const now = srv.state().accounts;
    expect(now.root).toMatchObject({
      isAdmin: true,
      enabled: true,
      permissions: ['user_list'],
      passwordDigest: passwordDigest(ADMIN.password),
    });
    expect(now.alice).toMatchObject({ enabled: true, passwordDigest: passwordDigest('changed-elsewhere') });
  });

  it('skips the control admin named in the plan as well', async () => {
    // `boss` controls here; restoration must not demote it even though the snapshot says otherwise.
    const snap = await baseline('spec');
    const changed = baseState('spec');
    changed.accounts.boss = { ...changed.accounts.boss!, passwordDigest: passwordDigest('boss-pw'), permissions: ['user_info'] };
    const srv = await serve(changed);
    const c = await openControl(
      { host: srv.host, port: srv.port, transport: 'plain', timeoutMs: T },
      { username: 'boss', password: 'boss-pw' },
      { ids },
    );
    own(c.raw);
    const problems = await restoreTarget(c, plan(snap, { adminUsername: 'boss' }), T);
    expect(problems).toEqual([]);
    expect(srv.state().accounts.boss!.permissions).toEqual(['user_info']);
  });

  it('keeps restoring after a refused change and reports it (spec refuses any rename of the guest)', async () => {
    const { srv, problems, diffs } = await restoreAfter('spec', [
      rename('guest', 'GUEST'),
      edit('guest', { permissions: ['user_info'] }),
      edit('alice', { isAdmin: true }),
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^restore guest name \(now "GUEST"\): UserUpdate failed: /);
    expect(diffs).toEqual(['account guest is now spelt GUEST']);
    const now = srv.state().accounts;
    expect(now.guest!.username).toBe('GUEST');
    expect([...now.guest!.permissions].sort()).toEqual(['chat_receive', 'user_list']);
    expect(now.alice!.isAdmin).toBe(false);
  });

  it('deletes run accounts and extra accounts, restores the server info, and reports a vanished account', async () => {
    const { srv, problems, diffs } = await restoreAfter(
      'spec',
      [
        (s) => {
          s.accounts[`${RUN_PREFIX}u1`] = account(`${RUN_PREFIX}u1`);
          s.accounts['made-by-check'] = account('made-by-check');
          s.accounts['someone-else'] = account('someone-else');
          delete s.accounts.carol;
          s.serverInfo = {
            ...s.serverInfo,
            name: 'Renamed',
            description: 'changed',
            image: 'data:image/png;base64,AAAA',
            max_connections_per_ip: 30,
            max_transfers_per_ip: 9,
          };
        },
      ],
      { extraAccounts: ['Made-By-Check'] },
    );
    expect(problems).toEqual([]);
    // A stranger's account stays (not ours to delete); a deleted one cannot come back (password unknown).
    expect(diffs.sort()).toEqual(['account carol is gone', 'account someone-else was left behind']);
    const keys = Object.keys(srv.state().accounts).sort();
    expect(keys).toEqual(['alice', 'boss', 'guest', 'mallory', 'root', 'shop', 'someone-else']);
    const { version: _v, ...info } = srv.state().serverInfo;
    const { version: _w, ...want } = baseState('spec').serverInfo;
    expect(info).toEqual(want);
  });

  it("deletes an account whose name the profile's UserDelete frame cannot hold by renaming it first (nexusd, WIRE-LIM-1)", async () => {
    // 32 two-byte characters: a valid username (VAL-USERNAME counts characters), 64 bytes, over the
    // 32 bytes nexusd's 67-byte UserDelete frame leaves for a name; UserDelete alone would close the connection.
    const long = 'é'.repeat(32);
    const { srv, problems, diffs } = await restoreAfter('nexusd', [(s) => void (s.accounts[long] = account(long))], {
      extraAccounts: [long],
    });
    expect(problems).toEqual([]);
    expect(diffs).toEqual([]);
    expect(accounts(srv.state())).toEqual(expected('nexusd'));
  });

  it('does nothing on a target that equals its snapshot', async () => {
    const { srv, problems, diffs } = await restoreAfter('nexusd', []);
    expect(problems).toEqual([]);
    expect(diffs).toEqual([]);
    expect(accounts(srv.state())).toEqual(expected('nexusd'));
  });
});

describe('readSnapshot and the harness address', () => {
  it("records our own session under our socket's local address, which is what the target sees", async () => {
    const srv = await serve(baseState('spec'));
    // Another session of the admin account first, so a blind "first entry" pick could take its address.
    const other = await RawClient.open({ host: srv.host, port: srv.port, transport: 'plain', timeoutMs: T }, ids);
    own(other);
    await other.request('Handshake', { version: '0.5.0' }, T);
    expect((await other.request('Login', { ...ADMIN, features: [], locale: 'en' }, T)).message?.body.success).toBe(true);
    const c = await control(srv);
    expect(c.conn.localAddress).toBe('127.0.0.1');
    const snap = await readSnapshot(c, ADMIN, T);
    const ours = snap.sessions.find((s) => s.id === snap.ownSessionId)!;
    expect(ipPart(ours.ip)).toBe(c.conn.localAddress);
    // The model's own record of our connection agrees.
    const serverView = Object.values(srv.state().connections).find((x) => x.sessionId === snap.ownSessionId)!;
    expect(ipPart(serverView.ip)).toBe(c.conn.localAddress);
    expect(strangersFromOurAddress(snap)).toBe(1);
  });
});

describe('readSnapshot while others delete accounts', () => {
  it('leaves out an account deleted between the list and its UserEdit (a stranger, or another lane) without a finding', async () => {
    // The account vanishes the moment the harness asks for it: the UserEdit answers "not found".
    const vanishing = onRequest('UserEdit', (req, state, event, next) => {
      if (req.body.username !== 'carol') return undefined;
      const without = structuredClone(state);
      delete without.accounts.carol;
      return next(without, event);
    });
    const srv = await startServer({ port: 0, initialState: baseState('spec'), faults: [vanishing] });
    own(srv);
    const findings = new Findings();
    const snap = await readSnapshot(await control(srv), ADMIN, T, findings);
    expect(snap.accounts.map((a) => a.username).sort()).toEqual(['alice', 'boss', 'guest', 'mallory', 'root', 'shop']);
    expect(findings.results()).toEqual([]);
    expect([...findings.missing.keys()]).toEqual([]);
  });
});

/** A session of `username` opened and logged in outside the harness. */
async function loggedIn(srv: ReferenceServer, username: string, password: string): Promise<RawClient> {
  const c = await RawClient.open({ host: srv.host, port: srv.port, transport: 'plain', timeoutMs: T }, ids);
  own(c);
  await c.request('Handshake', { version: '0.5.0' }, T);
  const r = await c.request('Login', { username, password, features: [], locale: 'en' }, T);
  expect(r.message?.body.success, `login ${username}`).toBe(true);
  return c;
}

describe('re-entry after a check lowered the per-IP limit (WIRE-IP-1, WIRE-IP-3)', () => {
  it('the server info watch follows the login and every ServerInfoUpdated broadcast, whoever sent it', async () => {
    const srv = await serve(baseState('spec'));
    const c = await control(srv);
    expect(c.serverInfoWatch.latest).toEqual(c.login.serverInfo);
    const bare = await RawClient.open({ host: srv.host, port: srv.port, transport: 'plain', timeoutMs: T }, ids);
    own(bare);
    const bareWatch = ServerInfoWatch.start(bare.conn);
    await bare.request('Handshake', { version: '0.5.0' }, T);
    expect(bareWatch.latest).toBeNull(); // never logged in
    const boss = await loggedIn(srv, 'boss', 'pw-boss');
    expect((await boss.request('ServerInfoUpdate', { max_connections_per_ip: 2, name: 'Other' }, T)).message?.body.success).toBe(true);
    await c.raw.request('UserInfo', { nickname: '' }, T); // round trip: the broadcast has arrived
    expect(c.serverInfoWatch.latest).toEqual({ ...c.login.serverInfo, max_connections_per_ip: 2, name: 'Other' });
    // It folds frames as they arrive, whoever takes them: the raw client left the broadcast unread
    // here; reading it changes nothing, and a later broadcast still counts.
    c.conn.inbox.discardPending();
    expect((await boss.request('ServerInfoUpdate', { description: 'later' }, T)).message?.body.success).toBe(true);
    await c.raw.request('UserInfo', { nickname: '' }, T);
    expect(c.serverInfoWatch.latest).toEqual({ ...c.login.serverInfo, max_connections_per_ip: 2, name: 'Other', description: 'later' });
  });

  it('puts the limit back over the open connection, so a new control connection gets in once ours are gone', async () => {
    const srv = await serve(baseState('spec'));
    const want = srv.state().serverInfo;
    const stranger = await loggedIn(srv, 'alice', 'pw-alice');
    const c = await control(srv);
    const boss = await loggedIn(srv, 'boss', 'pw-boss');
    // A check lowers the limit to 1: the stranger alone fills it.
    expect((await boss.request('ServerInfoUpdate', { max_connections_per_ip: 1 }, T)).message?.body.success).toBe(true);
    expect(await restoreConnectionLimit(c.raw, c.serverInfoWatch, want, T)).toEqual([]);
    expect(srv.state().serverInfo.max_connections_per_ip).toBe(want.max_connections_per_ip);
    await boss.close();
    await c.conn.close();
    const again = await control(srv);
    expect(again.login.serverInfo.max_connections_per_ip).toBe(want.max_connections_per_ip);
    expect(stranger.isClosed).toBe(false);
  });

  it('without it the target cannot be reached again (the situation it prevents)', async () => {
    const srv = await serve(baseState('spec'));
    await loggedIn(srv, 'alice', 'pw-alice');
    const c = await control(srv);
    expect((await c.raw.request('ServerInfoUpdate', { max_connections_per_ip: 1 }, T)).message?.body.success).toBe(true);
    await c.conn.close();
    await expect(openControl({ host: srv.host, port: srv.port, transport: 'plain', timeoutMs: T }, ADMIN, { ids })).rejects.toThrow(
      /did not answer the Handshake/,
    );
  });

  it('changes nothing when the limit is as wanted: no update, no broadcast to strangers', async () => {
    const srv = await serve(baseState('spec'));
    const stranger = await loggedIn(srv, 'alice', 'pw-alice');
    const c = await control(srv);
    expect(await restoreConnectionLimit(c.raw, c.serverInfoWatch, srv.state().serverInfo, T)).toEqual([]);
    await stranger.request('UserInfo', { nickname: '' }, T); // round trip after the guard's own
    expect(stranger.unconsumed().map((r) => r.message?.type)).not.toContain('ServerInfoUpdated');
  });

  it('is a no-op on a closed connection and reports a refused update as a problem line', async () => {
    const srv = await serve(baseState('spec'));
    const c = await control(srv);
    const want = { ...srv.state().serverInfo, max_connections_per_ip: 0 }; // spec refuses 0 (ADM-SINFO-8)
    const [problem, ...rest] = await restoreConnectionLimit(c.raw, c.serverInfoWatch, want, T);
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^restore max_connections_per_ip over the open connection: ServerInfoUpdate failed: /);
    await c.conn.close();
    expect(await restoreConnectionLimit(c.raw, c.serverInfoWatch, want, T)).toEqual([]);
  });
});
