// rules.md §4.8 UserUpdate (ADM-UPDATE-1..19, 13a), MERGE-2/4/5, GEN-6/9, BC-3, BC-5, SES-FORCE-2,
// ADMP-3/6, SELF-1, GUEST-1, SHARED-1, UND-5, UND-7.
import { describe, expect, it } from 'vitest';
import { referenceWrites } from '../../src/model/events.ts';
import { passwordDigest } from '../../src/model/password.ts';
import { PROFILES } from '../../src/protocol/types.ts';
import { T0, isClosed, closes, messagesTo, ofType, recipients, sends, world, type World } from './world.ts';

type Outs = ReturnType<World['send']>;
const update = (w: World, conn: string, o: Record<string, unknown>) => w.send(conn, 'UserUpdate', o);
const reply = (outs: Outs, conn: string) =>
  sends(outs, conn).find((o) => o.message.type === 'UserUpdateResponse' || o.message.type === 'Error')!;
const errorKey = (outs: Outs, conn: string) => reply(outs, conn).error?.key;

function orphan(w: World, conn: string): void {
  const c = w.state.connections[conn]!;
  delete w.state.sessions[String(c.sessionId)];
  c.sessionId = null;
  c.phase = 'removed';
}

describe('ADM-UPDATE-1 / ADM-UPDATE-2 / ADM-UPDATE-3 GEN-1, VAL-USERNAME, GEN-2', () => {
  for (const profile of PROFILES) {
    it(`${profile}: before Login → E-NOT-LOGGED-IN + close`, () => {
      const w = world(profile);
      const c = w.connect();
      w.handshake(c);
      const outs = update(w, c, { username: '' });
      expect(errorKey(outs, c)).toBe('E-NOT-LOGGED-IN');
      expect(isClosed(outs, c)).toBe(true);
    });
    it(`${profile}: the target name is validated before GEN-2; then GEN-2 closes`, () => {
      const w = world(profile);
      const a = w.user('alice');
      orphan(w, a.conn);
      const bad = update(w, a.conn, { username: 'x'.repeat(33) });
      expect(reply(bad, a.conn).message.type).toBe('UserUpdateResponse');
      expect(errorKey(bad, a.conn)).toBe('E-USERNAME-TOO-LONG');
      const outs = update(w, a.conn, { username: 'bob' });
      expect(errorKey(outs, a.conn)).toBe('E-AUTHENTICATION');
      expect(isClosed(outs, a.conn)).toBe(true);
    });
  }
});

describe('ADM-UPDATE-4 / SELF-1 / SHARED-1 self branch', () => {
  for (const profile of PROFILES) {
    it(`${profile}: in order: shared → other fields → current_password missing → wrong`, () => {
      const w = world(profile);
      w.account('shared_acct', { shared: true });
      const v = w.session('shared_acct', { nickname: 'Visitor' });
      expect(errorKey(update(w, v.conn, { username: 'SHARED_ACCT', requested_username: 'x' }), v.conn)).toBe(
        'E-SHARED-CANNOT-CHANGE-PASSWORD',
      );
      const boss = w.admin('boss');
      for (const field of ['requested_username', 'requested_is_admin', 'requested_enabled', 'requested_permissions']) {
        const value = field === 'requested_username' ? 'other' : field === 'requested_permissions' ? [] : false;
        expect(errorKey(update(w, boss.conn, { username: 'Boss', current_password: 'pw', [field]: value }), boss.conn)).toBe(
          'E-CANNOT-EDIT-SELF',
        );
      }
      expect(errorKey(update(w, boss.conn, { username: 'boss', requested_password: 'new' }), boss.conn)).toBe(
        'E-CURRENT-PASSWORD-REQUIRED',
      );
      expect(errorKey(update(w, boss.conn, { username: 'boss', current_password: 'nope', requested_password: 'new' }), boss.conn)).toBe(
        'E-CURRENT-PASSWORD-INCORRECT',
      );
      expect(w.state.accounts.boss!.passwordDigest).toBe(passwordDigest('pw'));
    });
  }
});

