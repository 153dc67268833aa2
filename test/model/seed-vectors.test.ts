// The seed examples (seeds/users.md, admin.md, connection-monitor.md) as shape vectors: each builds
// the state an example describes, drives the model, and compares the frame body with the seed's
// JSON. Absent and `null` are the same (WIRE-JSON-5), so nulls are dropped on both sides.
// Profile `spec` throughout (the seeds are the spec); bodies also pass the protocol's shape check.
import { describe, expect, it } from 'vitest';
import { parseServerBody } from '../../src/protocol/messages.ts';
import type { Message } from '../../src/protocol/types.ts';
import { messagesTo, world, type World } from './world.ts';

const AVATAR = 'data:image/png;base64,...';

function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== null)
        .map(([k, x]) => [k, dropNulls(x)]),
    );
  }
  return v;
}

/** The seed body of `type`, with the mandatory `"type"` member the seeds leave out (WIRE-JSON-2). */
const seed = (type: string, body: Record<string, unknown>) => dropNulls({ type, ...body });

function shaped(m: Message): Record<string, unknown> {
  expect(parseServerBody(m.type, m.body)).toEqual({ ok: true });
  return dropNulls(m.body) as Record<string, unknown>;
}

interface Seat {
  id: number;
  username: string;
  nickname?: string;
  loginTime: number;
  locale?: string;
  avatar?: string | null;
  isAway?: boolean;
  status?: string | null;
  ip?: string;
  features?: string[];
}

/** Places a live session with a chosen id directly into the state (the seeds name their ids). */
function seat(w: World, s: Seat): string {
  const conn = `seat${s.id}`;
  const key = s.username.toLowerCase();
  const shared = w.state.accounts[key]!.isShared;
  w.state.connections[conn] = { id: conn, ip: s.ip ?? '10.9.9.9', port: 50000 + s.id, phase: 'auth', sessionId: s.id, locale: 'en' };
  w.state.sessions[String(s.id)] = {
    id: s.id,
    conn,
    accountKey: key,
    nickname: s.nickname ?? w.state.accounts[key]!.username,
    isShared: shared,
    loginTime: s.loginTime,
    loginSeq: w.state.nextLoginSeq++,
    locale: s.locale ?? 'en',
    avatar: s.avatar ?? null,
    features: s.features ?? ['chat'],
    isAway: s.isAway ?? false,
    status: s.status ?? null,
    ip: s.ip ?? '10.9.9.9',
    port: 50000 + s.id,
  };
  w.state.nextSessionId = Math.max(w.state.nextSessionId, s.id + 1);
  return conn;
}

function created(w: World, username: string, createdAt: number, opts: Parameters<World['account']>[1] = {}): void {
  w.account(username, opts).createdAt = createdAt;
}

const reply = (w: World, conn: string, type: string, body: Record<string, unknown>) => messagesTo(w.send(conn, type, body), conn)[0]!;

/** users.md §UserListResponse / §UserInfoResponse world: alice (admin, 2 sessions), bob, a shared session. */
function usersWorld(): { w: World; alice: string; bob: string; visitor: string } {
  const w = world('spec');
  delete w.state.accounts.guest; // the seed's "all accounts" example lists only alice and bob
  created(w, 'alice', 1702900000, { admin: true });
  created(w, 'bob', 1702950000, { permissions: ['user_info'] });
  created(w, 'shared_acct', 1702960000, { shared: true });
  const alice = seat(w, { id: 1, username: 'alice', loginTime: 1703001234 });
  const bob = seat(w, { id: 3, username: 'bob', loginTime: 1703002000, locale: 'de' });
  seat(w, { id: 5, username: 'alice', loginTime: 1703001300, avatar: AVATAR, isAway: true, status: 'in a meeting' });
  const visitor = seat(w, { id: 7, username: 'shared_acct', nickname: 'Visitor', loginTime: 1703002500, status: 'just browsing' });
  return { w, alice, bob, visitor };
}

