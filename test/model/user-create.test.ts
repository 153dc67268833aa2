// rules.md §4.6 UserCreate (ADM-CREATE-1..14) with MERGE-1/4/5/6, PERM-1..3, ADMP-4, SHARED-1, GUEST-1.
import { describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, SHARED_ALLOWED } from '../../src/model/permissions.ts';
import { PROFILES } from '../../src/protocol/types.ts';
import { T0, isClosed, messagesTo, sends, world, type World } from './world.ts';

const body = (o: Record<string, unknown> = {}) => ({
  username: 'newbie',
  password: 'secret',
  is_admin: false,
  enabled: true,
  permissions: ['chat_send'],
  ...o,
});
const create = (w: World, conn: string, o: Record<string, unknown> = {}) => w.send(conn, 'UserCreate', body(o));
const errorKey = (outs: ReturnType<World['send']>, conn: string) => sends(outs, conn)[0]!.error?.key;

describe('ADM-CREATE-1 GEN-1', () => {
  for (const profile of PROFILES) {
    it(`${profile}: before Login → E-NOT-LOGGED-IN + close, even for invalid input`, () => {
      const w = world(profile);
      const c = w.connect();
      w.handshake(c);
      const outs = w.send(c, 'UserCreate', body({ username: '' }));
      expect(errorKey(outs, c)).toBe('E-NOT-LOGGED-IN');
      expect(isClosed(outs, c)).toBe(true);
    });
  }
});

describe('ADM-CREATE-2 / ADM-CREATE-3 / ADM-CREATE-4 / GEN-3 format validation before GEN-2 and the permission', () => {
  for (const profile of PROFILES) {
    it(`${profile}: VAL-USERNAME, VAL-PASSWORD, VAL-PERMISSIONS in this order, typed`, () => {
      const w = world(profile);
      const a = w.user('alice'); // no user_create: validation still wins
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ username: '', password: '' }, 'E-USERNAME-EMPTY'],
        [{ username: 'x'.repeat(33) }, 'E-USERNAME-TOO-LONG'],
        [{ username: 'a b' }, 'E-USERNAME-INVALID'],
        [{ password: '', permissions: [''] }, 'E-PASSWORD-EMPTY'],
        [{ password: 'p'.repeat(257) }, 'E-PASSWORD-TOO-LONG'],
        [{ permissions: [''] }, 'E-PERMISSIONS-EMPTY-PERMISSION'],
        [{ permissions: ['x'.repeat(33)] }, 'E-PERMISSIONS-PERMISSION-TOO-LONG'],
        [{ permissions: ['a\nb'] }, 'E-PERMISSIONS-CONTAINS-NEWLINES'],
        [{ permissions: ['a\u0001b'] }, 'E-PERMISSIONS-INVALID-CHARACTERS'],
        [{ permissions: Array(ALL_PERMISSIONS.length + 1).fill('chat_send') }, 'E-PERMISSIONS-TOO-MANY'],
      ];
      for (const [o, key] of cases) {
        const outs = create(w, a.conn, o);
        expect(messagesTo(outs, a.conn)[0]!.type).toBe('UserCreateResponse');
        expect(errorKey(outs, a.conn)).toBe(key);
      }
      const conn = w.state.connections[a.conn]!;
      delete w.state.sessions[String(conn.sessionId)];
      conn.phase = 'removed';
      conn.sessionId = null;
      expect(errorKey(create(w, a.conn, { username: '' }), a.conn)).toBe('E-USERNAME-EMPTY');
    });
  }
  it('VAL-PASSWORD [DIVERGENT] unit: 256 multi-byte characters pass in spec, fail in nexusd', () => {
    for (const [profile, ok] of [
      ['spec', true],
      ['nexusd', false],
    ] as const) {
      const w = world(profile);
      const boss = w.admin('boss');
      const outs = create(w, boss.conn, { password: 'é'.repeat(256) });
      expect(messagesTo(outs, boss.conn)[0]!.body.success).toBe(ok);
    }
  });
});