describe('ADM-UPDATE-19 self password change', () => {
  for (const profile of PROFILES) {
    it(`${profile}: needs no user_edit; later logins need the new password; sessions stay`, () => {
      const w = world(profile);
      const a = w.user('alice');
      const outs = update(w, a.conn, { username: 'alice', current_password: 'pw', requested_password: 'fresh' });
      expect(reply(outs, a.conn).message.body).toEqual({ type: 'UserUpdateResponse', success: true, username: 'alice' });
      expect(closes(outs)).toEqual([]);
      expect(w.session('alice', { password: 'pw' }).sessionId).toBe(0);
      expect(w.session('alice', { password: 'fresh' }).sessionId).toBeGreaterThan(0);
      expect(w.state.sessions[String(a.sessionId)]).toBeDefined();
    });
  }
});

describe('ADM-UPDATE-5 / ADMP-3 other branch', () => {
  it('missing user_edit: spec typed, nexusd Error (GEN-4)', () => {
    for (const [profile, type] of [
      ['spec', 'UserUpdateResponse'],
      ['nexusd', 'Error'],
    ] as const) {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_create'] });
      w.account('bob');
      const outs = update(w, a.conn, { username: 'bob', requested_enabled: false });
      expect(reply(outs, a.conn).message.type).toBe(type);
      expect(errorKey(outs, a.conn)).toBe('E-PERMISSION-DENIED');
      expect(isClosed(outs, a.conn)).toBe(false);
    }
  });
  for (const profile of PROFILES) {
    it(`${profile}: non-admins learn "not found" and "admin" right after the permission`, () => {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_edit'] });
      w.account('root', { admin: true });
      // Not found wins over a later invalid requested_username for non-admins.
      expect(errorKey(update(w, a.conn, { username: 'ghost', requested_username: 'bad name' }), a.conn)).toBe('E-USER-NOT-FOUND');
      expect(errorKey(update(w, a.conn, { username: 'root', requested_username: 'bad name' }), a.conn)).toBe('E-CANNOT-EDIT-ADMIN');
    });
    it(`${profile}: current_password is ignored when editing others`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      w.account('bob');
      const outs = update(w, boss.conn, { username: 'bob', current_password: 'wrong', requested_password: 'np' });
      expect(reply(outs, boss.conn).message.body.success).toBe(true);
      expect(w.state.accounts.bob!.passwordDigest).toBe(passwordDigest('np'));
    });
  }
});

describe('ADM-UPDATE-6 requested_username format', () => {
  for (const profile of PROFILES) {
    it(`${profile}: VAL-USERNAME, typed; an admin sees it before "not found"`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      expect(errorKey(update(w, boss.conn, { username: 'ghost', requested_username: '' }), boss.conn)).toBe('E-USERNAME-EMPTY');
    });
  }
});

describe('ADM-UPDATE-7 [DIVERGENT] / GUEST-1 guest rename', () => {
  it('spec: byte-wise — "GUEST" is a rename too', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    expect(errorKey(update(w, boss.conn, { username: 'guest', requested_username: 'GUEST' }), boss.conn)).toBe('E-CANNOT-RENAME-GUEST');
    expect(errorKey(update(w, boss.conn, { username: 'Guest', requested_username: 'visitor' }), boss.conn)).toBe('E-CANNOT-RENAME-GUEST');
    expect(reply(update(w, boss.conn, { username: 'guest', requested_username: 'guest' }), boss.conn).message.body.success).toBe(true);
  });
  it('nexusd: case-insensitive — "GUEST" is not refused', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    expect(errorKey(update(w, boss.conn, { username: 'guest', requested_username: 'visitor' }), boss.conn)).toBe('E-CANNOT-RENAME-GUEST');
    expect(reply(update(w, boss.conn, { username: 'guest', requested_username: 'GUEST' }), boss.conn).message.body.success).toBe(true);
  });
});

