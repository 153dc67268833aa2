// rules.md §4.2 UserInfo (USR-INFO-1..8), SES-ID-2, GEN-7, UND-15.
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/protocol/types.ts';
import { T0, isClosed, messagesTo, sends, world, type World } from './world.ts';

const info = (w: World, conn: string, nickname: string) => messagesTo(w.send(conn, 'UserInfo', { nickname }), conn)[0]!;

function orphan(w: World, conn: string): void {
  const c = w.state.connections[conn]!;
  delete w.state.sessions[String(c.sessionId)];
  c.sessionId = null;
  c.phase = 'removed';
}

describe('USR-INFO-1 GEN-1', () => {
  for (const profile of PROFILES) {
    it(`${profile}: before Login → E-NOT-LOGGED-IN + close, even for an invalid nickname`, () => {
      const w = world(profile);
      const c = w.connect();
      w.handshake(c);
      const outs = w.send(c, 'UserInfo', { nickname: '' });
      expect(sends(outs, c)[0]!.error?.key).toBe('E-NOT-LOGGED-IN');
      expect(isClosed(outs, c)).toBe(true);
    });
  }
});

describe('USR-INFO-2 VAL-NICKNAME first', () => {
  for (const profile of PROFILES) {
    it(`${profile}: empty / too long / invalid nickname → typed error, before the permission check`, () => {
      const w = world(profile);
      const a = w.user('alice'); // no user_info
      const cases: Array<[string, string]> = [
        ['', 'E-NICKNAME-EMPTY'],
        ['x'.repeat(33), 'E-NICKNAME-TOO-LONG'],
        ['has space', 'E-NICKNAME-INVALID'],
      ];
      for (const [nickname, key] of cases) {
        const outs = w.send(a.conn, 'UserInfo', { nickname });
        expect(messagesTo(outs, a.conn)[0]!.type).toBe('UserInfoResponse');
        expect(sends(outs, a.conn)[0]!.error?.key).toBe(key);
        expect(isClosed(outs, a.conn)).toBe(false);
      }
    });
    it(`${profile}: it also runs before GEN-2`, () => {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_info'] });
      orphan(w, a.conn);
      const outs = w.send(a.conn, 'UserInfo', { nickname: '' });
      expect(sends(outs, a.conn)[0]!.error?.key).toBe('E-NICKNAME-EMPTY');
    });
  }
});

describe('USR-INFO-3 GEN-2', () => {
  for (const profile of PROFILES) {
    it(`${profile}: a removed session with a valid nickname → E-AUTHENTICATION + close`, () => {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_info'] });
      orphan(w, a.conn);
      const outs = w.send(a.conn, 'UserInfo', { nickname: 'alice' });
      expect(sends(outs, a.conn)[0]!.error?.key).toBe('E-AUTHENTICATION');
      expect(isClosed(outs, a.conn)).toBe(true);
    });
  }
});

describe('USR-INFO-4 user_info (GEN-4 carrier)', () => {
  it('spec: typed UserInfoResponse; nexusd: Error; both stay open', () => {
    for (const [profile, type] of [
      ['spec', 'UserInfoResponse'],
      ['nexusd', 'Error'],
    ] as const) {
      const w = world(profile);
      const a = w.user('alice');
      const outs = w.send(a.conn, 'UserInfo', { nickname: 'alice' });
      expect(messagesTo(outs, a.conn)[0]!.type).toBe(type);
      expect(sends(outs, a.conn)[0]!.error?.key).toBe('E-PERMISSION-DENIED');
      expect(isClosed(outs, a.conn)).toBe(false);
    }
  });
});

describe('USR-INFO-5 not online', () => {
  it('spec: an existing but offline account → "User \'<as typed>\' is not online"', () => {
    const w = world('spec');
    const a = w.user('alice', { permissions: ['user_info'] });
    w.account('Offline');
    expect(info(w, a.conn, 'OFFLINE').body).toEqual({
      type: 'UserInfoResponse',
      success: false,
      error: "User 'OFFLINE' is not online",
    });
  });
  it('nexusd: the same wording with the parameter in isolation marks', () => {
    const w = world('nexusd');
    const a = w.user('alice', { permissions: ['user_info'] });
    expect(info(w, a.conn, 'unknown').body.error).toBe("User '\u2068unknown\u2069' is not online");
  });
});