describe('seed users.md', () => {
  it('UserListResponse, online users', () => {
    const { w, alice } = usersWorld();
    expect(shaped(reply(w, alice, 'UserList', { all: false }))).toEqual(
      seed('UserListResponse', {
        success: true,
        users: [
          {
            username: 'alice',
            nickname: 'alice',
            login_time: 1703001234,
            is_admin: true,
            is_shared: false,
            session_ids: [1, 5],
            locale: 'en',
            avatar: AVATAR,
            is_away: true,
            status: 'in a meeting',
          },
          {
            username: 'bob',
            nickname: 'bob',
            login_time: 1703002000,
            is_admin: false,
            is_shared: false,
            session_ids: [3],
            locale: 'de',
            avatar: null,
            is_away: false,
            status: null,
          },
          {
            username: 'shared_acct',
            nickname: 'Visitor',
            login_time: 1703002500,
            is_admin: false,
            is_shared: true,
            session_ids: [7],
            locale: 'en',
            avatar: null,
            is_away: false,
            status: 'just browsing',
          },
        ],
      }),
    );
  });
  it('UserListResponse, all accounts (shared account removed to match the example)', () => {
    const { w, alice } = usersWorld();
    delete w.state.accounts.shared_acct;
    expect(shaped(reply(w, alice, 'UserList', { all: true }))).toEqual(
      seed('UserListResponse', {
        success: true,
        users: [
          {
            username: 'alice',
            nickname: 'alice',
            login_time: 1702900000,
            is_admin: true,
            is_shared: false,
            session_ids: [],
            locale: '',
            avatar: null,
          },
          {
            username: 'bob',
            nickname: 'bob',
            login_time: 1702950000,
            is_admin: false,
            is_shared: false,
            session_ids: [],
            locale: '',
            avatar: null,
          },
        ],
      }),
    );
  });
  it('UserListResponse failure', () => {
    const { w, bob } = usersWorld();
    expect(shaped(reply(w, bob, 'UserList', { all: false }))).toEqual(
      seed('UserListResponse', { success: false, error: 'Permission denied' }),
    );
  });
  it('UserInfoResponse, non-admin requesting', () => {
    const { w, bob } = usersWorld();
    expect(shaped(reply(w, bob, 'UserInfo', { nickname: 'alice' }))).toEqual(
      seed('UserInfoResponse', {
        success: true,
        user: {
          username: 'alice',
          nickname: 'alice',
          login_time: 1703001234,
          is_shared: false,
          session_ids: [1, 5],
          features: ['chat'],
          created_at: 1702900000,
          locale: 'en',
          avatar: AVATAR,
          is_away: true,
          status: 'in a meeting',
        },
      }),
    );
  });
  it('UserInfoResponse, admin requesting (one address per session; the seed lists two addresses for one id)', () => {
    const { w, alice } = usersWorld();
    w.state.sessions['3']!.ip = '::ffff:192.168.1.100';
    seat(w, { id: 4, username: 'bob', loginTime: 1703002100, locale: 'de', ip: '10.0.0.5' });
    const user = shaped(reply(w, alice, 'UserInfo', { nickname: 'bob' })).user as Record<string, unknown>;
    expect({ ...user, session_ids: [3] }).toEqual(
      dropNulls({
        username: 'bob',
        nickname: 'bob',
        login_time: 1703002000,
        is_shared: false,
        session_ids: [3],
        features: ['chat'],
        created_at: 1702950000,
        locale: 'de',
        avatar: null,
        is_away: false,
        status: null,
        is_admin: false,
        addresses: ['192.168.1.100', '10.0.0.5'],
      }),
    );
  });
  it('UserInfoResponse failure', () => {
    const { w, alice } = usersWorld();
    expect(shaped(reply(w, alice, 'UserInfo', { nickname: 'unknown' }))).toEqual(
      seed('UserInfoResponse', { success: false, error: "User 'unknown' is not online" }),
    );
  });
  it('UserConnected and UserDisconnected', () => {
    const { w, alice } = usersWorld();
    created(w, 'charlie', 1702990000);
    w.state.nextSessionId = 9;
    w.now = 1703003000;
    const c = w.session('charlie', { locale: 'fr' });
    expect(shaped(messagesTo(c.outputs, alice).find((m) => m.type === 'UserConnected')!)).toEqual(
      seed('UserConnected', {
        user: {
          username: 'charlie',
          nickname: 'charlie',
          login_time: 1703003000,
          is_admin: false,
          is_shared: false,
          session_ids: [9],
          locale: 'fr',
          avatar: null,
          is_away: false,
          status: null,
        },
      }),
    );
    expect(shaped(messagesTo(w.close(c.conn), alice)[0]!)).toEqual(seed('UserDisconnected', { session_id: 9, nickname: 'charlie' }));
  });
  it('UserConnected, shared account', () => {
    const { w, alice } = usersWorld();
    w.state.nextSessionId = 10;
    w.now = 1703003500;
    const v = w.session('shared_acct', { nickname: 'NewVisitor', avatar: 'data:image/png;base64,AAAA' });
    expect(shaped(messagesTo(v.outputs, alice).find((m) => m.type === 'UserConnected')!)).toEqual(
      seed('UserConnected', {
        user: {
          username: 'shared_acct',
          nickname: 'NewVisitor',
          login_time: 1703003500,
          is_admin: false,
          is_shared: true,
          session_ids: [10],
          locale: 'en',
          avatar: 'data:image/png;base64,AAAA',
          is_away: false,
          status: null,
        },
      }),
    );
  });
  it('UserUpdated, username change', () => {
    const { w, alice } = usersWorld();
    const outs = w.send(alice, 'UserUpdate', { username: 'bob', requested_username: 'robert' });
    expect(shaped(messagesTo(outs, alice).find((m) => m.type === 'UserUpdated')!)).toEqual(
      seed('UserUpdated', {
        previous_username: 'bob',
        user: {
          username: 'robert',
          nickname: 'robert',
          login_time: 1703002000,
          is_admin: false,
          is_shared: false,
          session_ids: [3],
          locale: 'de',
          avatar: null,
          is_away: false,
          status: null,
        },
      }),
    );
  });
  it('UserUpdated, promoted to admin', () => {
    const { w, alice } = usersWorld();
    w.state.accounts.alice!.isAdmin = false;
    created(w, 'root', 1702000000, { admin: true });
    const root = seat(w, { id: 11, username: 'root', loginTime: 1703009999 });
    const outs = w.send(root, 'UserUpdate', { username: 'alice', requested_is_admin: true });
    expect(shaped(messagesTo(outs, alice).find((m) => m.type === 'UserUpdated')!)).toEqual(
      seed('UserUpdated', {
        previous_username: 'alice',
        user: {
          username: 'alice',
          nickname: 'alice',
          login_time: 1703001234,
          is_admin: true,
          is_shared: false,
          session_ids: [1, 5],
          locale: 'en',
          avatar: AVATAR,
          is_away: true,
          status: 'in a meeting',
        },
      }),
    );
  });
});