describe('ADM-UPDATE-8 / GUEST-1 guest password', () => {
  for (const profile of PROFILES) {
    it(`${profile}: non-blank refused; blank means no change`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      expect(errorKey(update(w, boss.conn, { username: 'guest', requested_password: 'x' }), boss.conn)).toBe(
        'E-CANNOT-CHANGE-GUEST-PASSWORD',
      );
      expect(reply(update(w, boss.conn, { username: 'guest', requested_password: '  ' }), boss.conn).message.body.success).toBe(true);
      expect(w.state.accounts.guest!.passwordDigest).toBe('');
    });
  }
});

describe('ADM-UPDATE-9 / MERGE-6 / ADMP-4 admin flag', () => {
  it('a non-admin with user_edit sending requested_is_admin (even false) → spec typed, nexusd Error', () => {
    for (const [profile, type] of [
      ['spec', 'UserUpdateResponse'],
      ['nexusd', 'Error'],
    ] as const) {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_edit'] });
      w.account('bob');
      const outs = update(w, a.conn, { username: 'bob', requested_is_admin: false });
      expect(reply(outs, a.conn).message.type).toBe(type);
      expect(errorKey(outs, a.conn)).toBe('E-PERMISSION-DENIED');
    }
  });
});

describe('ADM-UPDATE-10 target exists', () => {
  for (const profile of PROFILES) {
    it(`${profile}: admins reach "not found" here, with the name as typed`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      expect(reply(update(w, boss.conn, { username: 'Ghost' }), boss.conn).error).toMatchObject({
        key: 'E-USER-NOT-FOUND',
        params: { username: 'Ghost' },
      });
    });
  }
});

describe('ADM-UPDATE-17 / UND-5 / SHARED-1 promoting a shared account', () => {
  for (const profile of PROFILES) {
    it(`${profile}: refused with E-SHARED-CANNOT-BE-ADMIN before the permission merge (reference)`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      w.account('shared_acct', { shared: true });
      for (const username of ['shared_acct', 'guest']) {
        const outs = update(w, boss.conn, { username, requested_is_admin: true, requested_permissions: ['user_kick'] });
        expect(errorKey(outs, boss.conn)).toBe('E-SHARED-CANNOT-BE-ADMIN');
      }
      expect(w.state.accounts.shared_acct!.isAdmin).toBe(false);
    });
  }
});

