// session.md §1–§6 on the pure model: one test per rule id, both profiles where they differ.
import { describe, expect, it } from 'vitest';
import { classifyError, renderError } from '../../src/model/errors.ts';
import { passwordDigest } from '../../src/model/password.ts';
import { SHARED_ALLOWED } from '../../src/model/permissions.ts';
import { PROFILES } from '../../src/protocol/types.ts';
import type { Profile } from '../../src/protocol/types.ts';
import { T0, closes, expectFailure, isClosed, messagesTo, ofType, recipients, sends, single, world } from './world.ts';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';

/** A world with an admin already present, so unknown names are not first users. */
function populated(profile: Profile) {
  const w = world(profile);
  w.account('admin', { admin: true });
  return w;
}

describe('Handshake (session.md §1)', () => {
  for (const profile of PROFILES) {
    it(`SES-HS-1 version empty → too long → not SemVer, each H and close (${profile})`, () => {
      const w = world(profile);
      for (const [version, key] of [
        ['', 'E-VERSION-EMPTY'],
        [`0.5.0-${'a'.repeat(27)}`, 'E-VERSION-TOO-LONG'],
        ['v0.5.0', 'E-VERSION-INVALID-SEMVER'],
        ['0.5', 'E-VERSION-INVALID-SEMVER'],
        ['0.5.0 ', 'E-VERSION-INVALID-SEMVER'],
      ] as const) {
        const c = w.connect();
        const out = expectFailure(w.handshake(c, version), c, key, 'H');
        expect(out.message.type).toBe('HandshakeResponse');
        expect(out.message.body.success).toBe(false);
        expect(w.state.connections[c]).toBeUndefined();
      }
    });

    it(`SES-HS-2 major mismatch, then client minor > server minor (${profile})`, () => {
      const w = world(profile);
      const a = w.connect();
      const major = expectFailure(w.handshake(a, '1.0.0'), a, 'E-VERSION-MAJOR-MISMATCH', 'H');
      expect(major.error!.params).toEqual({ server_major: 0, client_major: 1 });
      const b = w.connect();
      const tooNew = expectFailure(w.handshake(b, '0.6.0-rc.1'), b, 'E-VERSION-CLIENT-TOO-NEW', 'H');
      expect(tooNew.error!.params).toEqual({ client_version: '0.6.0-rc.1', server_version: '0.5.0' });
      expect(tooNew.message.body.error).toBe(renderError('E-VERSION-CLIENT-TOO-NEW', tooNew.error!.params, profile));
    });
  }

  it('SES-HS-3 an older minor of the same major is compatible (0.4.0 against 0.5.0)', () => {
    const w = world('spec');
    const c = w.connect();
    expect(single(w.handshake(c, '0.4.0'), c).body).toMatchObject({ success: true, version: '0.5.0' });
    const d = w.connect();
    expect(single(w.handshake(d, '0.5.99-alpha'), d).body.success).toBe(true);
  });

  it('SES-HS-4 success echoes the id, reports the protocol version and makes the connection SHAKEN', () => {
    const w = world('nexusd');
    const c = w.connect();
    const out = w.send(c, 'Handshake', { version: '0.5.0' }, 'ABCDEF012345');
    expect(out).toHaveLength(1);
    const m = single(out, c);
    expect(m).toEqual({
      type: 'HandshakeResponse',
      id: 'ABCDEF012345',
      body: { type: 'HandshakeResponse', success: true, version: '0.5.0' },
    });
    expect(w.state.connections[c]!.phase).toBe('shaken');
  });

  it('SES-HS-5 failure carries version, and the form without version is an accepted alternative', () => {
    const w = world('spec');
    const c = w.connect();
    const out = expectFailure(w.handshake(c, ''), c, 'E-VERSION-EMPTY', 'H');
    expect(out.message.body).toEqual({
      type: 'HandshakeResponse',
      success: false,
      version: '0.5.0',
      error: 'Version cannot be empty',
    });
    expect(out.accept?.alternatives).toEqual([
      { type: 'HandshakeResponse', body: { type: 'HandshakeResponse', success: false, error: 'Version cannot be empty' } },
    ]);
  });

  it('SES-HS-6 handshake errors are English', () => {
    const w = world('nexusd');
    const c = w.connect();
    const out = expectFailure(w.handshake(c, 'x'), c, 'E-VERSION-INVALID-SEMVER', 'H');
    expect(out.message.body.error).toBe('Version must be in semver format (MAJOR.MINOR.PATCH)');
  });

  for (const profile of PROFILES) {
    it(`SES-HS-7 a second Handshake fails before and after Login; after Login the session ends (${profile})`, () => {
      const w = populated(profile);
      const c = w.connect();
      w.handshake(c);
      expectFailure(w.handshake(c), c, 'E-HANDSHAKE-ALREADY-COMPLETED', 'H');
      expect(w.state.connections[c]).toBeUndefined();

      const watcher = w.user('watcher', { permissions: ['user_list'] });
      const alice = w.user('alice');
      const out = w.handshake(alice.conn);
      expectFailure(out, alice.conn, 'E-HANDSHAKE-ALREADY-COMPLETED', 'H');
      expect(single(out, watcher.conn)).toMatchObject({
        type: 'UserDisconnected',
        body: { session_id: alice.sessionId, nickname: 'alice' },
      });
      expect(w.state.sessions[String(alice.sessionId)]).toBeUndefined();
    });
  }

  it('SES-HS-8 the docs sample "Unsupported protocol version" classifies as a version mismatch', () => {
    expect(classifyError('Unsupported protocol version. Server: 0.5.0, Client: 1.0.0')).toEqual(
      expect.arrayContaining(['E-VERSION-MAJOR-MISMATCH', 'E-VERSION-CLIENT-TOO-NEW']),
    );
  });
});

