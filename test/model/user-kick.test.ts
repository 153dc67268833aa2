// rules.md §4.10 UserKick (ADM-KICK-1..9), SES-KICK-1..3, ADMP-1, SELF-1, SHARED-1, BC-2, BC-7.
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/protocol/types.ts';
import { closes, isClosed, messagesTo, recipients, sends, world, type World } from './world.ts';

type Outs = ReturnType<World['send']>;
const kick = (w: World, conn: string, nickname: string) => w.send(conn, 'UserKick', { nickname });
const answer = (outs: Outs, conn: string) =>
  sends(outs, conn).find((o) => o.message.type === 'UserKickResponse' || o.message.type === 'Error')!;

function orphan(w: World, conn: string): void {
  const c = w.state.connections[conn]!;
  delete w.state.sessions[String(c.sessionId)];
  c.sessionId = null;
  c.phase = 'removed';
}

describe('ADM-KICK-1 / ADM-KICK-2 / ADM-KICK-3 GEN-1, VAL-NICKNAME, GEN-2', () => {
  for (const profile of PROFILES) {
    it(`${profile}: in this order`, () => {
      const w = world(profile);
      const c = w.connect();
      w.handshake(c);
      const pre = kick(w, c, '');
      expect(answer(pre, c).error?.key).toBe('E-NOT-LOGGED-IN');
      expect(isClosed(pre, c)).toBe(true);
      const a = w.user('alice', { permissions: ['user_kick'] });
      orphan(w, a.conn);
      const invalid = kick(w, a.conn, '');
      expect(answer(invalid, a.conn).message.type).toBe('UserKickResponse');
      expect(answer(invalid, a.conn).error?.key).toBe('E-NICKNAME-EMPTY');
      const gone = kick(w, a.conn, 'bob');
      expect(answer(gone, a.conn).error?.key).toBe('E-AUTHENTICATION');
      expect(isClosed(gone, a.conn)).toBe(true);
    });
  }
});

describe('ADM-KICK-4 / SELF-1 before the permission', () => {
  for (const profile of PROFILES) {
    it(`${profile}: own nickname, any case, also from another session of the same account`, () => {
      const w = world(profile);
      const a = w.user('alice');
      w.session('alice');
      expect(answer(kick(w, a.conn, 'ALICE'), a.conn).error?.key).toBe('E-CANNOT-KICK-SELF');
      const boss = w.admin('boss');
      expect(answer(kick(w, boss.conn, 'boss'), boss.conn).error?.key).toBe('E-CANNOT-KICK-SELF');
    });
  }
});

describe('ADM-KICK-5 / ADM-KICK-6 / ADM-KICK-7 / ADMP-1', () => {
  for (const profile of PROFILES) {
    it(`${profile}: permission, then online, then admin protection (all typed)`, () => {
      const w = world(profile);
      const a = w.user('alice');
      w.user('bob');
      const denied = kick(w, a.conn, 'bob');
      expect(answer(denied, a.conn).message.type).toBe('UserKickResponse');
      expect(answer(denied, a.conn).error?.key).toBe('E-PERMISSION-DENIED');
      const k = w.user('kicker', { permissions: ['user_kick'] });
      w.account('offline');
      expect(answer(kick(w, k.conn, 'Offline'), k.conn).error).toMatchObject({
        key: 'E-NICKNAME-NOT-ONLINE',
        params: { nickname: 'Offline' },
      });
      const boss = w.admin('boss');
      expect(answer(kick(w, k.conn, 'boss'), k.conn).error?.key).toBe('E-CANNOT-KICK-ADMIN');
      w.admin('root');
      expect(answer(kick(w, boss.conn, 'root'), boss.conn).error?.key).toBe('E-CANNOT-KICK-ADMIN'); // not even by admins
      expect(w.state.sessions).toHaveProperty(String(boss.sessionId));
    });
  }
});