describe('ADM-UPDATE-11 permissions: MERGE-5 → VAL-PERMISSIONS → MERGE-4 → MERGE-2', () => {
  it('spec: a shared target loses forbidden names silently, unknown names are ignored', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    w.account('shared_acct', { shared: true });
    const outs = update(w, boss.conn, { username: 'shared_acct', requested_permissions: ['user_list', 'user_kick', 'zz_bogus'] });
    expect(reply(outs, boss.conn).message.body.success).toBe(true);
    expect(w.state.accounts.shared_acct!.permissions).toEqual(['user_list']);
  });
  it('nexusd: a shared target with forbidden or unknown names → E-SHARED-INVALID-PERMISSIONS, before format checks', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    w.account('shared_acct', { shared: true, permissions: ['chat_send'] });
    const outs = update(w, boss.conn, { username: 'shared_acct', requested_permissions: ['user_kick', '', 'user_list'] });
    expect(reply(outs, boss.conn).error).toMatchObject({ key: 'E-SHARED-INVALID-PERMISSIONS', params: { permissions: 'user_kick, ' } });
    expect(w.state.accounts.shared_acct!.permissions).toEqual(['chat_send']);
  });
  for (const profile of PROFILES) {
    it(`${profile}: VAL-PERMISSIONS format, typed; MERGE-4 unknown names silently ignored`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      w.account('bob', { permissions: ['chat_send'] });
      expect(errorKey(update(w, boss.conn, { username: 'bob', requested_permissions: ['a\rb'] }), boss.conn)).toBe(
        'E-PERMISSIONS-CONTAINS-NEWLINES',
      );
      expect(
        reply(update(w, boss.conn, { username: 'bob', requested_permissions: ['zz_bogus', 'news_list'] }), boss.conn).message.body.success,
      ).toBe(true);
      expect(w.state.accounts.bob!.permissions).toEqual(['news_list']); // MERGE-3: exactly the known names
    });
  }
  it('spec MERGE-2: requested ∩ held replaces the set', () => {
    const w = world('spec');
    const a = w.user('alice', { permissions: ['user_edit', 'chat_send', 'news_list'] });
    w.account('bob', { permissions: ['file_root', 'chat_send'] });
    update(w, a.conn, { username: 'bob', requested_permissions: ['news_list', 'file_upload'] });
    expect(w.state.accounts.bob!.permissions).toEqual(['news_list']);
  });
  it('nexusd MERGE-2: a name the requester lacks → Error; otherwise the unseen names are kept', () => {
    const w = world('nexusd');
    const a = w.user('alice', { permissions: ['user_edit', 'chat_send', 'news_list'] });
    w.account('bob', { permissions: ['file_root', 'chat_send'] });
    const denied = update(w, a.conn, { username: 'bob', requested_permissions: ['news_list', 'file_upload'] });
    expect(reply(denied, a.conn).message.type).toBe('Error');
    expect(errorKey(denied, a.conn)).toBe('E-PERMISSION-DENIED');
    expect(w.state.accounts.bob!.permissions).toEqual(['file_root', 'chat_send']);
    update(w, a.conn, { username: 'bob', requested_permissions: ['news_list'] });
    expect(new Set(w.state.accounts.bob!.permissions)).toEqual(new Set(['file_root', 'news_list']));
  });
});

describe('ADM-UPDATE-12 new password', () => {
  for (const profile of PROFILES) {
    it(`${profile}: non-blank → VAL-PASSWORD; blank → unchanged`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      w.account('bob');
      expect(errorKey(update(w, boss.conn, { username: 'bob', requested_password: 'p'.repeat(257) }), boss.conn)).toBe(
        'E-PASSWORD-TOO-LONG',
      );
      update(w, boss.conn, { username: 'bob', requested_password: '' });
      expect(w.state.accounts.bob!.passwordDigest).toBe(passwordDigest('pw'));
    });
  }
});

describe('ADM-UPDATE-13 apply-time failures', () => {
  for (const profile of PROFILES) {
    it(`${profile}: renaming onto another account → E-USERNAME-EXISTS (name as requested); case-only rename succeeds`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      w.account('bob');
      w.account('carol');
      expect(reply(update(w, boss.conn, { username: 'bob', requested_username: 'CAROL' }), boss.conn).error).toMatchObject({
        key: 'E-USERNAME-EXISTS',
        params: { username: 'CAROL' },
      });
      const ok = update(w, boss.conn, { username: 'bob', requested_username: 'Bob' });
      expect(reply(ok, boss.conn).message.body).toEqual({ type: 'UserUpdateResponse', success: true, username: 'Bob' });
      expect(w.state.accounts.bob!.username).toBe('Bob');
    });
    it(`${profile}: ADMP-6 the last enabled admin cannot be demoted or disabled`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      w.account('root', { admin: true });
      w.state.accounts.boss!.enabled = false; // the requester's live session keeps its rights
      expect(errorKey(update(w, boss.conn, { username: 'root', requested_is_admin: false }), boss.conn)).toBe('E-CANNOT-DEMOTE-LAST-ADMIN');
      expect(errorKey(update(w, boss.conn, { username: 'root', requested_enabled: false }), boss.conn)).toBe('E-CANNOT-DISABLE-LAST-ADMIN');
      expect(w.state.accounts.root).toMatchObject({ isAdmin: true, enabled: true });
    });
  }
});

