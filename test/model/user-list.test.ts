// rules.md §4.1 UserList (USR-LIST-1..5), SES-ID-2 aggregation, GEN-1/2/4, BC-1.
import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/protocol/types.ts';
import { PROFILES } from '../../src/protocol/types.ts';
import { T0, isClosed, messagesTo, recipients, sends, world, type World } from './world.ts';

const users = (w: World, conn: string, all = false) => {
  const r = messagesTo(w.send(conn, 'UserList', { all }), conn)[0]!;
  expect(r.body).toMatchObject({ type: 'UserListResponse', success: true });
  return r.body.users as Array<Record<string, unknown>>;
};

/** Marks a connection's session as removed by someone else (GEN-2). */
function orphan(w: World, conn: string): void {
  const c = w.state.connections[conn]!;
  delete w.state.sessions[String(c.sessionId)];
  c.sessionId = null;
  c.phase = 'removed';
}

describe('USR-LIST-1 GEN-1 / GEN-2', () => {
  for (const profile of PROFILES) {
    it(`${profile}: before Login → E-NOT-LOGGED-IN, Error + close (GEN-1)`, () => {
      const w = world(profile);
      const c = w.connect();
      w.handshake(c);
      const outs = w.send(c, 'UserList', { all: false });
      expect(messagesTo(outs, c)[0]!.body).toEqual({ type: 'Error', message: 'Not logged in', command: 'UserList' });
      expect(isClosed(outs, c)).toBe(true);
    });
    it(`${profile}: a removed session → E-AUTHENTICATION, Error + close (GEN-2)`, () => {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_list'] });
      orphan(w, a.conn);
      const outs = w.send(a.conn, 'UserList', {});
      expect(messagesTo(outs, a.conn)[0]!.body).toMatchObject({ type: 'Error', message: 'Authentication error', command: 'UserList' });
      expect(isClosed(outs, a.conn)).toBe(true);
    });
  }
});

describe('USR-LIST-2 permissions (GEN-4 carrier)', () => {
  const carrier: Record<Profile, string> = { spec: 'UserListResponse', nexusd: 'Error' };
  for (const profile of PROFILES) {
    it(`${profile}: all:false without user_list → E-PERMISSION-DENIED as ${carrier[profile]}, stays open`, () => {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_edit'] });
      const outs = w.send(a.conn, 'UserList', { all: false });
      const m = messagesTo(outs, a.conn)[0]!;
      expect(m.type).toBe(carrier[profile]);
      expect(sends(outs, a.conn)[0]!.error).toMatchObject({ key: 'E-PERMISSION-DENIED' });
      expect(isClosed(outs, a.conn)).toBe(false);
    });
    it(`${profile}: all:true needs user_create, user_edit or user_delete, not user_list`, () => {
      const w = world(profile);
      const lister = w.user('lister', { permissions: ['user_list'] });
      expect(sends(w.send(lister.conn, 'UserList', { all: true }), lister.conn)[0]!.error?.key).toBe('E-PERMISSION-DENIED');
      for (const perm of ['user_create', 'user_edit', 'user_delete']) {
        const u = w.user(`u_${perm}`, { permissions: [perm] });
        expect(messagesTo(w.send(u.conn, 'UserList', { all: true }), u.conn)[0]!.body.success).toBe(true);
      }
    });
    it(`${profile}: absent \`all\` means all:false`, () => {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_edit'] });
      expect(sends(w.send(a.conn, 'UserList', {}), a.conn)[0]!.error?.key).toBe('E-PERMISSION-DENIED');
    });
  }
});