describe('Login check order (session.md §2.1)', () => {
  it('SES-LOGIN-1 username "" means guest, before any check', () => {
    const w = populated('spec');
    w.enableGuest();
    const c = w.connect();
    w.handshake(c);
    const out = w.login(c, '', '', { nickname: 'Visitor' });
    expect(single(out, c).body.success).toBe(true);
    expect(w.state.sessions['1']).toMatchObject({ accountKey: 'guest', nickname: 'Visitor', isShared: true });
    // with guest disabled the same request names the guest error, not a username error
    const v = world('spec');
    const d = v.connect();
    v.handshake(d);
    expectFailure(v.login(d, '', '', { nickname: 'Visitor' }), d, 'E-GUEST-DISABLED', 'E!');
  });

  for (const profile of PROFILES) {
    it(`SES-LOGIN-2 Login before Handshake → E-HANDSHAKE-REQUIRED, command Login, close (${profile})`, () => {
      const w = populated(profile);
      const c = w.connect();
      // even an invalid username is not looked at before the handshake check
      const out = expectFailure(w.login(c, 'bad name', 'pw'), c, 'E-HANDSHAKE-REQUIRED', 'E!');
      expect(out.message.body).toEqual({ type: 'Error', message: 'Handshake required', command: 'Login' });
      expect(out.error!.carriers).toEqual(profile === 'spec' ? ['E!', 'T'] : ['E!']);
    });

    it(`SES-LOGIN-3 a second Login → E-ALREADY-LOGGED-IN and the session ends (${profile})`, () => {
      const w = populated(profile);
      const watcher = w.user('watcher', { permissions: ['user_list'] });
      const alice = w.user('alice');
      const out = w.login(alice.conn, 'alice', 'pw');
      expectFailure(out, alice.conn, 'E-ALREADY-LOGGED-IN', 'E!');
      expect(messagesTo(out, watcher.conn).map((m) => m.type)).toEqual(['UserDisconnected']);
      expect(w.state.sessions[String(alice.sessionId)]).toBeUndefined();
    });
  }

  for (const profile of PROFILES) {
    it(`SES-LOGIN-4 username validation, before the password (${profile})`, () => {
      const w = populated(profile);
      const cases = [
        ['u'.repeat(33), 'E-USERNAME-TOO-LONG'],
        ['has space', 'E-USERNAME-INVALID'],
        ['tab\tname', 'E-USERNAME-INVALID'],
      ] as const;
      for (const [username, key] of cases) {
        const c = w.connect();
        w.handshake(c);
        const out = expectFailure(w.login(c, username, 'p'.repeat(300)), c, key, 'E!');
        expect(out.message.body.command).toBe('Login');
      }
    });
  }

  it('SES-LOGIN-5 [DIVERGENT] password ≤ 256: spec characters, nexusd bytes', () => {
    for (const profile of PROFILES) {
      const w = populated(profile);
      const c = w.connect();
      w.handshake(c);
      expectFailure(w.login(c, 'admin', 'p'.repeat(257)), c, 'E-PASSWORD-TOO-LONG', 'E!');
    }
    const multi = 'é'.repeat(200); // 200 chars, 400 bytes
    const s = populated('spec');
    s.account('alice', { password: multi });
    expect(s.user('alice', { password: multi }).sessionId).toBe(1);
    const n = populated('nexusd');
    n.account('alice', { password: multi });
    const c = n.connect();
    n.handshake(c);
    expectFailure(n.login(c, 'alice', multi), c, 'E-PASSWORD-TOO-LONG', 'E!');
  });

  it('SES-LOGIN-6 locale: ≤ 16 bytes, no control characters, before the features', () => {
    const w = populated('nexusd');
    for (const [locale, key] of [
      ['l'.repeat(17), 'E-LOCALE-TOO-LONG'],
      ['en\u0000', 'E-LOCALE-INVALID-CHARACTERS'],
    ] as const) {
      const c = w.connect();
      w.handshake(c);
      expectFailure(w.login(c, 'admin', 'pw', { locale, features: [''] }), c, key, 'E!');
    }
  });

  it('SES-LOGIN-7 features: count, empty, length, controls', () => {
    const w = populated('spec');
    for (const [features, key] of [
      [Array(17).fill('f'), 'E-FEATURES-TOO-MANY'],
      [['chat', ''], 'E-FEATURES-EMPTY-FEATURE'],
      [['f'.repeat(33)], 'E-FEATURES-FEATURE-TOO-LONG'],
      [['a\nb'], 'E-FEATURES-INVALID-CHARACTERS'],
    ] as const) {
      const c = w.connect();
      w.handshake(c);
      expectFailure(w.login(c, 'admin', 'pw', { features: [...features], avatar: 'nope' }), c, key, 'E!');
    }
  });

  it('SES-LOGIN-8 avatar, when a string, must be a supported data URI; null is no avatar', () => {
    const w = populated('spec');
    for (const [avatar, key] of [
      ['nope', 'E-AVATAR-INVALID-FORMAT'],
      ['data:image/gif;base64,R0lG', 'E-AVATAR-UNSUPPORTED-TYPE'],
      [`data:image/png;base64,${'A'.repeat(176_000)}`, 'E-AVATAR-TOO-LARGE'],
    ] as const) {
      const c = w.connect();
      w.handshake(c);
      // the avatar is checked before the credentials
      expectFailure(w.login(c, 'admin', 'wrong', { avatar }), c, key, 'E!');
    }
    const ok = w.user('admin', { avatar: null });
    expect(ok.sessionId).toBeGreaterThan(0);
    expect(w.state.sessions[String(ok.sessionId)]!.avatar).toBeNull();
  });

  it('SES-LOGIN-9 account lookup is case-insensitive; the session uses the stored casing', () => {
    const w = populated('spec');
    w.account('Alice');
    const a = w.session('aLiCe');
    expect(a.sessionId).toBeGreaterThan(0);
    expect(w.state.sessions[String(a.sessionId)]).toMatchObject({ accountKey: 'alice', nickname: 'Alice' });
  });

  for (const profile of PROFILES) {
    it(`SES-LOGIN-10 a wrong password → E-INVALID-CREDENTIALS (${profile})`, () => {
      const w = populated(profile);
      const c = w.connect();
      w.handshake(c);
      const out = expectFailure(w.login(c, 'admin', 'wrong'), c, 'E-INVALID-CREDENTIALS', 'E!');
      expect(out.message.body.message).toBe('Invalid username or password');
      expect(out.error!.carriers).toEqual(profile === 'spec' ? ['E!', 'T'] : ['E!']);
    });
  }

  it('SES-LOGIN-11 disabled accounts: only after a correct password; parameter as typed', () => {
    for (const profile of PROFILES) {
      const w = populated(profile);
      w.account('Carol', { enabled: false, password: 'right' });
      const a = w.connect();
      w.handshake(a);
      expectFailure(w.login(a, 'CAROL', 'wrong'), a, 'E-INVALID-CREDENTIALS', 'E!');
      const b = w.connect();
      w.handshake(b);
      const out = expectFailure(w.login(b, 'CAROL', 'right'), b, 'E-ACCOUNT-DISABLED', 'E!');
      expect(out.error!.params).toEqual({ username: 'CAROL' });
      expect(out.message.body.message).toBe(renderError('E-ACCOUNT-DISABLED', { username: 'CAROL' }, profile));
      const g = w.connect();
      w.handshake(g);
      expectFailure(w.login(g, 'Guest', '', { nickname: 'Visitor' }), g, 'E-GUEST-DISABLED', 'E!');
    }
  });

  it('SES-LOGIN-12 an unknown account is E-INVALID-CREDENTIALS once any non-guest account exists', () => {
    const w = populated('nexusd');
    const c = w.connect();
    w.handshake(c);
    const out = expectFailure(w.login(c, 'nobody', 'pw'), c, 'E-INVALID-CREDENTIALS', 'E!');
    // same text as a wrong password: existence is not revealed
    expect(out.message.body.message).toBe('Invalid username or password');
    expect(w.state.accounts.nobody).toBeUndefined();
  });

  it('SES-LOGIN-13 a shared session needs a nickname (absent or null)', () => {
    const w = populated('spec');
    w.account('lobby', { shared: true, permissions: ['user_list'] });
    for (const nickname of [undefined, null]) {
      const c = w.connect();
      w.handshake(c);
      expectFailure(w.login(c, 'lobby', 'pw', { nickname }), c, 'E-NICKNAME-REQUIRED', 'E!');
    }
  });

  for (const profile of PROFILES) {
    it(`SES-LOGIN-14 the shared nickname passes VAL-NICKNAME (${profile})`, () => {
      const w = populated(profile);
      w.account('lobby', { shared: true });
      for (const [nickname, key] of [
        ['', 'E-NICKNAME-EMPTY'],
        ['n'.repeat(33), 'E-NICKNAME-TOO-LONG'],
        ['two words', 'E-NICKNAME-INVALID'],
      ] as const) {
        const c = w.connect();
        w.handshake(c);
        const out = expectFailure(w.login(c, 'lobby', 'pw', { nickname }), c, key, 'E!');
        expect(out.message.body.message).toBe(renderError(key, out.error!.params, profile));
      }
    });
  }

  it('SES-LOGIN-15 the nickname may not be any username (case-insensitive; guest and disabled included)', () => {
    const w = populated('spec');
    w.account('lobby', { shared: true });
    w.account('Dormant', { enabled: false });
    for (const nickname of ['ADMIN', 'guest', 'dormant', 'Lobby']) {
      const c = w.connect();
      w.handshake(c);
      expectFailure(w.login(c, 'lobby', 'pw', { nickname }), c, 'E-NICKNAME-IS-USERNAME', 'E!');
    }
  });

  it('SES-LOGIN-16 the nickname may not be a live session nickname (case-insensitive), free again after logout', () => {
    const w = populated('nexusd');
    w.account('lobby', { shared: true });
    const first = w.user('lobby', { nickname: 'Visitor' });
    const c = w.connect();
    w.handshake(c);
    expectFailure(w.login(c, 'lobby', 'pw', { nickname: 'VISITOR' }), c, 'E-NICKNAME-IN-USE', 'E!');
    w.close(first.conn);
    expect(w.user('lobby', { nickname: 'VISITOR' }).sessionId).toBeGreaterThan(0);
  });

  it('SES-LOGIN-17 success: LoginResponse first, then UserConnected to others (WIRE-ORD-4)', () => {
    const w = populated('spec');
    const admin = w.session('admin');
    w.account('bob');
    const bob = w.session('bob');
    expect(bob.outputs.map((o) => (o.kind === 'send' ? `${o.conn}:${o.message.type}` : `${o.conn}:close`))).toEqual([
      `${bob.conn}:LoginResponse`,
      `${admin.conn}:UserConnected`,
    ]);
    expect(w.state.connections[bob.conn]).toMatchObject({ phase: 'auth', sessionId: bob.sessionId });
  });

  it('SES-LOGIN-17 a regular account ignores the nickname, without validating it', () => {
    const w = populated('spec');
    const a = w.session('admin', { nickname: 'not valid at all \n' });
    expect(w.state.sessions[String(a.sessionId)]!.nickname).toBe('admin');
  });
});