describe('ADM-UPDATE-13a no-op updates', () => {
  for (const profile of PROFILES) {
    it(`${profile}: only a username, or unchanged values, succeed`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      w.account('bob', { permissions: ['chat_send'] });
      expect(reply(update(w, boss.conn, { username: 'BOB' }), boss.conn).message.body).toEqual({
        type: 'UserUpdateResponse',
        success: true,
        username: 'BOB',
      });
      const same = update(w, boss.conn, { username: 'bob', requested_enabled: true, requested_permissions: ['chat_send'] });
      expect(reply(same, boss.conn).message.body.success).toBe(true);
    });
    it(`${profile}: the earlier checks still apply (self without current_password, non-admin admin flag)`, () => {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_edit'] });
      w.account('bob');
      expect(errorKey(update(w, a.conn, { username: 'alice' }), a.conn)).toBe('E-CURRENT-PASSWORD-REQUIRED');
      expect(errorKey(update(w, a.conn, { username: 'bob', requested_is_admin: false }), a.conn)).toBe('E-PERMISSION-DENIED');
    });
  }
});

describe('ADM-UPDATE-14 [DIVERGENT] / BC-5 PermissionsUpdated', () => {
  it('spec: to every session of the target, only when the effective set changed; no-ops send none', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    const b1 = w.user('bob', { permissions: ['chat_send'] });
    const b2 = w.session('bob');
    const other = w.user('other', { permissions: ['user_list'] });
    const outs = update(w, boss.conn, { username: 'bob', requested_permissions: ['chat_send', 'news_list'] });
    expect(reply(outs, boss.conn).message.body).toEqual({ type: 'UserUpdateResponse', success: true, username: 'bob' });
    expect(recipients(outs, 'PermissionsUpdated').sort()).toEqual([b1.conn, b2.conn].sort());
    expect(recipients(outs, 'PermissionsUpdated')).not.toContain(other.conn);
    const body = messagesTo(outs, b1.conn).find((m) => m.type === 'PermissionsUpdated')!.body;
    expect(body).toEqual({ type: 'PermissionsUpdated', is_admin: false, permissions: ['chat_send', 'news_list'] });
    const again = update(w, boss.conn, { username: 'bob', requested_permissions: ['news_list', 'chat_send'], requested_enabled: true });
    // The reference does not send the no-op notice, but a target may (ADM-UPDATE-14: accept either).
    expect(ofType(referenceWrites(again), 'PermissionsUpdated')).toEqual([]);
    const tolerated = again.filter((o) => o.kind === 'send' && o.message.type === 'PermissionsUpdated');
    expect(tolerated.length).toBe(2);
    expect(tolerated.every((o) => o.kind === 'send' && o.accept?.notSentByReference === true)).toBe(true);
  });
  it('spec: promotion carries the full server_info (image null when unset) and chat_info', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    const b = w.user('bob');
    const body = messagesTo(update(w, boss.conn, { username: 'bob', requested_is_admin: true }), b.conn).find(
      (m) => m.type === 'PermissionsUpdated',
    )!.body;
    expect(body).toEqual({
      type: 'PermissionsUpdated',
      is_admin: true,
      permissions: [],
      server_info: {
        name: 'Nexus BBS',
        description: '',
        version: '0.5.0',
        transfer_port: 7501,
        max_connections_per_ip: 5,
        max_transfers_per_ip: 3,
        image: null,
      },
      chat_info: { topic: '', topic_set_by: '' },
    });
  });
  it('nexusd: whenever admin / enabled / permissions is present, even unchanged; chat_info for chat_topic', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    const b = w.user('bob', { permissions: ['chat_topic'] });
    const outs = update(w, boss.conn, { username: 'bob', requested_enabled: true });
    expect(messagesTo(outs, b.conn).find((m) => m.type === 'PermissionsUpdated')!.body).toEqual({
      type: 'PermissionsUpdated',
      is_admin: false,
      permissions: ['chat_topic'],
      chat_info: { topic: '', topic_set_by: '' },
    });
    expect(ofType(update(w, boss.conn, { username: 'bob', requested_password: 'x' }), 'PermissionsUpdated')).toEqual([]);
  });
  it('nexusd: an admin target gets server_info with only max_connections_per_ip', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    const b = w.user('bob');
    const body = messagesTo(update(w, boss.conn, { username: 'bob', requested_is_admin: true }), b.conn).find(
      (m) => m.type === 'PermissionsUpdated',
    )!.body;
    expect(body).toEqual({
      type: 'PermissionsUpdated',
      is_admin: true,
      permissions: [],
      server_info: { max_connections_per_ip: 5 },
      chat_info: { topic: '', topic_set_by: '' },
    });
  });
});