describe('ADM-CREATE-5 GEN-2 then user_create', () => {
  for (const profile of PROFILES) {
    it(`${profile}: a removed session with valid input → E-AUTHENTICATION + close`, () => {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_create'] });
      const conn = w.state.connections[a.conn]!;
      delete w.state.sessions[String(conn.sessionId)];
      conn.phase = 'removed';
      conn.sessionId = null;
      const outs = create(w, a.conn);
      expect(errorKey(outs, a.conn)).toBe('E-AUTHENTICATION');
      expect(isClosed(outs, a.conn)).toBe(true);
    });
  }
  it('spec: missing user_create → typed; nexusd: Error, open (GEN-4)', () => {
    for (const [profile, type] of [
      ['spec', 'UserCreateResponse'],
      ['nexusd', 'Error'],
    ] as const) {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_edit'] });
      const outs = create(w, a.conn);
      expect(messagesTo(outs, a.conn)[0]!.type).toBe(type);
      expect(errorKey(outs, a.conn)).toBe('E-PERMISSION-DENIED');
      expect(isClosed(outs, a.conn)).toBe(false);
      expect(w.state.accounts.newbie).toBeUndefined();
    }
  });
});

describe('ADM-CREATE-6 [DIVERGENT] / MERGE-6 / ADMP-4 only admins create admins', () => {
  it('spec: typed E-CANNOT-CREATE-ADMIN, connection stays open (E and E! also allowed)', () => {
    const w = world('spec');
    const a = w.user('alice', { permissions: ['user_create'] });
    const outs = create(w, a.conn, { is_admin: true });
    const out = sends(outs, a.conn)[0]!;
    expect(out.message.type).toBe('UserCreateResponse');
    expect(out.error).toMatchObject({ key: 'E-CANNOT-CREATE-ADMIN', carriers: ['T', 'E', 'E!'] });
    expect(isClosed(outs, a.conn)).toBe(false);
    expect(w.state.accounts.newbie).toBeUndefined();
  });
  it('nexusd: Error, then the requester is disconnected', () => {
    const w = world('nexusd');
    const a = w.user('alice', { permissions: ['user_create'] });
    const outs = create(w, a.conn, { is_admin: true });
    expect(messagesTo(outs, a.conn)[0]!.body).toEqual({
      type: 'Error',
      message: 'Only admins can create admin users',
      command: 'UserCreate',
    });
    expect(isClosed(outs, a.conn)).toBe(true);
  });
  for (const profile of PROFILES) {
    it(`${profile}: an admin may create an admin`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      expect(messagesTo(create(w, boss.conn, { is_admin: true }), boss.conn)[0]!.body.success).toBe(true);
      expect(w.state.accounts.newbie!.isAdmin).toBe(true);
    });
  }
});

describe('ADM-CREATE-7 / SHARED-1 shared accounts are never admin', () => {
  for (const profile of PROFILES) {
    it(`${profile}: is_shared + is_admin → E-SHARED-CANNOT-BE-ADMIN, typed`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      const outs = create(w, boss.conn, { is_shared: true, is_admin: true });
      expect(messagesTo(outs, boss.conn)[0]!.type).toBe('UserCreateResponse');
      expect(errorKey(outs, boss.conn)).toBe('E-SHARED-CANNOT-BE-ADMIN');
    });
  }
});

describe('ADM-CREATE-8 / MERGE-5 [DIVERGENT] shared-forbidden names', () => {
  it('spec: removed silently; an unknown name still reaches MERGE-4', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    expect(messagesTo(create(w, boss.conn, { is_shared: true, permissions: ['chat_send', 'user_kick'] }), boss.conn)[0]!.body).toEqual({
      type: 'UserCreateResponse',
      success: true,
      username: 'newbie',
    });
    expect(w.state.accounts.newbie!.permissions).toEqual(['chat_send']);
    const outs = create(w, boss.conn, { username: 'other', is_shared: true, permissions: ['chat_send', 'user_kick', 'zz_bogus'] });
    expect(sends(outs, boss.conn)[0]!.error).toMatchObject({ key: 'E-UNKNOWN-PERMISSION', params: { permission: 'zz_bogus' } });
  });
  it('nexusd: E-SHARED-INVALID-PERMISSIONS listing every offending name (unknown included), typed', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    const outs = create(w, boss.conn, { is_shared: true, permissions: ['user_kick', 'chat_send', 'zz_bogus'] });
    expect(messagesTo(outs, boss.conn)[0]!.body).toEqual({
      type: 'UserCreateResponse',
      success: false,
      error: 'Shared accounts cannot have these permissions: \u2068user_kick, zz_bogus\u2069',
    });
    expect(w.state.accounts.newbie).toBeUndefined();
  });
});

describe('ADM-CREATE-9 / MERGE-4 unknown names', () => {
  for (const profile of PROFILES) {
    it(`${profile}: the first unknown name in request order, typed`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      const outs = create(w, boss.conn, { permissions: ['chat_send', 'zz_one', 'zz_two'] });
      expect(messagesTo(outs, boss.conn)[0]!.type).toBe('UserCreateResponse');
      expect(sends(outs, boss.conn)[0]!.error).toMatchObject({ key: 'E-UNKNOWN-PERMISSION', params: { permission: 'zz_one' } });
    });
  }
});

