// rules.md §4.9 UserDelete (ADM-DELETE-1..11), SES-FORCE-1, ADMP-2, ADMP-6, SELF-1, GUEST-1, GEN-9.
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/protocol/types.ts';
import { closes, isClosed, messagesTo, recipients, sends, world, type World } from './world.ts';

type Outs = ReturnType<World['send']>;
const del = (w: World, conn: string, username: string) => w.send(conn, 'UserDelete', { username });
const answer = (outs: Outs, conn: string) =>
  sends(outs, conn).find((o) => o.message.type === 'UserDeleteResponse' || o.message.type === 'Error')!;

function orphan(w: World, conn: string): void {
  const c = w.state.connections[conn]!;
  delete w.state.sessions[String(c.sessionId)];
  c.sessionId = null;
  c.phase = 'removed';
}

describe('ADM-DELETE-1 / ADM-DELETE-2 / ADM-DELETE-3 GEN-1, VAL-USERNAME, GEN-2', () => {
  for (const profile of PROFILES) {
    it(`${profile}: in this order`, () => {
      const w = world(profile);
      const c = w.connect();
      w.handshake(c);
      const pre = del(w, c, '');
      expect(answer(pre, c).error?.key).toBe('E-NOT-LOGGED-IN');
      expect(isClosed(pre, c)).toBe(true);
      const a = w.user('alice', { permissions: ['user_delete'] });
      orphan(w, a.conn);
      const invalid = del(w, a.conn, 'a b');
      expect(answer(invalid, a.conn).message.type).toBe('UserDeleteResponse');
      expect(answer(invalid, a.conn).error?.key).toBe('E-USERNAME-INVALID');
      const gone = del(w, a.conn, 'bob');
      expect(answer(gone, a.conn).error?.key).toBe('E-AUTHENTICATION');
      expect(isClosed(gone, a.conn)).toBe(true);
    });
  }
});

describe('ADM-DELETE-4 / ADM-DELETE-5 / ADM-DELETE-6 self and guest win over a missing permission', () => {
  for (const profile of PROFILES) {
    it(`${profile}: E-CANNOT-DELETE-SELF, E-CANNOT-DELETE-GUEST, then E-PERMISSION-DENIED (all typed)`, () => {
      const w = world(profile);
      const a = w.user('Alice');
      w.account('bob');
      expect(answer(del(w, a.conn, 'ALICE'), a.conn).error?.key).toBe('E-CANNOT-DELETE-SELF');
      expect(answer(del(w, a.conn, 'Guest'), a.conn).error?.key).toBe('E-CANNOT-DELETE-GUEST');
      const denied = del(w, a.conn, 'bob');
      expect(answer(denied, a.conn).message.type).toBe('UserDeleteResponse');
      expect(answer(denied, a.conn).error?.key).toBe('E-PERMISSION-DENIED');
      expect(w.state.accounts.bob).toBeDefined();
    });
  }
});

describe('ADM-DELETE-7 / ADM-DELETE-8 / ADMP-2', () => {
  for (const profile of PROFILES) {
    it(`${profile}: unknown → E-USER-NOT-FOUND (as typed); admin target needs an admin requester`, () => {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_delete'] });
      w.account('root', { admin: true });
      expect(answer(del(w, a.conn, 'Ghost'), a.conn).error).toMatchObject({ key: 'E-USER-NOT-FOUND', params: { username: 'Ghost' } });
      expect(answer(del(w, a.conn, 'root'), a.conn).error?.key).toBe('E-CANNOT-DELETE-ADMIN');
      expect(w.state.accounts.root).toBeDefined();
      const boss = w.admin('boss');
      expect(answer(del(w, boss.conn, 'root'), boss.conn).message.body).toEqual({
        type: 'UserDeleteResponse',
        success: true,
        username: 'root',
      });
    });
  }
});

describe('ADM-DELETE-9 / SES-FORCE-1 / BC-7 / ADM-DELETE-11 online target', () => {
  for (const profile of PROFILES) {
    it(`${profile}: every session gets E-ACCOUNT-DELETED (no command) and ends; response with stored casing; WIRE-ORD-2`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      const watcher = w.user('watcher', { permissions: ['user_list'] });
      const b1 = w.user('BobX');
      const b2 = w.session('bobx');
      const outs = del(w, boss.conn, 'bobx');
      for (const b of [b1, b2]) {
        const notice = sends(outs, b.conn)[0]!;
        expect(notice.message.body).toEqual({ type: 'Error', message: 'Your account has been deleted' });
        expect(notice.message.id).not.toBe(answer(outs, boss.conn).message.id);
        expect(notice.error).toMatchObject({ key: 'E-ACCOUNT-DELETED', carriers: ['N'] });
        const close = closes(outs, b.conn)[0]!;
        expect(close.reason).toBe('removed');
        expect(close.accept).toEqual(profile === 'nexusd' ? { lazy: true } : undefined);
      }
      expect(answer(outs, boss.conn).message.body).toEqual({ type: 'UserDeleteResponse', success: true, username: 'BobX' });
      expect(w.state.accounts.bobx).toBeUndefined();
      // Only the UserDisconnected of the removed sessions is broadcast.
      expect(messagesTo(outs, watcher.conn).map((m) => [m.type, m.body.session_id])).toEqual([
        ['UserDisconnected', b1.sessionId],
        ['UserDisconnected', b2.sessionId],
      ]);
      expect(recipients(outs, 'UserUpdated')).toEqual([]);
      // WIRE-ORD-2: the requester's own copies after its response; any order in spec.
      const mine = sends(outs, boss.conn);
      expect(mine.map((o) => o.message.type)).toEqual(['UserDeleteResponse', 'UserDisconnected', 'UserDisconnected']);
      expect(mine[1]!.accept?.anyOrderWithResponse === true).toBe(profile === 'spec');
      expect(w.session('bobx').sessionId).toBe(0); // SES-FORCE-3
    });
  }
});

describe('ADM-DELETE-10 / ADMP-6 / GEN-9 last enabled admin', () => {
  for (const profile of PROFILES) {
    it(`${profile}: refused after the sessions were removed (the one GEN-9 exception)`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      const root = w.admin('root');
      w.state.accounts.boss!.enabled = false; // the requester's session stays live
      w.state.accounts.root!.isAdmin = true;
      const outs = del(w, boss.conn, 'root');
      expect(answer(outs, boss.conn).error?.key).toBe('E-CANNOT-DELETE-LAST-ADMIN');
      expect(w.state.accounts.root).toBeDefined();
      expect(w.state.sessions[String(root.sessionId)]).toBeUndefined();
      expect(sends(outs, root.conn)[0]!.error?.key).toBe('E-ACCOUNT-DELETED');
    });
  }
});