describe('GEN-6 changes apply to live sessions at once', () => {
  for (const profile of PROFILES) {
    it(`${profile}: a granted user_list makes the target receive presence broadcasts`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      const b = w.user('bob');
      const c = w.user('carol');
      expect(recipients(w.send(c.conn, 'UserAway', {}), 'UserUpdated')).not.toContain(b.conn);
      update(w, boss.conn, { username: 'bob', requested_permissions: ['user_list'] });
      expect(recipients(w.send(c.conn, 'UserBack', {}), 'UserUpdated')).toContain(b.conn);
      expect(messagesTo(w.send(b.conn, 'UserList', {}), b.conn)[0]!.body.success).toBe(true);
    });
  }
});

describe('ADM-UPDATE-16 [DIVERGENT] / BC-3 UserUpdated', () => {
  it('spec: every successful update of an online account, to every live session, live view', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    const b = w.user('bob');
    w.send(b.conn, 'UserAway', { message: 'afk' });
    const blind = w.user('blind'); // no user_list: still a recipient in spec
    const outs = update(w, boss.conn, { username: 'bob', requested_password: 'newpw' });
    expect(recipients(outs, 'UserUpdated').sort()).toEqual([boss.conn, b.conn, blind.conn].sort());
    expect(messagesTo(outs, blind.conn)[0]!.body).toEqual({
      type: 'UserUpdated',
      previous_username: 'bob',
      user: {
        username: 'bob',
        nickname: 'bob',
        login_time: T0,
        is_admin: false,
        is_shared: false,
        session_ids: [b.sessionId],
        locale: 'en',
        is_away: true,
        status: 'afk',
      },
    });
    // The requester's own copy: after the response, either order accepted.
    const mine = sends(outs, boss.conn);
    expect(mine.map((o) => o.message.type)).toEqual(['UserUpdateResponse', 'UserUpdated']);
    expect(mine[1]!.accept?.anyOrderWithResponse).toBe(true);
  });
  it('spec: none for an offline account', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    w.account('bob');
    expect(ofType(update(w, boss.conn, { username: 'bob', requested_username: 'robert' }), 'UserUpdated')).toEqual([]);
  });
  it('spec: a shared target gets one UserUpdated per live session', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    w.account('shared_acct', { shared: true });
    const v1 = w.session('shared_acct', { nickname: 'V1' });
    const v2 = w.session('shared_acct', { nickname: 'V2' });
    const outs = update(w, boss.conn, { username: 'shared_acct', requested_username: 'kiosk' });
    const users = messagesTo(outs, boss.conn)
      .filter((m) => m.type === 'UserUpdated')
      .map((m) => m.body.user as Record<string, unknown>);
    expect(users.map((u) => [u.username, u.nickname, u.session_ids])).toEqual([
      ['kiosk', 'V1', [v1.sessionId]],
      ['kiosk', 'V2', [v2.sessionId]],
    ]);
  });
  it('nexusd: only for a username or admin change, to user_list holders, away cleared', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    const watcher = w.user('watcher', { permissions: ['user_list'] });
    const blind = w.user('blind');
    const b = w.user('bob');
    w.send(b.conn, 'UserAway', { message: 'afk' });
    for (const o of [{ requested_password: 'x' }, { requested_permissions: ['chat_send'] }, { requested_enabled: true }]) {
      expect(ofType(update(w, boss.conn, { username: 'bob', ...o }), 'UserUpdated')).toEqual([]);
    }
    const outs = update(w, boss.conn, { username: 'bob', requested_username: 'robert' });
    expect(recipients(outs, 'UserUpdated').sort()).toEqual([boss.conn, watcher.conn].sort());
    expect(recipients(outs, 'UserUpdated')).not.toContain(blind.conn);
    expect(messagesTo(outs, watcher.conn)[0]!.body).toEqual({
      type: 'UserUpdated',
      previous_username: 'bob',
      user: {
        username: 'robert',
        nickname: 'robert',
        login_time: T0,
        is_admin: false,
        is_shared: false,
        session_ids: [b.sessionId],
        locale: 'en',
        is_away: false,
      },
    });
    expect(sends(outs, boss.conn).find((o) => o.message.type === 'UserUpdated')!.accept).toBeUndefined();
  });
  it('nexusd: also for offline accounts (no sessions, login_time 0, locale "en")', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    w.account('bob');
    const outs = update(w, boss.conn, { username: 'bob', requested_is_admin: true });
    expect(messagesTo(outs, boss.conn).find((m) => m.type === 'UserUpdated')!.body).toEqual({
      type: 'UserUpdated',
      previous_username: 'bob',
      user: {
        username: 'bob',
        nickname: 'bob',
        login_time: 0,
        is_admin: true,
        is_shared: false,
        session_ids: [],
        locale: 'en',
        is_away: false,
      },
    });
  });
});

