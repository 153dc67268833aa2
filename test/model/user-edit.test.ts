// rules.md §4.7 UserEdit (ADM-EDIT-1..6), UND-1, ADMP-3, SELF-1, GEN-7, GEN-8.
import { describe, expect, it } from 'vitest';
import { SHARED_ALLOWED } from '../../src/model/permissions.ts';
import { PROFILES } from '../../src/protocol/types.ts';
import { isClosed, messagesTo, sends, world, type World } from './world.ts';

const edit = (w: World, conn: string, username: string) => w.send(conn, 'UserEdit', { username });

function orphan(w: World, conn: string): void {
  const c = w.state.connections[conn]!;
  delete w.state.sessions[String(c.sessionId)];
  c.sessionId = null;
  c.phase = 'removed';
}

describe('ADM-EDIT-1 / UND-1 check order (reference: variant A)', () => {
  for (const profile of PROFILES) {
    it(`${profile}: GEN-1 first: E-NOT-LOGGED-IN + close`, () => {
      const w = world(profile);
      const c = w.connect();
      w.handshake(c);
      const outs = edit(w, c, '');
      expect(sends(outs, c)[0]!.error?.key).toBe('E-NOT-LOGGED-IN');
      expect(isClosed(outs, c)).toBe(true);
    });
    it(`${profile}: VAL-USERNAME precedes GEN-2 and the permission (variant A); variant B is the alternative`, () => {
      const w = world(profile);
      const a = w.user('alice');
      const outs = edit(w, a.conn, 'bad name');
      const out = sends(outs, a.conn)[0]!;
      expect(out.message.type).toBe('UserEditResponse');
      expect(out.error?.key).toBe('E-USERNAME-INVALID');
      // UND-1 variant B checks the permission first.
      const [b, ...rest] = w.result!.alternatives ?? [];
      expect(rest).toEqual([]);
      expect(b!.label).toBe('UND-1: variant B (username validated after GEN-2, self and permission)');
      expect(sends(b!.outputs, a.conn).map((o) => [o.message.type, o.error?.key])).toEqual([['UserEditResponse', 'E-PERMISSION-DENIED']]);
      orphan(w, a.conn);
      // A removed session: variant A answers the validator (open), variant B GEN-2 (E-AUTHENTICATION + close).
      const removed = edit(w, a.conn, '');
      expect(sends(removed, a.conn)[0]!.error?.key).toBe('E-USERNAME-EMPTY');
      expect(isClosed(removed, a.conn)).toBe(false);
      const alt = w.result!.alternatives![0]!;
      expect(sends(alt.outputs, a.conn)[0]!.error?.key).toBe('E-AUTHENTICATION');
      expect(isClosed(alt.outputs, a.conn)).toBe(true);
      const gone = edit(w, a.conn, 'bob');
      expect(sends(gone, a.conn)[0]!.error?.key).toBe('E-AUTHENTICATION');
      expect(isClosed(gone, a.conn)).toBe(true);
    });
    it(`${profile}: no alternative when the requester holds user_edit`, () => {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_edit'] });
      expect(sends(edit(w, a.conn, ''), a.conn)[0]!.accept).toBeUndefined();
      expect(w.result!.alternatives).toBeUndefined();
    });
  }
});

describe('ADM-EDIT-2 / SELF-1 not oneself', () => {
  for (const profile of PROFILES) {
    it(`${profile}: even an admin, case-insensitively, before the permission check`, () => {
      const w = world(profile);
      const boss = w.admin('Boss');
      expect(sends(edit(w, boss.conn, 'BOSS'), boss.conn)[0]!.error?.key).toBe('E-CANNOT-EDIT-SELF');
      const a = w.user('alice');
      expect(sends(edit(w, a.conn, 'alice'), a.conn)[0]!.error?.key).toBe('E-CANNOT-EDIT-SELF');
    });
  }
});

describe('ADM-EDIT-3 user_edit', () => {
  for (const profile of PROFILES) {
    it(`${profile}: typed E-PERMISSION-DENIED in both profiles`, () => {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_create', 'user_delete'] });
      const outs = edit(w, a.conn, 'nobody');
      expect(messagesTo(outs, a.conn)[0]!.type).toBe('UserEditResponse');
      expect(sends(outs, a.conn)[0]!.error?.key).toBe('E-PERMISSION-DENIED');
    });
  }
});

describe('ADM-EDIT-4 / ADM-EDIT-5 / ADMP-3', () => {
  for (const profile of PROFILES) {
    it(`${profile}: unknown account → E-USER-NOT-FOUND (before admin protection)`, () => {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_edit'] });
      expect(sends(edit(w, a.conn, 'Nobody'), a.conn)[0]!.error).toMatchObject({ key: 'E-USER-NOT-FOUND', params: { username: 'Nobody' } });
    });
    it(`${profile}: a non-admin cannot fetch an admin; an admin can`, () => {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_edit'] });
      w.account('root', { admin: true });
      expect(sends(edit(w, a.conn, 'root'), a.conn)[0]!.error?.key).toBe('E-CANNOT-EDIT-ADMIN');
      const boss = w.admin('boss');
      expect(messagesTo(edit(w, boss.conn, 'root'), boss.conn)[0]!.body).toMatchObject({ success: true, is_admin: true });
    });
  }
});

describe('ADM-EDIT-6 success', () => {
  for (const profile of PROFILES) {
    it(`${profile}: stored casing and values; GEN-7 lookup is case-insensitive; guest can be fetched`, () => {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_edit'] });
      w.account('BobX', { enabled: false, permissions: ['chat_send', 'news_list'] });
      expect(messagesTo(edit(w, a.conn, 'bobx'), a.conn)[0]!.body).toEqual({
        type: 'UserEditResponse',
        success: true,
        username: 'BobX',
        is_admin: false,
        is_shared: false,
        enabled: false,
        permissions: ['chat_send', 'news_list'],
      });
      const guest = messagesTo(edit(w, a.conn, 'GUEST'), a.conn)[0]!.body;
      expect(guest).toMatchObject({ username: 'guest', is_shared: true, enabled: false });
      expect(new Set(guest.permissions as string[])).toEqual(new Set(SHARED_ALLOWED)); // UND-8 reference
    });
  }
});