describe('ADM-CREATE-10 / MERGE-1 [DIVERGENT] delegation', () => {
  it('spec: a non-admin grants only what it holds (seed example)', () => {
    const w = world('spec');
    const a = w.user('alice', { permissions: ['user_create', 'chat_send', 'chat_receive', 'news_list'] });
    expect(messagesTo(create(w, a.conn, { permissions: ['chat_send', 'file_download'] }), a.conn)[0]!.body.success).toBe(true);
    expect(w.state.accounts.newbie!.permissions).toEqual(['chat_send']);
  });
  it('nexusd: E-PERMISSION-DENIED as Error, nothing created', () => {
    const w = world('nexusd');
    const a = w.user('alice', { permissions: ['user_create', 'chat_send'] });
    const outs = create(w, a.conn, { permissions: ['chat_send', 'file_download'] });
    expect(messagesTo(outs, a.conn)[0]!.type).toBe('Error');
    expect(errorKey(outs, a.conn)).toBe('E-PERMISSION-DENIED');
    expect(isClosed(outs, a.conn)).toBe(false);
    expect(w.state.accounts.newbie).toBeUndefined();
  });
});

describe('ADM-CREATE-11 / GUEST-1 / GEN-7 name taken', () => {
  for (const profile of PROFILES) {
    it(`${profile}: case-insensitive, guest counts; parameter = name as sent`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      w.account('Alice');
      for (const username of ['ALICE', 'Guest']) {
        const outs = create(w, boss.conn, { username });
        expect(sends(outs, boss.conn)[0]!.error).toMatchObject({ key: 'E-USERNAME-EXISTS', params: { username } });
      }
    });
  }
});

describe('ADM-CREATE-12 / ADM-CREATE-13 / ADM-CREATE-14 success', () => {
  for (const profile of PROFILES) {
    it(`${profile}: stored as sent, offline, no broadcast; the new account can log in (or not, when disabled)`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      const watcher = w.user('watcher', { permissions: ['user_list'] });
      w.tick(42);
      const outs = create(w, boss.conn, { username: 'NewBie', password: 'pw2', permissions: ['chat_send', 'chat_send'] });
      expect(messagesTo(outs, boss.conn)).toEqual([
        { type: 'UserCreateResponse', id: expect.any(String), body: { type: 'UserCreateResponse', success: true, username: 'NewBie' } },
      ]);
      expect(messagesTo(outs, watcher.conn)).toEqual([]);
      expect(w.state.accounts.newbie).toMatchObject({
        username: 'NewBie',
        isAdmin: false,
        isShared: false,
        enabled: true,
        permissions: ['chat_send'],
        createdAt: T0 + 42,
      });
      expect(w.session('newbie', { password: 'pw2' }).sessionId).toBeGreaterThan(0);
      create(w, boss.conn, { username: 'sleeper', enabled: false });
      const late = w.session('sleeper', { password: 'secret' });
      expect(late.sessionId).toBe(0);
    });
  }
});

describe('PERM-1 / PERM-2 / PERM-3 catalogue', () => {
  for (const profile of PROFILES) {
    it(`${profile}: the 27 era names are known; out-of-scope names of later builds are not`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      expect(ALL_PERMISSIONS).toHaveLength(27);
      expect(messagesTo(create(w, boss.conn, { permissions: [...ALL_PERMISSIONS] }), boss.conn)[0]!.body.success).toBe(true);
      expect(new Set(w.state.accounts.newbie!.permissions)).toEqual(new Set(ALL_PERMISSIONS));
      expect(sends(create(w, boss.conn, { username: 'x2', permissions: ['ban_create'] }), boss.conn)[0]!.error?.key).toBe(
        'E-UNKNOWN-PERMISSION',
      );
    });
  }
  it('spec: a shared account created with every name keeps exactly the 10 shared-allowed ones', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    create(w, boss.conn, { is_shared: true, permissions: [...ALL_PERMISSIONS] });
    expect(new Set(w.state.accounts.newbie!.permissions)).toEqual(new Set(SHARED_ALLOWED));
  });
  it('nexusd: the shared-allowed names pass unchanged', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    create(w, boss.conn, { is_shared: true, permissions: [...SHARED_ALLOWED] });
    expect(new Set(w.state.accounts.newbie!.permissions)).toEqual(new Set(SHARED_ALLOWED));
  });
});