/** admin.md world: an admin at the keyboard. */
function adminWorld(): { w: World; boss: string } {
  const w = world('spec');
  created(w, 'admin', 1702000000, { admin: true });
  return { w, boss: seat(w, { id: 1, username: 'admin', loginTime: 1703000000 }) };
}

describe('seed admin.md', () => {
  it('UserCreate regular and shared examples → UserCreateResponse; duplicate → failure', () => {
    const { w, boss } = adminWorld();
    const regular = {
      username: 'alice',
      password: 'secretpassword',
      is_admin: false,
      enabled: true,
      permissions: ['chat_send', 'chat_receive', 'chat_topic', 'user_list', 'user_info', 'news_list', 'file_list', 'file_download'],
    };
    expect(shaped(reply(w, boss, 'UserCreate', regular))).toEqual(seed('UserCreateResponse', { success: true, username: 'alice' }));
    expect(shaped(reply(w, boss, 'UserCreate', regular))).toEqual(
      seed('UserCreateResponse', { success: false, error: 'Username already exists' }),
    );
    const sharedAcct = {
      username: 'shared_acct',
      password: 'sharedpass',
      is_admin: false,
      is_shared: true,
      enabled: true,
      permissions: ['chat_send', 'chat_receive', 'user_list', 'user_info'],
    };
    expect(shaped(reply(w, boss, 'UserCreate', sharedAcct))).toEqual(
      seed('UserCreateResponse', { success: true, username: 'shared_acct' }),
    );
    expect(w.state.accounts.shared_acct!.permissions).toEqual(sharedAcct.permissions);
  });
  it('UserEditResponse success and failure', () => {
    const { w, boss } = adminWorld();
    created(w, 'alice', 1702100000, { permissions: ['chat_send', 'chat_receive', 'user_list'] });
    expect(shaped(reply(w, boss, 'UserEdit', { username: 'alice' }))).toEqual(
      seed('UserEditResponse', {
        success: true,
        username: 'alice',
        is_admin: false,
        is_shared: false,
        enabled: true,
        permissions: ['chat_send', 'chat_receive', 'user_list'],
      }),
    );
    expect(shaped(reply(w, boss, 'UserEdit', { username: 'nobody' }))).toEqual(
      seed('UserEditResponse', { success: false, error: 'User not found' }),
    );
  });
  it('UserUpdate examples → UserUpdateResponse; wrong current password → failure', () => {
    const { w } = adminWorld();
    created(w, 'alice', 1702100000, { password: 'oldpassword' });
    const alice = seat(w, { id: 2, username: 'alice', loginTime: 1703000100 });
    expect(
      shaped(reply(w, alice, 'UserUpdate', { username: 'alice', current_password: 'wrong', requested_password: 'newpassword' })),
    ).toEqual(seed('UserUpdateResponse', { success: false, error: 'Incorrect current password' }));
    expect(
      shaped(reply(w, alice, 'UserUpdate', { username: 'alice', current_password: 'oldpassword', requested_password: 'newpassword' })),
    ).toEqual(seed('UserUpdateResponse', { success: true, username: 'alice' }));
    const boss = 'seat1';
    created(w, 'oldname', 1702100000);
    expect(shaped(reply(w, boss, 'UserUpdate', { username: 'oldname', requested_username: 'newname' }))).toEqual(
      seed('UserUpdateResponse', { success: true, username: 'newname' }),
    );
    created(w, 'troublemaker', 1702100000);
    expect(shaped(reply(w, boss, 'UserUpdate', { username: 'troublemaker', requested_enabled: false })).success).toBe(true);
  });
  it('PermissionsUpdated, permissions changed', () => {
    const { w, boss } = adminWorld();
    created(w, 'bob', 1702100000, { permissions: ['chat_send'] });
    const bob = seat(w, { id: 3, username: 'bob', loginTime: 1703000200 });
    const outs = w.send(boss, 'UserUpdate', {
      username: 'bob',
      requested_permissions: ['chat_send', 'chat_receive', 'news_list', 'news_create'],
    });
    expect(shaped(messagesTo(outs, bob).find((m) => m.type === 'PermissionsUpdated')!)).toEqual(
      seed('PermissionsUpdated', { is_admin: false, permissions: ['chat_send', 'chat_receive', 'news_list', 'news_create'] }),
    );
  });
  it('PermissionsUpdated, promoted to admin', () => {
    const { w, boss } = adminWorld();
    w.send(boss, 'ServerInfoUpdate', { name: 'My BBS', description: '...', max_transfers_per_ip: 2, image: AVATAR });
    w.state.chatInfo = { topic: 'Welcome!', topic_set_by: 'admin' };
    created(w, 'bob', 1702100000);
    const bob = seat(w, { id: 3, username: 'bob', loginTime: 1703000200 });
    const outs = w.send(boss, 'UserUpdate', { username: 'bob', requested_is_admin: true });
    expect(shaped(messagesTo(outs, bob).find((m) => m.type === 'PermissionsUpdated')!)).toEqual(
      seed('PermissionsUpdated', {
        is_admin: true,
        permissions: [],
        server_info: {
          name: 'My BBS',
          description: '...',
          version: '0.5.0',
          transfer_port: 7501,
          max_connections_per_ip: 5,
          max_transfers_per_ip: 2,
          image: AVATAR,
        },
        chat_info: { topic: 'Welcome!', topic_set_by: 'admin' },
      }),
    );
  });
  it('UserUpdated (admin.md): the seed omits the away members; the model adds is_away', () => {
    const { w, boss } = adminWorld();
    created(w, 'bob', 1702100000);
    seat(w, { id: 3, username: 'bob', loginTime: 1703002000 });
    const outs = w.send(boss, 'UserUpdate', { username: 'bob', requested_username: 'robert' });
    const body = shaped(messagesTo(outs, boss).find((m) => m.type === 'UserUpdated')!);
    const example = seed('UserUpdated', {
      previous_username: 'bob',
      user: {
        username: 'robert',
        nickname: 'robert',
        login_time: 1703002000,
        is_admin: false,
        is_shared: false,
        session_ids: [3],
        locale: 'en',
        avatar: null,
      },
    }) as { user: Record<string, unknown> };
    expect(body).toEqual({ ...example, user: { ...example.user, is_away: false } });
  });
  it('UserDeleteResponse success and failure', () => {
    const { w, boss } = adminWorld();
    created(w, 'bob', 1702100000);
    expect(shaped(reply(w, boss, 'UserDelete', { username: 'bob' }))).toEqual(
      seed('UserDeleteResponse', { success: true, username: 'bob' }),
    );
    expect(shaped(reply(w, boss, 'UserDelete', { username: 'admin' }))).toEqual(
      seed('UserDeleteResponse', { success: false, error: 'Cannot delete your own account' }),
    );
  });
  it('UserKickResponse success and failure', () => {
    const { w, boss } = adminWorld();
    created(w, 'troublemaker', 1702100000);
    seat(w, { id: 4, username: 'troublemaker', loginTime: 1703000300 });
    expect(shaped(reply(w, boss, 'UserKick', { nickname: 'troublemaker' }))).toEqual(
      seed('UserKickResponse', { success: true, nickname: 'troublemaker' }),
    );
    expect(shaped(reply(w, boss, 'UserKick', { nickname: 'unknown' }))).toEqual(
      seed('UserKickResponse', { success: false, error: "User 'unknown' is not online" }),
    );
  });
  it('ServerInfoUpdateResponse and ServerInfoUpdated; failure example', () => {
    const { w, boss } = adminWorld();
    const outs = w.send(boss, 'ServerInfoUpdate', {
      name: 'My Awesome BBS',
      description: 'Welcome to my server!',
      max_transfers_per_ip: 2,
    });
    const [resp, update] = messagesTo(outs, boss);
    expect(shaped(resp!)).toEqual(seed('ServerInfoUpdateResponse', { success: true }));
    expect(shaped(update!)).toEqual(
      seed('ServerInfoUpdated', {
        server_info: {
          name: 'My Awesome BBS',
          description: 'Welcome to my server!',
          version: '0.5.0',
          transfer_port: 7501,
          max_connections_per_ip: 5,
          max_transfers_per_ip: 2,
          image: null,
        },
      }),
    );
    expect(shaped(reply(w, boss, 'ServerInfoUpdate', { name: '' }))).toEqual(
      seed('ServerInfoUpdateResponse', { success: false, error: 'Server name cannot be empty' }),
    );
  });
});