describe('ADM-UPDATE-18 / UND-7 nickname after a rename', () => {
  it('spec: sessions take the new username (reference); keeping the old nickname is the alternative outcome', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    const b = w.user('bob');
    const outs = update(w, boss.conn, { username: 'bob', requested_username: 'robert' });
    expect(w.state.sessions[String(b.sessionId)]).toMatchObject({ accountKey: 'robert', nickname: 'robert' });
    const copy = sends(outs, b.conn).find((o) => o.message.type === 'UserUpdated')!;
    expect(copy.message.body.user).toMatchObject({ username: 'robert', nickname: 'robert' });
    const [old] = w.result!.alternatives!;
    expect(old!.rules).toEqual(['ADM-UPDATE-18', 'UND-7']);
    expect(old!.state.sessions[String(b.sessionId)]).toMatchObject({ accountKey: 'robert', nickname: 'bob' });
    const oldCopy = sends(old!.outputs, b.conn).find((o) => o.message.type === 'UserUpdated')!;
    expect(oldCopy.message.body).toMatchObject({ previous_username: 'bob', user: { username: 'robert', nickname: 'bob' } });
    const list = messagesTo(w.send(boss.conn, 'UserList', {}), boss.conn)[0]!.body.users as Array<{ nickname: string }>;
    expect(list.map((u) => u.nickname)).toEqual(['boss', 'robert']);
    expect(w.state.accounts.bob).toBeUndefined();
    expect(w.session('robert').sessionId).toBeGreaterThan(0);
  });
  it('shared sessions keep their nicknames and follow the renamed account', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    w.account('shared_acct', { shared: true });
    const v = w.session('shared_acct', { nickname: 'Visitor' });
    update(w, boss.conn, { username: 'shared_acct', requested_username: 'kiosk' });
    expect(w.state.sessions[String(v.sessionId)]).toMatchObject({ accountKey: 'kiosk', nickname: 'Visitor' });
  });
});

