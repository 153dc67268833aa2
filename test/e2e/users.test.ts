// Users family over real sockets: UserList all:false / all:true (case-insensitive nickname order,
// aggregation of a regular account's two sessions, one entry per shared session, profile-specific
// all:true), UserInfo (admin-only fields per profile), and their failures with carriers (GEN-4).
import { beforeEach, describe, expect, it } from 'vitest';
import type { Profile } from '../../src/protocol/types.ts';
import {
  AVATAR,
  EPOCH,
  PROFILES,
  T,
  ask,
  bodyOf,
  createUser,
  divergent,
  drain,
  expectClosed,
  expectQuiet,
  failure,
  login,
  withAdmin,
  type Client,
  type Server,
} from './support.ts';
import { perTest } from '../support/per-test.ts';

const pt = perTest();

interface World {
  s: Server;
  admin: Client;
  bob1: Client;
  bob2: Client;
  zed: Client;
  amy: Client;
  carol: Client;
  editor: Client;
}

/**
 * Accounts created at EPOCH+5: bob (user_list, user_info), carol (user_info), editor (user_edit),
 * zoe (offline), lobby (shared). Logins: Admin @0, bob @10 (de, chat) and @20 (fr, avatar,
 * chat+voice), lobby as "zed" @30 and "Amy" @40, carol @50, editor @60.
 */
async function world(profile: Profile): Promise<World> {
  const { s, admin } = await withAdmin(pt, profile);
  s.clock.now = EPOCH + 5;
  await createUser(admin, 'bob', 'bobpw', { permissions: ['user_list', 'user_info'] });
  await createUser(admin, 'carol', 'carolpw', { permissions: ['user_info'] });
  await createUser(admin, 'editor', 'editorpw', { permissions: ['user_edit'] });
  await createUser(admin, 'zoe', 'zoepw', { permissions: ['user_list'] });
  await createUser(admin, 'lobby', 'lobbypw', { isShared: true, permissions: ['user_list', 'user_info'] });
  s.clock.now = EPOCH + 10;
  const bob1 = await login(s, 'bob', 'bobpw', { locale: 'de' });
  s.clock.now = EPOCH + 20;
  const bob2 = await login(s, 'Bob', 'bobpw', { locale: 'fr', avatar: AVATAR, features: ['chat', 'voice'] });
  s.clock.now = EPOCH + 30;
  const zed = await login(s, 'lobby', 'lobbypw', { nickname: 'zed' });
  s.clock.now = EPOCH + 40;
  const amy = await login(s, 'lobby', 'lobbypw', { nickname: 'Amy' });
  s.clock.now = EPOCH + 50;
  const carol = await login(s, 'carol', 'carolpw');
  s.clock.now = EPOCH + 60;
  const editor = await login(s, 'editor', 'editorpw');
  s.clock.now = EPOCH + 100;
  // Start every test from quiet connections (the logins' UserConnected broadcasts are consumed).
  for (const c of [admin, bob1, bob2, zed, amy, carol, editor]) await drain(c);
  return { s, admin, bob1, bob2, zed, amy, carol, editor };
}