describe('Account kinds (session.md §2.2)', () => {
  it('SES-AUTH-1 regular accounts allow concurrent sessions, nickname = stored username', () => {
    const w = populated('spec');
    w.account('Bob');
    const one = w.session('bob');
    const two = w.session('BOB');
    expect(two.sessionId).toBeGreaterThan(one.sessionId);
    expect([w.state.sessions[String(one.sessionId)]!.nickname, w.state.sessions[String(two.sessionId)]!.nickname]).toEqual(['Bob', 'Bob']);
  });

  for (const profile of PROFILES) {
    it(`SES-AUTH-2 the first login creates an enabled admin with no stored permissions (${profile})`, () => {
      const w = world(profile);
      w.tick(5);
      const first = w.session('Founder', { password: 'secret' });
      const resp = single(first.outputs, first.conn);
      expect(resp.body).toMatchObject({ success: true, is_admin: true, permissions: [] });
      expect(w.state.accounts.founder).toEqual({
        username: 'Founder',
        passwordDigest: passwordDigest('secret'),
        isAdmin: true,
        isShared: false,
        enabled: true,
        permissions: [],
        createdAt: T0 + 5,
      });
      // from now on an unknown name is refused and the password is checked
      const c = w.connect();
      w.handshake(c);
      expectFailure(w.login(c, 'second', 'pw'), c, 'E-INVALID-CREDENTIALS', 'E!');
      const d = w.connect();
      w.handshake(d);
      expectFailure(w.login(d, 'founder', 'wrong'), d, 'E-INVALID-CREDENTIALS', 'E!');
    });
  }

  it('SES-AUTH-2 validation still precedes first-user creation', () => {
    const w = world('spec');
    const c = w.connect();
    w.handshake(c);
    expectFailure(w.login(c, 'first', 'pw', { locale: 'x'.repeat(17) }), c, 'E-LOCALE-TOO-LONG', 'E!');
    expect(Object.keys(w.state.accounts)).toEqual(['guest']);
  });

  it('SES-SHARED-1 a shared session: its own nickname, never admin', () => {
    const w = populated('spec');
    const admin = w.session('admin');
    w.account('lobby', { shared: true, permissions: ['user_list', 'chat_topic'] });
    const v = w.session('lobby', { nickname: 'Visitor' });
    expect(single(v.outputs, v.conn).body).toMatchObject({ success: true, is_admin: false, permissions: ['user_list', 'chat_topic'] });
    expect(single(v.outputs, admin.conn).body.user).toMatchObject({
      username: 'lobby',
      nickname: 'Visitor',
      is_shared: true,
      is_admin: false,
    });
  });

  it('SES-SHARED-2 shared sessions are independent and start with no away/status', () => {
    const w = populated('spec');
    w.account('lobby', { shared: true });
    const one = w.session('lobby', { nickname: 'One' });
    w.state.sessions[String(one.sessionId)]!.isAway = true;
    w.state.sessions[String(one.sessionId)]!.status = 'brb';
    const two = w.session('lobby', { nickname: 'Two' });
    expect(w.state.sessions[String(two.sessionId)]).toMatchObject({ nickname: 'Two', isAway: false, status: null });
    expect(w.state.sessions[String(one.sessionId)]).toMatchObject({ nickname: 'One', isAway: true, status: 'brb' });
  });

  it('SES-GUEST-1 guest logs in as "" or any casing of guest with an empty password only', () => {
    const w = populated('nexusd');
    w.enableGuest();
    expect(w.session('', { password: '', nickname: 'G1' }).sessionId).toBeGreaterThan(0);
    expect(w.session('GUEST', { password: '', nickname: 'G2' }).sessionId).toBeGreaterThan(0);
    const c = w.connect();
    w.handshake(c);
    expectFailure(w.login(c, 'guest', 'x', { nickname: 'G3' }), c, 'E-INVALID-CREDENTIALS', 'E!');
    const d = w.connect();
    w.handshake(d);
    expectFailure(w.login(d, 'guest', ''), d, 'E-NICKNAME-REQUIRED', 'E!');
  });

  it('SES-GUEST-2 the guest account starts shared, disabled, empty password, 10 shared-allowed names', () => {
    const w = world('spec');
    expect(w.state.accounts.guest).toEqual({
      username: 'guest',
      passwordDigest: '',
      isAdmin: false,
      isShared: true,
      enabled: false,
      permissions: [...SHARED_ALLOWED],
      createdAt: T0,
    });
    const c = w.connect();
    w.handshake(c);
    const out = expectFailure(w.login(c, 'guest', '', { nickname: 'Visitor' }), c, 'E-GUEST-DISABLED', 'E!');
    expect(out.message.body.message).toBe('Guest access is not enabled on this server');
  });
});