describe('ADM-KICK-8 / ADM-KICK-9 / SES-KICK-1..3 / BC-2 / BC-7', () => {
  for (const profile of PROFILES) {
    it(`${profile}: a regular account loses every session: notice (command UserKick), UserDisconnected, close`, () => {
      const w = world(profile);
      const k = w.user('kicker', { permissions: ['user_kick', 'user_list'] });
      const watcher = w.user('watcher', { permissions: ['user_list'] });
      const b1 = w.user('Bob');
      const b2 = w.session('bob');
      const outs = kick(w, k.conn, 'BOB');
      expect(answer(outs, k.conn).message.body).toEqual({ type: 'UserKickResponse', success: true, nickname: 'Bob' }); // ADM-KICK-9
      for (const b of [b1, b2]) {
        const notice = sends(outs, b.conn)[0]!;
        expect(notice.message.body).toEqual({
          type: 'Error',
          message: profile === 'spec' ? 'You have been kicked by kicker' : 'You have been kicked by \u2068kicker\u2069',
          command: 'UserKick',
        });
        expect(notice.error).toMatchObject({ key: 'E-KICKED-BY', params: { username: 'kicker' }, carriers: ['N'] });
        expect(closes(outs, b.conn)[0]!.accept).toEqual(profile === 'nexusd' ? { lazy: true } : undefined); // SES-KICK-3
      }
      expect(messagesTo(outs, watcher.conn).map((m) => m.body)).toEqual([
        { type: 'UserDisconnected', session_id: b1.sessionId, nickname: 'Bob' },
        { type: 'UserDisconnected', session_id: b2.sessionId, nickname: 'Bob' },
      ]);
      const mine = sends(outs, k.conn);
      expect(mine.map((o) => o.message.type)).toEqual(['UserKickResponse', 'UserDisconnected', 'UserDisconnected']);
      expect(mine[1]!.accept?.anyOrderWithResponse === true).toBe(profile === 'spec');
      expect(Object.values(w.state.sessions).filter((s) => s.accountKey === 'bob')).toEqual([]);
    });
    it(`${profile}: SES-KICK-2 / SHARED-1 a shared account loses only the named session`, () => {
      const w = world(profile);
      const k = w.user('kicker', { permissions: ['user_kick'] });
      w.account('shared_acct', { shared: true });
      const v1 = w.session('shared_acct', { nickname: 'V1' });
      const v2 = w.session('shared_acct', { nickname: 'V2' });
      const outs = kick(w, k.conn, 'v2');
      expect(answer(outs, k.conn).message.body).toMatchObject({ success: true, nickname: 'V2' });
      expect(recipients(outs, 'Error')).toEqual([v2.conn]);
      expect(w.state.sessions[String(v1.sessionId)]).toBeDefined();
      expect(w.state.sessions[String(v2.sessionId)]).toBeUndefined();
    });
  }
  it('SES-KICK-3 / UND-6 spec: prompt close, the connection is gone from the state', () => {
    const w = world('spec');
    const k = w.user('kicker', { permissions: ['user_kick'] });
    const b = w.user('bob');
    kick(w, k.conn, 'bob');
    expect(w.state.connections[b.conn]).toBeUndefined();
  });
  it('SES-KICK-3 / UND-6 nexusd: the session is invalidated; the next request gets E-AUTHENTICATION + close', () => {
    const w = world('nexusd');
    const k = w.user('kicker', { permissions: ['user_kick'] });
    const b = w.user('bob');
    kick(w, k.conn, 'bob');
    expect(w.state.connections[b.conn]!.phase).toBe('removed');
    const outs = w.send(b.conn, 'UserList', {});
    expect(answer(outs, b.conn).error?.key).toBe('E-AUTHENTICATION');
    expect(isClosed(outs, b.conn)).toBe(true);
  });
});

describe('GEN-3 each step stops at the first failure', () => {
  for (const profile of PROFILES) {
    it(`${profile}: with several faults, the earliest check in the table answers`, () => {
      const w = world(profile);
      const a = w.user('alice'); // no user_kick
      w.admin('boss');
      // invalid nickname and no permission → VAL-NICKNAME
      expect(answer(kick(w, a.conn, 'a b'), a.conn).error?.key).toBe('E-NICKNAME-INVALID');
      // own nickname and no permission → self
      expect(answer(kick(w, a.conn, 'alice'), a.conn).error?.key).toBe('E-CANNOT-KICK-SELF');
      // no permission, target offline / admin → permission
      expect(answer(kick(w, a.conn, 'ghost'), a.conn).error?.key).toBe('E-PERMISSION-DENIED');
      expect(answer(kick(w, a.conn, 'boss'), a.conn).error?.key).toBe('E-PERMISSION-DENIED');
    });
  }
});
