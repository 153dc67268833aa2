// Session family over real sockets: Handshake, Login (regular, first user, shared with nickname,
// guest after enabling), UserConnected to user_list holders only (BC-1, SES-BC-1), UserDisconnected
// on close (BC-2, SES-BC-3). Both profiles.
import { describe, expect, it } from 'vitest';
import {
  PROFILES,
  PROTOCOL,
  T,
  ask,
  barrier,
  bodies,
  bodyOf,
  connect,
  createUser,
  drain,
  expectClosed,
  expectQuiet,
  finalBarrierPreLogin,
  handshake,
  login,
  loginFails,
  serve,
  withAdmin,
} from './support.ts';
import { perTest } from '../support/per-test.ts';
import { serverInfoView } from '../../src/model/index.ts';

const pt = perTest();

describe.each(PROFILES)('session (%s)', (profile) => {
  it('Handshake: success echoes the id; a too-new client gets HandshakeResponse failure and a close (SES-HS-2/4/5)', async () => {
    const s = await serve(pt, profile);
    const a = await connect(s);
    const ok = await a.request('Handshake', { version: PROTOCOL }, T, '0123456789ab');
    expect(ok.raw.id).toBe('0123456789ab');
    expect(bodyOf(ok)).toEqual({ type: 'HandshakeResponse', success: true, version: PROTOCOL });

    const b = await connect(s);
    const bad = await b.request('Handshake', { version: '0.6.0' }, T);
    expect(bodyOf(bad)).toEqual({
      type: 'HandshakeResponse',
      success: false,
      version: PROTOCOL,
      error: s.err('E-VERSION-CLIENT-TOO-NEW', { client_version: '0.6.0', server_version: PROTOCOL }),
    });
    await expectClosed(b);

    // SES-HS-7: a second Handshake on a shaken connection fails and closes.
    const again = await a.request('Handshake', { version: PROTOCOL }, T);
    expect(bodyOf(again)).toEqual({
      type: 'HandshakeResponse',
      success: false,
      version: PROTOCOL,
      error: s.err('E-HANDSHAKE-ALREADY-COMPLETED'),
    });
    await expectClosed(a);
  });

  it('first login creates an enabled admin; later unknown names get E-INVALID-CREDENTIALS (SES-AUTH-2, SES-LOGIN-12)', async () => {
    const s = await serve(pt, profile);
    const admin = await login(s, 'Admin', 'adminpw', { locale: 'de' });
    expect(admin.login).toEqual({
      type: 'LoginResponse',
      success: true,
      session_id: admin.sessionId,
      is_admin: true,
      permissions: [],
      server_info: serverInfoView(s.state().serverInfo, profile),
      // SES-LR-6: admins get chat_info.
      chat_info: { topic: '', topic_set_by: '' },
      locale: 'de',
    });
    expect(admin.sessionId).toBeGreaterThan(0);
    // SES-SI-7: unset image is null in `spec`, "" in `nexusd`.
    expect((admin.login.server_info as Record<string, unknown>).image).toBe(profile === 'spec' ? null : '');
    expect(s.state().accounts['admin']).toMatchObject({ username: 'Admin', isAdmin: true, enabled: true });

    expect(await loginFails(s, 'stranger', 'pw')).toBe(s.err('E-INVALID-CREDENTIALS'));
    // Case-insensitive account lookup (GEN-7), wrong password.
    expect(await loginFails(s, 'ADMIN', 'wrong')).toBe(s.err('E-INVALID-CREDENTIALS'));
    // The failed logins broadcast nothing (SES-BC-5).
    await expectQuiet(admin);
  });

  it('Login before Handshake: E-HANDSHAKE-REQUIRED and close (SES-LOGIN-2)', async () => {
    const s = await serve(pt, profile);
    const c = await connect(s);
    const r = await ask(c, 'Login', { username: 'x', password: 'y', features: [] });
    expect(r).toEqual({ type: 'Error', message: s.err('E-HANDSHAKE-REQUIRED'), command: 'Login' });
    await expectClosed(c);
  });

  it('regular login: UserConnected goes to user_list holders only, never to the new session or pre-login connections (BC-1)', async () => {
    const { s, admin } = await withAdmin(pt, profile);
    await createUser(admin, 'alice', 'alicepw', { permissions: ['user_list', 'user_info', 'chat_topic'] });
    await createUser(admin, 'bob', 'bobpw', { permissions: ['user_info'] });
    const bob = await login(s, 'bob', 'bobpw');
    expect(bob.login).toMatchObject({ is_admin: false, permissions: ['user_info'], locale: 'en' });
    expect(bob.login).not.toHaveProperty('chat_info'); // no chat_topic (SES-LR-6)
    // Admin saw bob arrive; bob sees nothing.
    const onAdmin = await drain(admin);
    expect(onAdmin).toEqual([
      {
        type: 'UserConnected',
        user: {
          username: 'bob',
          nickname: 'bob',
          login_time: s.clock.now,
          is_admin: false,
          is_shared: false,
          session_ids: [bob.sessionId],
          locale: 'en',
          is_away: false,
        },
      },
    ]);

    // A connection that only did Handshake never gets broadcasts (rules.md §6).
    const lurker = await connect(s);
    await handshake(lurker);

    s.clock.now += 10;
    const alice = await login(s, 'ALICE', 'alicepw', { locale: 'fr', avatar: 'data:image/png;base64,AAAA' });
    expect(alice.login).toMatchObject({
      is_admin: false,
      locale: 'fr',
      chat_info: { topic: '', topic_set_by: '' },
    });
    expect(new Set(alice.login.permissions as string[])).toEqual(new Set(['user_list', 'user_info', 'chat_topic']));
    expect(alice.sessionId).not.toBe(bob.sessionId);
    const connected = await barrier(admin.conn);
    expect(bodies(connected)).toEqual([
      {
        type: 'UserConnected',
        user: {
          // SES-BC-1: the reference fills in the stored casing; nexusd may echo the typed one.
          username: 'alice',
          nickname: 'alice',
          login_time: s.clock.now,
          is_admin: false,
          is_shared: false,
          session_ids: [alice.sessionId],
          locale: 'fr',
          avatar: 'data:image/png;base64,AAAA',
          is_away: false,
        },
      },
    ]);
    // WIRE-ID-3: broadcasts carry fresh ids.
    expect(connected[0]!.raw.id).toMatch(/^[0-9a-f]{12}$/);
    await expectQuiet(bob, alice);
    expect(await finalBarrierPreLogin(lurker, profile)).toEqual([]);
  });

  it('shared account: nickname required, unique and not a username; UserConnected shows the nickname (SES-LOGIN-13..16)', async () => {
    const { s, admin } = await withAdmin(pt, profile);
    await createUser(admin, 'lobby', 'lobbypw', { isShared: true, permissions: ['user_list', 'user_info'] });
    await createUser(admin, 'watcher', 'watchpw', { permissions: ['user_list'] });
    const watcher = await login(s, 'watcher', 'watchpw');
    await drain(admin);

    const visitor = await login(s, 'lobby', 'lobbypw', { nickname: 'Visitor' });
    expect(visitor.login).toMatchObject({ is_admin: false });
    const expected = {
      type: 'UserConnected',
      user: {
        username: 'lobby',
        nickname: 'Visitor',
        login_time: s.clock.now,
        is_admin: false,
        is_shared: true,
        session_ids: [visitor.sessionId],
        locale: 'en',
        is_away: false,
      },
    };
    expect(await drain(admin)).toEqual([expected]);
    expect(await drain(watcher)).toEqual([expected]);

    expect(await loginFails(s, 'lobby', 'lobbypw')).toBe(s.err('E-NICKNAME-REQUIRED'));
    expect(await loginFails(s, 'lobby', 'lobbypw', { nickname: 'visitor' })).toBe(s.err('E-NICKNAME-IN-USE'));
    expect(await loginFails(s, 'lobby', 'lobbypw', { nickname: 'Watcher' })).toBe(s.err('E-NICKNAME-IS-USERNAME'));
    expect(await loginFails(s, 'lobby', 'lobbypw', { nickname: 'two words' })).toBe(s.err('E-NICKNAME-INVALID'));

    // A second shared session with its own nickname is a separate session; the first one (a
    // user_list holder) is told.
    const other = await login(s, 'lobby', 'lobbypw', { nickname: 'Other' });
    expect(await drain(visitor)).toEqual([
      {
        type: 'UserConnected',
        user: expect.objectContaining({ username: 'lobby', nickname: 'Other', session_ids: [other.sessionId], is_shared: true }),
      },
    ]);
    await drain(admin);
    await drain(watcher);
    await expectQuiet(other);
  });

  it('guest: disabled by default, usable with "" after an admin enables it (SES-GUEST-1/2)', async () => {
    const { s, admin } = await withAdmin(pt, profile);
    expect(await loginFails(s, '', '', { nickname: 'Guesty' })).toBe(s.err('E-GUEST-DISABLED'));
    expect(await ask(admin, 'UserUpdate', { username: 'guest', requested_enabled: true })).toEqual({
      type: 'UserUpdateResponse',
      success: true,
      username: 'guest',
    });
    // The guest is offline: no PermissionsUpdated target, no UserUpdated (enable-only, ADM-UPDATE-16).
    await expectQuiet(admin);

    expect(await loginFails(s, 'guest', 'secret', { nickname: 'Guesty' })).toBe(s.err('E-INVALID-CREDENTIALS'));
    const guest = await login(s, '', '', { nickname: 'Guesty' });
    expect(guest.login).toMatchObject({ is_admin: false });
    expect(await drain(admin)).toEqual([
      {
        type: 'UserConnected',
        user: {
          username: 'guest',
          nickname: 'Guesty',
          login_time: s.clock.now,
          is_admin: false,
          is_shared: true,
          session_ids: [guest.sessionId],
          locale: 'en',
          is_away: false,
        },
      },
    ]);
    // UND-8 reference: the guest holds the shared-allowed set, user_list included.
    const second = await login(s, 'GUEST', '', { nickname: 'Guesty2' });
    expect(await drain(guest)).toEqual([
      { type: 'UserConnected', user: expect.objectContaining({ username: 'guest', nickname: 'Guesty2', session_ids: [second.sessionId] }) },
    ]);
  });

  it('disabled regular account: E-ACCOUNT-DISABLED with the name as typed (SES-LOGIN-11)', async () => {
    const { s, admin } = await withAdmin(pt, profile);
    await createUser(admin, 'dora', 'dorapw', { enabled: false });
    expect(await loginFails(s, 'DORA', 'dorapw')).toBe(s.err('E-ACCOUNT-DISABLED', { username: 'DORA' }));
    // A wrong password on a disabled account does not reveal it.
    expect(await loginFails(s, 'dora', 'nope')).toBe(s.err('E-INVALID-CREDENTIALS'));
  });

  it('UserDisconnected on close goes to the remaining user_list holders only (BC-2, SES-BC-3)', async () => {
    const { s, admin } = await withAdmin(pt, profile);
    await createUser(admin, 'alice', 'alicepw', { permissions: ['user_list'] });
    await createUser(admin, 'bob', 'bobpw', { permissions: [] });
    const alice = await login(s, 'alice', 'alicepw');
    const bob = await login(s, 'bob', 'bobpw');
    const carl = await login(s, 'alice', 'alicepw'); // alice's second session
    await drain(admin);
    await drain(alice);

    await bob.conn.close();
    const gone = { type: 'UserDisconnected', session_id: bob.sessionId, nickname: 'bob' };
    expect(await drain(admin)).toEqual([gone]);
    expect(await drain(alice)).toEqual([gone]);
    expect(await drain(carl)).toEqual([gone]);

    // One of alice's two sessions ends: one message for that session only.
    await carl.conn.close();
    expect(await drain(admin)).toEqual([{ type: 'UserDisconnected', session_id: carl.sessionId, nickname: 'alice' }]);
    expect(await drain(alice)).toEqual([{ type: 'UserDisconnected', session_id: carl.sessionId, nickname: 'alice' }]);
    expect(s.state().sessions[String(carl.sessionId)]).toBeUndefined();

    // A connection that never logged in leaves silently (SES-BC-5).
    const pre = await connect(s);
    await handshake(pre);
    await pre.close();
    await expectQuiet(admin, alice);
  });
});