describe('LoginResponse (session.md §3)', () => {
  it('SES-LR-1 success carries session_id, is_admin, permissions, server_info, locale and no error', () => {
    const w = populated('spec');
    w.account('bob', { permissions: ['user_info'] });
    const b = w.session('bob');
    const body = single(b.outputs, b.conn).body;
    expect(Object.keys(body).sort()).toEqual(['is_admin', 'locale', 'permissions', 'server_info', 'session_id', 'success', 'type']);
    expect(body.error).toBeUndefined();
  });

  it('SES-LR-2 session ids count up from 1 and are never reused', () => {
    const w = populated('nexusd');
    const a = w.session('admin');
    const b = w.session('admin');
    expect([a.sessionId, b.sessionId]).toEqual([1, 2]);
    w.close(b.conn);
    expect(w.session('admin').sessionId).toBe(3);
  });

  it('SES-LR-3 permissions are the stored names; admins report [] whatever is stored', () => {
    const w = populated('spec');
    w.state.accounts.admin!.permissions = ['user_list'];
    const a = w.session('admin');
    expect(single(a.outputs, a.conn).body).toMatchObject({ is_admin: true, permissions: [] });
    w.account('bob', { permissions: ['user_info', 'news_list'] });
    const b = w.session('bob');
    expect(single(b.outputs, b.conn).body).toMatchObject({ is_admin: false, permissions: ['user_info', 'news_list'] });
  });

  it('SES-LR-4 locale is echoed as sent, "en" when omitted or null; the connection adopts it', () => {
    const w = populated('spec');
    const de = w.session('admin', { locale: 'de-AT' });
    expect(single(de.outputs, de.conn).body.locale).toBe('de-AT');
    expect(w.state.connections[de.conn]!.locale).toBe('de-AT');
    const none = w.session('admin');
    expect(single(none.outputs, none.conn).body.locale).toBe('en');
    const nul = w.session('admin', { locale: null });
    expect(single(nul.outputs, nul.conn).body.locale).toBe('en');
    const empty = w.session('admin', { locale: '' });
    expect(single(empty.outputs, empty.conn).body.locale).toBe('');
  });

  it('SES-LR-5 / SES-SI-1, SES-SI-2, SES-SI-3, SES-SI-4, SES-SI-5, SES-SI-6 defaults / SES-SI-7 [DIVERGENT] server_info is complete; an unset image is null (spec) or "" (nexusd)', () => {
    for (const [profile, image] of [
      ['spec', null],
      ['nexusd', ''],
    ] as const) {
      const w = populated(profile);
      const a = w.session('admin');
      expect(single(a.outputs, a.conn).body.server_info).toEqual({
        name: 'Nexus BBS',
        description: '',
        version: '0.5.0',
        transfer_port: 7501,
        max_connections_per_ip: 5,
        max_transfers_per_ip: 3,
        image,
      });
      w.state.serverInfo.image = PNG;
      const b = w.session('admin');
      expect((single(b.outputs, b.conn).body.server_info as Record<string, unknown>).image).toBe(PNG);
    }
  });

  it('SES-LR-6 chat_info only for admins and chat_topic holders', () => {
    const w = populated('nexusd');
    w.state.chatInfo = { topic: 'Welcome', topic_set_by: 'admin' };
    const a = w.session('admin');
    expect(single(a.outputs, a.conn).body.chat_info).toEqual({ topic: 'Welcome', topic_set_by: 'admin' });
    w.account('reader', { permissions: ['chat_topic'] });
    const r = w.session('reader');
    expect(single(r.outputs, r.conn).body.chat_info).toEqual({ topic: 'Welcome', topic_set_by: 'admin' });
    w.account('plain', { permissions: ['chat_send'] });
    const p = w.session('plain');
    expect('chat_info' in single(p.outputs, p.conn).body).toBe(false);
  });

  it('SES-LR-7 no nickname, user_id, channels or group members', () => {
    const w = populated('spec');
    w.account('lobby', { shared: true });
    const v = w.session('lobby', { nickname: 'Visitor' });
    const body = single(v.outputs, v.conn).body;
    for (const k of ['nickname', 'user_id', 'channels', 'groups']) expect(k in body, k).toBe(false);
  });
});

