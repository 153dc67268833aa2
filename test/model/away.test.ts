// rules.md §4.3–§4.5 UserAway / UserBack / UserStatus, BC-4, UND-4, WIRE-ORD-2.
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/protocol/types.ts';
import { step } from '../../src/model/step.ts';
import { isClosed, messagesTo, ofType, recipients, sends, world, type World } from './world.ts';

function orphan(w: World, conn: string): void {
  const c = w.state.connections[conn]!;
  delete w.state.sessions[String(c.sessionId)];
  c.sessionId = null;
  c.phase = 'removed';
}

const sessionOf = (w: World, id: number) => w.state.sessions[String(id)]!;

describe('USR-AWAY-1 GEN-1, no permission', () => {
  for (const profile of PROFILES) {
    it(`${profile}: before Login → E-NOT-LOGGED-IN + close`, () => {
      const w = world(profile);
      const c = w.connect();
      w.handshake(c);
      const outs = w.send(c, 'UserAway', {});
      expect(sends(outs, c)[0]!.error?.key).toBe('E-NOT-LOGGED-IN');
      expect(isClosed(outs, c)).toBe(true);
    });
    it(`${profile}: a session without any permission (guest included) may go away`, () => {
      const w = world(profile);
      w.enableGuest([]);
      const g = w.session('', { password: '', nickname: 'roamer' });
      expect(messagesTo(w.send(g.conn, 'UserAway', {}), g.conn)[0]!.body).toEqual({ type: 'UserAwayResponse', success: true });
    });
  }
});

describe('USR-AWAY-2 / USR-AWAY-3 VAL-STATUS before GEN-2', () => {
  for (const profile of PROFILES) {
    it(`${profile}: too long, newline, control → typed errors, even on a removed session`, () => {
      const w = world(profile);
      const a = w.user('alice');
      const cases: Array<[string, string]> = [
        ['x'.repeat(129), 'E-STATUS-TOO-LONG'],
        ['a\nb', 'E-STATUS-CONTAINS-NEWLINES'],
        ['a\tb', 'E-STATUS-INVALID-CHARACTERS'],
      ];
      for (const [message, key] of cases) {
        const outs = w.send(a.conn, 'UserAway', { message });
        expect(messagesTo(outs, a.conn)[0]!.type).toBe('UserAwayResponse');
        expect(sends(outs, a.conn)[0]!.error?.key).toBe(key);
      }
      expect(sessionOf(w, a.sessionId).isAway).toBe(false); // GEN-9
      orphan(w, a.conn);
      expect(sends(w.send(a.conn, 'UserAway', { message: 'a\nb' }), a.conn)[0]!.error?.key).toBe('E-STATUS-CONTAINS-NEWLINES');
      const outs = w.send(a.conn, 'UserAway', { message: 'ok' });
      expect(sends(outs, a.conn)[0]!.error?.key).toBe('E-AUTHENTICATION'); // USR-AWAY-3
      expect(isClosed(outs, a.conn)).toBe(true);
    });
    it(`${profile}: 128 characters is the limit`, () => {
      const w = world(profile);
      const a = w.user('alice');
      expect(messagesTo(w.send(a.conn, 'UserAway', { message: 'é'.repeat(128) }), a.conn)[0]!.body.success).toBe(true);
    });
  }
});