describe('seed connection-monitor.md', () => {
  it('ConnectionMonitorResponse: the example entries, sorted by nickname per §Sorting (the example itself is unsorted)', () => {
    const w = world('spec');
    created(w, 'admin', 1702000000, { admin: true });
    created(w, 'alice', 1702000000);
    created(w, 'bob', 1702000000);
    const boss = seat(w, { id: 3, username: 'admin', loginTime: 1704066000, ip: '10.0.0.1' });
    seat(w, { id: 1, username: 'alice', loginTime: 1704067200, ip: '127.0.0.1' });
    seat(w, { id: 2, username: 'bob', loginTime: 1704067500, ip: '192.168.1.100' });
    const example = [
      { nickname: 'alice', username: 'alice', ip: '::ffff:127.0.0.1', login_time: 1704067200, is_admin: false, is_shared: false },
      { nickname: 'bob', username: 'bob', ip: '::ffff:192.168.1.100', login_time: 1704067500, is_admin: false, is_shared: false },
      { nickname: 'admin', username: 'admin', ip: '::ffff:10.0.0.1', login_time: 1704066000, is_admin: true, is_shared: false },
    ];
    const body = shaped(reply(w, boss, 'ConnectionMonitor', {}));
    expect(body).toEqual(
      seed('ConnectionMonitorResponse', { success: true, connections: [...example].sort((a, b) => a.nickname.localeCompare(b.nickname)) }),
    );
  });
  it('ConnectionMonitorResponse: shared account sessions appear separately', () => {
    const w = world('spec');
    created(w, 'admin', 1702000000, { admin: true });
    created(w, 'guests', 1702000000, { shared: true });
    const boss = seat(w, { id: 1, username: 'admin', loginTime: 1704060000, ip: '10.0.0.1' });
    seat(w, { id: 2, username: 'guests', nickname: 'visitor1', loginTime: 1704067200, ip: '192.168.1.50' });
    seat(w, { id: 3, username: 'guests', nickname: 'visitor2', loginTime: 1704067300, ip: '192.168.1.51' });
    const connections = (shaped(reply(w, boss, 'ConnectionMonitor', {})).connections as Array<Record<string, unknown>>).filter(
      (c) => c.is_shared,
    );
    expect(connections).toEqual([
      { nickname: 'visitor1', username: 'guests', ip: '::ffff:192.168.1.50', login_time: 1704067200, is_admin: false, is_shared: true },
      { nickname: 'visitor2', username: 'guests', ip: '::ffff:192.168.1.51', login_time: 1704067300, is_admin: false, is_shared: true },
    ]);
  });
  it('ConnectionMonitorResponse failure', () => {
    const w = world('spec');
    created(w, 'alice', 1702000000);
    const alice = seat(w, { id: 1, username: 'alice', loginTime: 1704067200 });
    expect(shaped(reply(w, alice, 'ConnectionMonitor', {}))).toEqual(
      seed('ConnectionMonitorResponse', { success: false, error: 'Permission denied' }),
    );
  });
});