describe('Session identity and broadcasts (session.md §4, §5)', () => {
  it('SES-ID-3 a regular session inherits away/status from the latest existing session', () => {
    const w = populated('spec');
    w.account('bob');
    const one = w.session('bob');
    const two = w.session('bob');
    w.state.sessions[String(one.sessionId)]!.isAway = true;
    w.state.sessions[String(two.sessionId)]!.status = 'latest';
    const three = w.session('bob');
    // the latest existing session is `two`: not away, status "latest"
    expect(w.state.sessions[String(three.sessionId)]).toMatchObject({ isAway: false, status: 'latest' });
  });

  it('SES-BC-1 UserConnected goes to every other user_list holder (admins included), describing the new session only', () => {
    const w = populated('spec');
    const admin = w.session('admin');
    w.account('lister', { permissions: ['user_list'] });
    const lister = w.session('lister');
    w.account('blind', { permissions: ['user_info'] });
    const blind = w.session('blind');
    const stranger = w.connect();
    w.handshake(stranger);
    w.account('bob');
    w.tick(7);
    const first = w.session('bob', { locale: 'fr', avatar: PNG });
    expect(recipients(first.outputs, 'UserConnected').sort()).toEqual([admin.conn, lister.conn].sort());
    expect(single(first.outputs, lister.conn).body).toEqual({
      type: 'UserConnected',
      user: {
        username: 'bob',
        nickname: 'bob',
        login_time: T0 + 7,
        is_admin: false,
        is_shared: false,
        session_ids: [first.sessionId],
        locale: 'fr',
        avatar: PNG,
        is_away: false,
      },
    });
    expect(messagesTo(first.outputs, blind.conn)).toEqual([]);
    expect(messagesTo(first.outputs, stranger)).toEqual([]);
    // a second session of an account already online is announced too, with only its own id and no avatar
    const second = w.session('bob');
    const user = single(second.outputs, admin.conn).body.user as Record<string, unknown>;
    expect(user.session_ids).toEqual([second.sessionId]);
    expect('avatar' in user).toBe(false);
    expect('status' in user).toBe(false);
    // each copy has its own fresh id (WIRE-ID-3)
    const ids = ofType(second.outputs, 'UserConnected').map((o) => o.message.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('SES-BC-2 [DIVERGENT] an inherited away state: spec shows it (nexusd form accepted), nexusd never', () => {
    for (const profile of PROFILES) {
      const w = populated(profile);
      const admin = w.session('admin');
      w.account('bob');
      const one = w.session('bob');
      w.state.sessions[String(one.sessionId)]!.isAway = true;
      w.state.sessions[String(one.sessionId)]!.status = 'lunch';
      const two = w.session('bob');
      const out = ofType(two.outputs, 'UserConnected').find((o) => o.conn === admin.conn)!;
      const user = out.message.body.user as Record<string, unknown>;
      if (profile === 'spec') {
        expect(user).toMatchObject({ is_away: true, status: 'lunch' });
        const alt = out.accept!.alternatives![0]!.body.user as Record<string, unknown>;
        expect(alt.is_away).toBe(false);
        expect('status' in alt).toBe(false);
      } else {
        expect(user.is_away).toBe(false);
        expect('status' in user).toBe(false);
        expect(out.accept).toBeUndefined();
      }
      // the session itself inherited in both profiles (SES-ID-3)
      expect(w.state.sessions[String(two.sessionId)]).toMatchObject({ isAway: true, status: 'lunch' });
    }
  });

  it('SES-BC-3 a session end sends one UserDisconnected to each remaining user_list holder', () => {
    const w = populated('nexusd');
    const admin = w.session('admin');
    w.account('bob', { permissions: ['user_list'] });
    const bob1 = w.session('bob');
    const bob2 = w.session('bob');
    w.account('blind');
    const blind = w.session('blind');
    const out = w.close(bob1.conn);
    expect(
      sends(out)
        .map((o) => o.conn)
        .sort(),
    ).toEqual([admin.conn, bob2.conn].sort());
    expect(single(out, admin.conn).body).toEqual({ type: 'UserDisconnected', session_id: bob1.sessionId, nickname: 'bob' });
    expect(messagesTo(out, blind.conn)).toEqual([]);
    expect(closes(out)).toEqual([]); // the peer closed: nothing to close
  });

  it('SES-BC-5 no broadcast for Handshake, a failed Login or a pre-login disconnect', () => {
    const w = populated('spec');
    const admin = w.session('admin');
    const c = w.connect();
    expect(messagesTo(w.handshake(c), admin.conn)).toEqual([]);
    expect(messagesTo(w.login(c, 'admin', 'wrong'), admin.conn)).toEqual([]);
    const d = w.connect();
    w.handshake(d);
    expect(w.close(d)).toEqual([]);
  });
});

describe('The generic Error (session.md §6)', () => {
  it('SES-ERR-1 framing failures: Error without command, fresh id, optional, then close', () => {
    const w = populated('spec');
    const c = w.connect();
    const out = w.raw(c, 'Handshake', '{not json', 'AAAAAAAAAAAA');
    const err = sends(out, c)[0]!;
    expect(err.message.body).toEqual({ type: 'Error', message: 'Invalid message format' });
    expect(err.message.id).not.toBe('AAAAAAAAAAAA');
    expect(err.message.id).toMatch(/^[0-9a-f]{12}$/);
    expect(err.accept).toEqual({ optional: true });
    expect(closes(out, c).map((x) => x.reason)).toEqual(['malformed']);
  });

  it('SES-ERR-2 hard errors echo the request id, carry the command and close', () => {
    const w = populated('nexusd');
    const c = w.connect();
    const out = w.send(c, 'UserList', { all: false }, '0123456789AB');
    const err = expectFailure(out, c, 'E-NOT-LOGGED-IN', 'E!');
    expect(err.message).toEqual({
      type: 'Error',
      id: '0123456789AB',
      body: { type: 'Error', message: 'Not logged in', command: 'UserList' },
    });
    expect(isClosed(out, c)).toBe(true);
  });
});