describe.each(PROFILES)('users (%s)', (profile) => {
  let w: World;
  beforeEach(async () => {
    w = await world(profile);
  });

  /** The expected `all:false` list, in case-insensitive nickname order: Admin, Amy, bob, carol, editor, zed. */
  function online(): Record<string, unknown>[] {
    const one = (c: Client, username: string, loginTime: number, isAdmin: boolean, isShared: boolean) => ({
      username,
      nickname: c.nickname,
      login_time: loginTime,
      is_admin: isAdmin,
      is_shared: isShared,
      session_ids: [c.sessionId],
      locale: 'en',
      is_away: false,
    });
    return [
      one(w.admin, 'Admin', EPOCH, true, false),
      one(w.amy, 'lobby', EPOCH + 40, false, true),
      {
        // SES-ID-2: one entry, both ids, earliest login, latest login's avatar and locale.
        username: 'bob',
        nickname: 'bob',
        login_time: EPOCH + 10,
        is_admin: false,
        is_shared: false,
        session_ids: [w.bob1.sessionId, w.bob2.sessionId],
        locale: 'fr',
        avatar: AVATAR,
        is_away: false,
      },
      one(w.carol, 'carol', EPOCH + 50, false, false),
      one(w.editor, 'editor', EPOCH + 60, false, false),
      one(w.zed, 'lobby', EPOCH + 30, false, true),
    ];
  }

  it('UserList all:false: one entry per regular account and per shared session, sorted case-insensitively (USR-LIST-3/5)', async () => {
    const expected = { type: 'UserListResponse', success: true, users: online() };
    expect(await ask(w.bob1, 'UserList', { all: false })).toEqual(expected);
    // `all` defaults to false; the admin holds user_list implicitly (GEN-5); shared sessions may list.
    expect(await ask(w.admin, 'UserList', {})).toEqual(expected);
    expect(await ask(w.zed, 'UserList', { all: false })).toEqual(expected);
    // A list request broadcasts nothing.
    await expectQuiet(w.admin, w.bob1, w.bob2, w.zed, w.amy, w.carol, w.editor);
  });

  it('UserList all:false without user_list: E-PERMISSION-DENIED, spec typed / nexusd Error, connection stays open (USR-LIST-2)', async () => {
    expect(await ask(w.carol, 'UserList', { all: false })).toEqual(failure(w.s, 'UserList', divergent(w.s), 'E-PERMISSION-DENIED'));
    // all:true needs user_create / user_edit / user_delete, user_list does not help.
    expect(await ask(w.bob1, 'UserList', { all: true })).toEqual(failure(w.s, 'UserList', divergent(w.s), 'E-PERMISSION-DENIED'));
    await expectQuiet(w.carol, w.bob1, w.admin);
  });

  it('UserList all:true: every account, per profile (USR-LIST-4); user_edit alone is enough', async () => {
    const stored = (username: string, createdAt: number, isAdmin: boolean, isShared: boolean) => ({
      username,
      nickname: username,
      login_time: createdAt,
      is_admin: isAdmin,
      is_shared: isShared,
      session_ids: [],
      locale: '',
      ...(profile === 'nexusd' ? { is_away: false } : {}),
    });
    let users: Record<string, unknown>[];
    if (profile === 'spec') {
      users = [
        stored('Admin', EPOCH, true, false),
        stored('bob', EPOCH + 5, false, false),
        stored('carol', EPOCH + 5, false, false),
        stored('editor', EPOCH + 5, false, false),
        stored('guest', EPOCH, false, true),
        stored('lobby', EPOCH + 5, false, true),
        stored('zoe', EPOCH + 5, false, false),
      ];
    } else {
      const live = online();
      const byNick = (n: string) => live.find((u) => u.nickname === n)!;
      users = [
        byNick('Admin'),
        byNick('Amy'),
        byNick('bob'),
        byNick('carol'),
        byNick('editor'),
        stored('guest', EPOCH, false, true),
        byNick('zed'),
        stored('zoe', EPOCH + 5, false, false),
      ];
    }
    const expected = { type: 'UserListResponse', success: true, users };
    expect(await ask(w.editor, 'UserList', { all: true })).toEqual(expected);
    expect(await ask(w.admin, 'UserList', { all: true })).toEqual(expected);
  });

  it('UserInfo: aggregated detail; is_admin and addresses per requester and profile (USR-INFO-6..8)', async () => {
    const base = {
      username: 'bob',
      nickname: 'bob',
      login_time: EPOCH + 10,
      is_shared: false,
      session_ids: [w.bob1.sessionId, w.bob2.sessionId],
      features: ['chat', 'voice'],
      created_at: EPOCH + 5,
      locale: 'fr',
      avatar: AVATAR,
      is_away: false,
    };
    // Non-admin requester (user_info), case-insensitive nickname (GEN-7): no addresses;
    // is_admin only in nexusd (USR-INFO-7).
    expect(await ask(w.carol, 'UserInfo', { nickname: 'BOB' })).toEqual({
      type: 'UserInfoResponse',
      success: true,
      user: { ...base, ...(profile === 'nexusd' ? { is_admin: false } : {}) },
    });
    // Admin requester: is_admin and one address per session (USR-INFO-8).
    const address = (c: Client) => (profile === 'spec' ? '127.0.0.1' : `127.0.0.1:${c.conn.conn.localPort}`);
    expect(await ask(w.admin, 'UserInfo', { nickname: 'bob' })).toEqual({
      type: 'UserInfoResponse',
      success: true,
      user: { ...base, is_admin: false, addresses: [address(w.bob1), address(w.bob2)] },
    });
    // A shared session is looked up by its own nickname; looking oneself up is fine.
    expect(await ask(w.amy, 'UserInfo', { nickname: 'amy' })).toEqual({
      type: 'UserInfoResponse',
      success: true,
      user: {
        username: 'lobby',
        nickname: 'Amy',
        login_time: EPOCH + 40,
        is_shared: true,
        session_ids: [w.amy.sessionId],
        features: ['chat'],
        created_at: EPOCH + 5,
        locale: 'en',
        is_away: false,
        ...(profile === 'nexusd' ? { is_admin: false } : {}),
      },
    });
    // The admin itself, seen by the admin.
    expect(await ask(w.admin, 'UserInfo', { nickname: 'admin' })).toMatchObject({
      success: true,
      user: { username: 'Admin', is_admin: true, addresses: [address(w.admin)], session_ids: [w.admin.sessionId] },
    });
    await expectQuiet(w.bob1, w.bob2, w.admin);
  });

  it('UserInfo failures: not online (typed, name as typed), invalid nickname, missing user_info (GEN-4)', async () => {
    expect(await ask(w.bob1, 'UserInfo', { nickname: 'Nobody' })).toEqual(
      failure(w.s, 'UserInfo', 'T', 'E-NICKNAME-NOT-ONLINE', { nickname: 'Nobody' }),
    );
    // An existing but offline account is "not online" too (USR-INFO-5).
    expect(await ask(w.bob1, 'UserInfo', { nickname: 'zoe' })).toEqual(
      failure(w.s, 'UserInfo', 'T', 'E-NICKNAME-NOT-ONLINE', { nickname: 'zoe' }),
    );
    expect(await ask(w.bob1, 'UserInfo', { nickname: 'a b' })).toEqual(failure(w.s, 'UserInfo', 'T', 'E-NICKNAME-INVALID'));
    expect(await ask(w.editor, 'UserInfo', { nickname: 'bob' })).toEqual(failure(w.s, 'UserInfo', divergent(w.s), 'E-PERMISSION-DENIED'));
    await expectQuiet(w.editor, w.bob1);
    // 33 characters: `spec` reaches the validator, which runs before the permission check
    // (USR-INFO-2, WIRE-LIM-4); the `nexusd` era limit (65 bytes) rejects the frame first:
    // E-INVALID-MESSAGE-FORMAT without command, then close (WIRE-LIM-4, SES-ERR-1).
    const id = w.editor.conn.send('UserInfo', { nickname: 'a'.repeat(33) });
    const long = await w.editor.conn.take((r) => r.raw.id === id || r.raw.type === 'Error', T);
    if (profile === 'spec') {
      expect(long.raw.id).toBe(id);
      expect(bodyOf(long)).toEqual(failure(w.s, 'UserInfo', 'T', 'E-NICKNAME-TOO-LONG', { max_length: 32 }));
      await expectQuiet(w.editor);
    } else {
      // A framing error answers with a fresh id, not the request's (SES-ERR-1).
      expect(long.raw.id).not.toBe(id);
      expect(bodyOf(long)).toEqual({ type: 'Error', message: w.s.err('E-INVALID-MESSAGE-FORMAT') });
      await expectClosed(w.editor.conn);
      // The session ended with the connection: the other user_list holders are told (SES-BC-3).
      expect(await drain(w.bob1)).toEqual([{ type: 'UserDisconnected', session_id: w.editor.sessionId, nickname: 'editor' }]);
    }
  });
});