describe('ADM-UPDATE-15 / SES-FORCE-2 / BC-7 disabling an online account', () => {
  it('spec: response, UserUpdated (before removal), notices, prompt close; no PermissionsUpdated for disable only', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    const b1 = w.user('bob', { permissions: ['user_list'] });
    const b2 = w.session('bob');
    const outs = update(w, boss.conn, { username: 'bob', requested_enabled: false });
    expect(ofType(referenceWrites(outs), 'PermissionsUpdated')).toEqual([]);
    expect(messagesTo(referenceWrites(outs), b1.conn).map((m) => m.type)).toEqual(['UserUpdated', 'Error']);
    const notice = sends(referenceWrites(outs), b1.conn)[1]!;
    expect(notice.message.body).toEqual({ type: 'Error', message: 'Account disabled by admin' });
    expect(notice.error).toMatchObject({ key: 'E-ACCOUNT-DISABLED-BY-ADMIN', carriers: ['N'] });
    expect(closes(outs, b2.conn)).toEqual([expect.objectContaining({ reason: 'removed' })]);
    expect(closes(outs, b2.conn)[0]!.accept).toBeUndefined();
    expect(messagesTo(outs, boss.conn).map((m) => m.type)).toEqual([
      'UserUpdateResponse',
      'UserUpdated',
      'UserDisconnected',
      'UserDisconnected',
    ]);
    expect(Object.values(w.state.sessions).filter((s) => s.accountKey === 'bob')).toEqual([]);
    expect(w.session('bob').sessionId).toBe(0); // SES-FORCE-3
  });
  it('nexusd: PermissionsUpdated first, then the notice; the close may lag (lazy)', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    const b = w.user('bob');
    const outs = update(w, boss.conn, { username: 'bob', requested_enabled: false });
    expect(messagesTo(outs, b.conn).map((m) => m.type)).toEqual(['PermissionsUpdated', 'Error']);
    expect(closes(outs, b.conn)[0]!.accept).toEqual({ lazy: true });
    // GEN-2: the still-open connection's next request is refused.
    expect(sends(w.send(b.conn, 'UserBack', {}), b.conn)[0]!.error?.key).toBe('E-AUTHENTICATION');
  });
  it('spec: a disable that also changes permissions sends PermissionsUpdated before the notice', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    const b = w.user('bob');
    const outs = update(w, boss.conn, { username: 'bob', requested_enabled: false, requested_permissions: ['chat_send'] });
    expect(messagesTo(outs, b.conn).map((m) => m.type)).toEqual(['PermissionsUpdated', 'UserUpdated', 'Error']);
  });
});

describe('GEN-9 a refused update changes nothing', () => {
  for (const profile of PROFILES) {
    it(`${profile}: a late failure leaves every field and sends no broadcast`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      w.account('bob', { permissions: ['chat_send'] });
      w.account('taken');
      const before = structuredClone(w.state.accounts);
      const outs = update(w, boss.conn, {
        username: 'bob',
        requested_username: 'taken',
        requested_password: 'other',
        requested_enabled: false,
        requested_permissions: ['news_list'],
      });
      expect(errorKey(outs, boss.conn)).toBe('E-USERNAME-EXISTS');
      expect(w.state.accounts).toEqual(before);
      expect(sends(outs).length).toBe(1);
    });
  }
});

describe('PERM-4 / GEN-5 admins report no stored names and hold everything', () => {
  for (const profile of PROFILES) {
    it(`${profile}: a promoted account's PermissionsUpdated lists [] whatever it stores; it passes every check`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      const b = w.user('bob', { permissions: ['chat_send'] });
      const outs = update(w, boss.conn, { username: 'bob', requested_is_admin: true });
      expect(messagesTo(outs, b.conn).find((m) => m.type === 'PermissionsUpdated')!.body).toMatchObject({
        is_admin: true,
        permissions: [],
      });
      expect(w.state.accounts.bob!.permissions).toEqual(['chat_send']);
      w.user('carol');
      expect(messagesTo(w.send(b.conn, 'UserKick', { nickname: 'carol' }), b.conn)[0]!.body.success).toBe(true);
      expect(messagesTo(w.send(b.conn, 'ConnectionMonitor', {}), b.conn)[0]!.body.success).toBe(true);
    });
  }
});