describe('USR-AWAY-4 sets away and status on the requesting session only', () => {
  for (const profile of PROFILES) {
    it(`${profile}: message → status; null → none; repeating succeeds`, () => {
      const w = world(profile);
      const a = w.user('alice');
      const other = w.session('alice');
      w.send(a.conn, 'UserAway', { message: 'lunch' });
      expect(sessionOf(w, a.sessionId)).toMatchObject({ isAway: true, status: 'lunch' });
      expect(sessionOf(w, other.sessionId)).toMatchObject({ isAway: false, status: null });
      expect(messagesTo(w.send(a.conn, 'UserAway', { message: null }), a.conn)[0]!.body.success).toBe(true);
      expect(sessionOf(w, a.sessionId)).toMatchObject({ isAway: true, status: null });
    });
    it(`${profile}: UND-4 "" is stored as no status (reference) or as an empty status; later views follow`, () => {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_list', 'user_info'] });
      const outs = w.send(a.conn, 'UserAway', { message: '' });
      expect(sessionOf(w, a.sessionId).status).toBeNull();
      const copy = ofType(outs, 'UserUpdated')[0]!;
      expect(copy.message.body.user).not.toHaveProperty('status');
      const [empty, ...rest] = w.result!.alternatives ?? [];
      expect(rest).toEqual([]);
      expect(w.result!.label).toBe('UND-4: "" stored as no status');
      expect(empty!.label).toBe('UND-4: "" stored as an empty status');
      expect(empty!.rules).toEqual(['USR-AWAY-4', 'UND-4']);
      expect(ofType(empty!.outputs, 'UserUpdated')[0]!.message.body.user).toMatchObject({ status: '', is_away: true });
      // The choice sticks: a later UserInfo in that world shows the empty status.
      const s = empty!.state;
      const info = step(s, {
        kind: 'frame',
        conn: a.conn,
        frame: { type: 'UserInfo', id: w.nextId(), payload: new TextEncoder().encode('{"type":"UserInfo","nickname":"alice"}') },
        now: w.now,
      });
      expect(sends(info.outputs, a.conn)[0]!.message.body.user).toMatchObject({ status: '' });
      // UserStatus "" is the same point.
      w.send(a.conn, 'UserStatus', { status: '' });
      expect(w.result!.alternatives?.map((x) => x.state.sessions[String(a.sessionId)]!.status)).toEqual(['']);
      // No choice for a non-empty text or null.
      w.send(a.conn, 'UserAway', { message: 'x' });
      expect(w.result!.alternatives).toBeUndefined();
      w.send(a.conn, 'UserStatus', { status: null });
      expect(w.result!.alternatives).toBeUndefined();
    });
  }
});

describe('USR-AWAY-5 / BC-4 broadcast', () => {
  for (const profile of PROFILES) {
    it(`${profile}: UserUpdated to user_list holders only; previous_username = current username`, () => {
      const w = world(profile);
      const watcher = w.user('watcher', { permissions: ['user_list'] });
      const boss = w.admin('boss');
      const blind = w.user('blind');
      const a = w.user('alice'); // no user_list: gets no copy of its own change
      const outs = w.send(a.conn, 'UserAway', { message: 'brb' });
      expect(recipients(outs, 'UserUpdated').sort()).toEqual([watcher.conn, boss.conn].sort());
      expect(recipients(outs, 'UserUpdated')).not.toContain(blind.conn);
      const body = messagesTo(outs, watcher.conn)[0]!.body;
      expect(body).toMatchObject({
        previous_username: 'alice',
        user: { username: 'alice', nickname: 'alice', is_away: true, status: 'brb', session_ids: [a.sessionId] },
      });
    });
    it(`${profile}: WIRE-ORD-2 the requester's own copy follows the response (reference), any order in spec only`, () => {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_list'] });
      const outs = w.send(a.conn, 'UserAway', {});
      const mine = sends(outs, a.conn);
      expect(mine.map((o) => o.message.type)).toEqual(['UserAwayResponse', 'UserUpdated']);
      expect(mine[1]!.accept?.anyOrderWithResponse === true).toBe(profile === 'spec');
    });
    it(`${profile}: a shared session's broadcast describes that session alone`, () => {
      const w = world(profile);
      const watcher = w.user('watcher', { permissions: ['user_list'] });
      w.account('shared_acct', { shared: true });
      const v = w.session('shared_acct', { nickname: 'Visitor' });
      w.session('shared_acct', { nickname: 'Other' });
      const body = messagesTo(w.send(v.conn, 'UserAway', {}), watcher.conn)[0]!.body;
      expect(body).toMatchObject({
        previous_username: 'shared_acct',
        user: { nickname: 'Visitor', session_ids: [v.sessionId], is_shared: true },
      });
    });
  }
});

describe('USR-AWAY-6 multi-session: the latest login decides what is shown', () => {
  for (const profile of PROFILES) {
    it(`${profile}: away on the older session is not visible in the aggregated view`, () => {
      const w = world(profile);
      const watcher = w.user('watcher', { permissions: ['user_list'] });
      const old = w.user('alice');
      w.session('alice');
      const body = messagesTo(w.send(old.conn, 'UserAway', { message: 'x' }), watcher.conn)[0]!.body;
      expect(body.user).toMatchObject({ is_away: false });
      expect(body.user).not.toHaveProperty('status');
    });
  }
});