describe('USR-INFO-6 / SES-ID-2 detailed view', () => {
  for (const profile of PROFILES) {
    it(`${profile}: aggregated over the account's sessions, features union, created_at; case-insensitive lookup`, () => {
      const w = world(profile);
      const me = w.user('me', { permissions: ['user_info'] });
      w.tick(10);
      const s1 = w.user('alice', { features: ['chat', 'news'], locale: 'de' });
      w.tick(10);
      const s2 = w.session('alice', { features: ['files', 'chat'], locale: 'fr', avatar: 'data:image/png;base64,QQ==' });
      const r = info(w, me.conn, 'ALICE');
      const user = r.body.user as Record<string, unknown>;
      expect(user).toMatchObject({
        username: 'alice',
        nickname: 'alice',
        login_time: T0 + 10,
        is_shared: false,
        session_ids: [s1.sessionId, s2.sessionId],
        created_at: T0 + 10,
        locale: 'fr',
        avatar: 'data:image/png;base64,QQ==',
        is_away: false,
      });
      expect(new Set(user.features as string[])).toEqual(new Set(['chat', 'news', 'files']));
      expect(user).not.toHaveProperty('addresses');
    });
    it(`${profile}: looking oneself up is allowed; a shared session stands alone`, () => {
      const w = world(profile);
      w.account('shared_acct', { shared: true, permissions: ['user_info'] });
      const v1 = w.session('shared_acct', { nickname: 'Visitor' });
      w.session('shared_acct', { nickname: 'Other' });
      const user = info(w, v1.conn, 'visitor').body.user as Record<string, unknown>;
      expect(user).toMatchObject({ username: 'shared_acct', nickname: 'Visitor', is_shared: true, session_ids: [v1.sessionId] });
    });
  }
});

describe('USR-INFO-7 [DIVERGENT] is_admin', () => {
  it('spec: only for admin requesters', () => {
    const w = world('spec');
    const me = w.user('me', { permissions: ['user_info'] });
    const boss = w.admin('boss');
    expect(info(w, me.conn, 'boss').body.user).not.toHaveProperty('is_admin');
    expect(info(w, boss.conn, 'me').body.user).toMatchObject({ is_admin: false });
    expect(info(w, boss.conn, 'boss').body.user).toMatchObject({ is_admin: true });
  });
  it('nexusd: always present', () => {
    const w = world('nexusd');
    const me = w.user('me', { permissions: ['user_info'] });
    w.admin('boss');
    expect(info(w, me.conn, 'boss').body.user).toMatchObject({ is_admin: true });
  });
});

describe('USR-INFO-8 [DIVERGENT] addresses', () => {
  it('only admin requesters see them', () => {
    for (const profile of PROFILES) {
      const w = world(profile);
      const me = w.user('me', { permissions: ['user_info'] });
      expect(info(w, me.conn, 'me').body.user).not.toHaveProperty('addresses');
    }
  });
  it('spec: bare IPs, IPv4 peers as dotted IPv4 (also when the socket saw a mapped address)', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    w.user('bob', { ip: '::ffff:192.168.1.100' });
    w.session('bob', { ip: '10.0.0.5' });
    w.session('bob', { ip: '2001:db8::1' });
    expect((info(w, boss.conn, 'bob').body.user as { addresses: string[] }).addresses).toEqual([
      '192.168.1.100',
      '10.0.0.5',
      '2001:db8::1',
    ]);
  });
  it('nexusd: socket addresses with port', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    w.user('bob', { ip: '192.168.1.100' });
    w.session('bob', { ip: '::ffff:10.0.0.5' });
    const bob = Object.values(w.state.sessions).filter((s) => s.accountKey === 'bob');
    expect((info(w, boss.conn, 'bob').body.user as { addresses: string[] }).addresses).toEqual([
      `192.168.1.100:${bob[0]!.port}`,
      `[::ffff:10.0.0.5]:${bob[1]!.port}`,
    ]);
  });
});

describe('UND-15 nickname lookups prefer the live shared session', () => {
  it('a shared nickname equal to an online regular username resolves to the shared session', () => {
    const w = world('spec');
    const me = w.user('me', { permissions: ['user_info'] });
    w.account('shared_acct', { shared: true });
    const v = w.session('shared_acct', { nickname: 'Visitor' });
    w.account('visitor'); // created after the shared login took the nickname (UND-15 accepted)
    w.session('visitor');
    expect(info(w, me.conn, 'visitor').body.user).toMatchObject({ username: 'shared_acct', session_ids: [v.sessionId] });
  });
});