describe('USR-LIST-3 / SES-ID-2 online entries', () => {
  for (const profile of PROFILES) {
    it(`${profile}: a regular account is one aggregated entry (UND-14: latest locale); the requester is included`, () => {
      const w = world(profile);
      const me = w.user('me', { permissions: ['user_list'] });
      const first = w.user('alice', { locale: 'de', avatar: 'data:image/png;base64,AAAA' });
      w.send(first.conn, 'UserAway', { message: 'old session' });
      w.tick(60);
      const second = w.session('alice', { locale: 'fr', avatar: 'data:image/png;base64,BBBB' });
      w.send(second.conn, 'UserStatus', { status: 'newest' });
      const list = users(w, me.conn);
      expect(list.map((u) => u.nickname)).toEqual(['alice', 'me']);
      const alice = list[0]!;
      expect(alice).toMatchObject({
        username: 'alice',
        nickname: 'alice',
        login_time: T0, // earliest
        is_admin: false,
        is_shared: false,
        session_ids: [first.sessionId, second.sessionId],
        locale: 'fr', // latest login (UND-14 reference)
        avatar: 'data:image/png;base64,BBBB', // latest login
        status: 'newest', // latest login's status
      });
    });
    it(`${profile}: shared sessions are listed separately with is_admin false`, () => {
      const w = world(profile);
      const me = w.user('me', { permissions: ['user_list'] });
      w.account('shared_acct', { shared: true, permissions: ['user_list'] });
      const v1 = w.session('shared_acct', { nickname: 'Visitor' });
      const v2 = w.session('shared_acct', { nickname: 'another' });
      const list = users(w, me.conn);
      expect(list.map((u) => [u.nickname, u.username, u.session_ids, u.is_shared, u.is_admin])).toEqual([
        ['another', 'shared_acct', [v2.sessionId], true, false],
        ['me', 'me', [me.sessionId], false, false],
        ['Visitor', 'shared_acct', [v1.sessionId], true, false],
      ]);
    });
    it(`${profile}: offline accounts are not listed; admins show is_admin`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      w.account('offline');
      expect(users(w, boss.conn).map((u) => [u.username, u.is_admin])).toEqual([['boss', true]]);
    });
  }
});

describe('USR-LIST-4 [DIVERGENT] all:true', () => {
  it('spec: one stored entry per account (offline, shared and guest included), creation time, no sessions', () => {
    const w = world('spec');
    w.tick(100);
    const ed = w.user('editor', { permissions: ['user_edit'] });
    w.account('shared_acct', { shared: true });
    w.session('shared_acct', { nickname: 'V1' });
    w.session('shared_acct', { nickname: 'V2' });
    const list = users(w, ed.conn, true);
    expect(list).toEqual([
      { username: 'editor', nickname: 'editor', login_time: T0 + 100, is_admin: false, is_shared: false, session_ids: [], locale: '' },
      { username: 'guest', nickname: 'guest', login_time: T0, is_admin: false, is_shared: true, session_ids: [], locale: '' },
      {
        username: 'shared_acct',
        nickname: 'shared_acct',
        login_time: T0 + 100,
        is_admin: false,
        is_shared: true,
        session_ids: [],
        locale: '',
      },
    ]);
  });
  it('nexusd: live entries (one per shared session) plus a stored entry per account without a session', () => {
    const w = world('nexusd');
    const ed = w.user('editor', { permissions: ['user_edit'] });
    w.account('shared_acct', { shared: true });
    const v1 = w.session('shared_acct', { nickname: 'V1' });
    w.account('zoe');
    const list = users(w, ed.conn, true);
    expect(list.map((u) => [u.nickname, u.session_ids, u.locale])).toEqual([
      ['editor', [ed.sessionId], 'en'],
      ['guest', [], ''],
      ['V1', [v1.sessionId], 'en'],
      ['zoe', [], ''],
    ]);
    expect(list.find((u) => u.nickname === 'zoe')).toMatchObject({ login_time: T0, is_away: false });
  });
});

describe('USR-LIST-5 order', () => {
  for (const profile of PROFILES) {
    it(`${profile}: ascending by lower-cased nickname`, () => {
      const w = world(profile);
      const me = w.user('Zed', { permissions: ['user_list', 'user_edit'] });
      w.user('alice');
      w.user('Bob');
      w.user('_under');
      expect(users(w, me.conn).map((u) => u.nickname)).toEqual(['_under', 'alice', 'Bob', 'Zed']);
      expect(users(w, me.conn, true).map((u) => u.nickname)).toEqual(['_under', 'alice', 'Bob', 'guest', 'Zed']);
    });
  }
});

describe('BC-1 UserConnected recipients', () => {
  for (const profile of PROFILES) {
    it(`${profile}: every other live user_list holder (admins implicitly), not the new session`, () => {
      const w = world(profile);
      const lister = w.user('lister', { permissions: ['user_list'] });
      const boss = w.admin('boss');
      const blind = w.user('blind');
      const fresh = w.user('fresh', { permissions: ['user_list'] });
      const to = recipients(fresh.outputs, 'UserConnected');
      expect(to.sort()).toEqual([lister.conn, boss.conn].sort());
      expect(to).not.toContain(blind.conn);
    });
  }
});