describe('USR-BACK-1 / USR-BACK-2', () => {
  for (const profile of PROFILES) {
    it(`${profile}: GEN-2 → E-AUTHENTICATION + close`, () => {
      const w = world(profile);
      const a = w.user('alice');
      orphan(w, a.conn);
      const outs = w.send(a.conn, 'UserBack', {});
      expect(sends(outs, a.conn)[0]!.error?.key).toBe('E-AUTHENTICATION');
      expect(isClosed(outs, a.conn)).toBe(true);
    });
    it(`${profile}: clears away and status and broadcasts`, () => {
      const w = world(profile);
      const watcher = w.user('watcher', { permissions: ['user_list'] });
      const a = w.user('alice');
      w.send(a.conn, 'UserAway', { message: 'gone' });
      const outs = w.send(a.conn, 'UserBack', {});
      expect(messagesTo(outs, a.conn)[0]!.body).toEqual({ type: 'UserBackResponse', success: true });
      expect(sessionOf(w, a.sessionId)).toMatchObject({ isAway: false, status: null });
      const copy = ofType(outs, 'UserUpdated').find((o) => o.conn === watcher.conn)!;
      expect(copy.message.body.user).toMatchObject({ is_away: false });
      expect(copy.accept?.optional).toBeUndefined();
    });
  }
  it('spec: a UserBack that changes nothing succeeds; its broadcast is optional', () => {
    const w = world('spec');
    const watcher = w.user('watcher', { permissions: ['user_list'] });
    const a = w.user('alice');
    const outs = w.send(a.conn, 'UserBack', {});
    expect(messagesTo(outs, a.conn)[0]!.body.success).toBe(true);
    expect(ofType(outs, 'UserUpdated').find((o) => o.conn === watcher.conn)!.accept).toEqual({ optional: true });
  });
  it('nexusd: the broadcast is required even when nothing changed', () => {
    const w = world('nexusd');
    const watcher = w.user('watcher', { permissions: ['user_list'] });
    const a = w.user('alice');
    const copy = ofType(w.send(a.conn, 'UserBack', {}), 'UserUpdated').find((o) => o.conn === watcher.conn)!;
    expect(copy.accept).toBeUndefined();
  });
});

describe('USR-STATUS-1 / USR-STATUS-2', () => {
  for (const profile of PROFILES) {
    it(`${profile}: VAL-STATUS before GEN-2, typed`, () => {
      const w = world(profile);
      const a = w.user('alice');
      orphan(w, a.conn);
      const outs = w.send(a.conn, 'UserStatus', { status: 'x'.repeat(129) });
      expect(messagesTo(outs, a.conn)[0]!.type).toBe('UserStatusResponse');
      expect(sends(outs, a.conn)[0]!.error?.key).toBe('E-STATUS-TOO-LONG');
      expect(sends(w.send(a.conn, 'UserStatus', { status: 'ok' }), a.conn)[0]!.error?.key).toBe('E-AUTHENTICATION');
    });
    it(`${profile}: sets, then clears the status with null; broadcast BC-4`, () => {
      const w = world(profile);
      const watcher = w.user('watcher', { permissions: ['user_list'] });
      const a = w.user('alice');
      const outs = w.send(a.conn, 'UserStatus', { status: 'working' });
      expect(messagesTo(outs, watcher.conn)[0]!.body.user).toMatchObject({ status: 'working' });
      w.send(a.conn, 'UserStatus', { status: null });
      expect(sessionOf(w, a.sessionId).status).toBeNull();
    });
  }
});

describe('USR-STATUS-3 [DIVERGENT] away flag', () => {
  it('spec: unchanged', () => {
    const w = world('spec');
    const a = w.user('alice');
    w.send(a.conn, 'UserAway', { message: 'lunch' });
    w.send(a.conn, 'UserStatus', { status: 'eating' });
    expect(sessionOf(w, a.sessionId)).toMatchObject({ isAway: true, status: 'eating' });
  });
  it('nexusd: always cleared', () => {
    const w = world('nexusd');
    const a = w.user('alice');
    w.send(a.conn, 'UserAway', { message: 'lunch' });
    w.send(a.conn, 'UserStatus', { status: 'eating' });
    expect(sessionOf(w, a.sessionId)).toMatchObject({ isAway: false, status: 'eating' });
  });
});
