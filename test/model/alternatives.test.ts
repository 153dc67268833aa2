// Alternative outcomes (StepResult.alternatives): where the spec lets a server choose and the choice
// changes what happens next, `step` returns every allowed outcome, each complete (state and
// outputs) and computed from the same input state; the reference's own choice stays the primary.
// UND-3 / VAL-PATHCHARS, UND-5 / ADM-UPDATE-17, UND-7 / ADM-UPDATE-18, UND-10 / WIRE-JSON-6, WIRE-BAD-15.
import { describe, expect, it } from 'vitest';
import type { StepAlternative } from '../../src/model/events.ts';
import type { State } from '../../src/model/state.ts';
import { step } from '../../src/model/step.ts';
import { PROFILES } from '../../src/protocol/types.ts';
import { closes, isClosed, messagesTo, ofType, recipients, sends, world, type World } from './world.ts';

/** The primary outcome and every alternative of the last step, as [label, outputs, state]. */
function outcomes(w: World): Array<Pick<StepAlternative<State>, 'label' | 'outputs' | 'state'>> {
  const r = w.result!;
  return [{ label: r.label ?? '', outputs: r.outputs, state: r.state }, ...(r.alternatives ?? [])];
}

/** The error key answered on `conn`, or 'success'. */
function answer(outputs: ReturnType<World['send']>, conn: string): string {
  const m = sends(outputs, conn).find(
    (o) => o.message.type.endsWith('Response') || (o.message.type === 'Error' && o.message.body.command !== undefined),
  );
  if (!m) return 'none';
  return m.error?.key ?? (m.message.body.success === true ? 'success' : 'unkeyed');
}

describe('choice points', () => {
  it('an event without an undetermined point has no alternatives', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    w.send(boss.conn, 'UserList', {});
    expect(w.result!.alternatives).toBeUndefined();
    expect(w.result!.label).toBeUndefined();
  });

  it('alternatives start from the same input state and leave it untouched', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    w.account('kiosk', { shared: true });
    const before = structuredClone(w.state);
    const id = w.nextId();
    const ev = {
      kind: 'frame' as const,
      conn: boss.conn,
      frame: {
        type: 'UserUpdate',
        id,
        payload: new TextEncoder().encode(JSON.stringify({ type: 'UserUpdate', username: 'kiosk', requested_is_admin: true })),
      },
      now: w.now,
    };
    const r = step(w.state, ev);
    expect(w.state).toEqual(before);
    expect(r.alternatives).toHaveLength(1);
    expect(r.state.idCounter).toBe(before.idCounter);
    expect(r.alternatives![0]!.state.accounts.kiosk!.isAdmin).toBe(true);
    // The reference server asks for the primary only; a variant server takes other options.
    expect(step(w.state, ev, { alternatives: false }).alternatives).toBeUndefined();
    const promoted = step(w.state, ev, { choices: { 'UND-5': 'promoted' }, alternatives: false });
    expect(promoted.state.accounts.kiosk!.isAdmin).toBe(true);
  });
});

describe('UND-5 / ADM-UPDATE-17 promoting a shared account', () => {
  it('nexusd: refused (reference) or carried out with the response and broadcasts of a promotion', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    const watch = w.user('watch', { permissions: ['user_list'] });
    w.account('kiosk', { shared: true });
    const v = w.session('kiosk', { nickname: 'Visitor' });
    w.send(boss.conn, 'UserUpdate', { username: 'kiosk', requested_is_admin: true });
    const [refused, promoted, ...rest] = outcomes(w);
    expect(rest).toEqual([]);
    expect(refused!.label).toBe('UND-5: promotion of a shared account refused (E-SHARED-CANNOT-BE-ADMIN)');
    expect(answer(refused!.outputs, boss.conn)).toBe('E-SHARED-CANNOT-BE-ADMIN');
    expect(refused!.state.accounts.kiosk!.isAdmin).toBe(false);
    expect(promoted!.label).toBe('UND-5: promotion of a shared account carried out');
    expect(answer(promoted!.outputs, boss.conn)).toBe('success');
    expect(promoted!.state.accounts.kiosk!.isAdmin).toBe(true);
    expect(recipients(promoted!.outputs, 'PermissionsUpdated')).toEqual([v.conn]);
    expect(ofType(promoted!.outputs, 'PermissionsUpdated')[0]!.message.body).toMatchObject({ is_admin: true, permissions: [] });
    // BC-3 `nexusd`: user_list holders after the change — the promoted session now holds everything (GEN-5).
    expect(recipients(promoted!.outputs, 'UserUpdated').sort()).toEqual([boss.conn, watch.conn, v.conn].sort());
  });

  it('nexusd: the guest account is a shared account too', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    w.send(boss.conn, 'UserUpdate', { username: 'guest', requested_is_admin: true });
    expect(outcomes(w).map((o) => o.state.accounts.guest!.isAdmin)).toEqual([false, true]);
  });

  it('spec: the refusal is required, no alternative', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    w.account('kiosk', { shared: true });
    w.send(boss.conn, 'UserUpdate', { username: 'kiosk', requested_is_admin: true });
    expect(w.result!.alternatives).toBeUndefined();
    expect(answer(w.last, boss.conn)).toBe('E-SHARED-CANNOT-BE-ADMIN');
  });
});

describe('UND-3 / VAL-PATHCHARS', () => {
  for (const profile of PROFILES) {
    it(`${profile}: every validated name field: accepted (reference) or refused with its invalid-characters error`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      w.user('bob');
      const cases: Array<[string, Record<string, unknown>, string, string]> = [
        ['UserInfo', { nickname: 'a/b' }, 'E-NICKNAME-NOT-ONLINE', 'E-NICKNAME-INVALID'],
        ['UserKick', { nickname: 'a:b' }, 'E-NICKNAME-NOT-ONLINE', 'E-NICKNAME-INVALID'],
        ['UserEdit', { username: 'a.b' }, 'E-USER-NOT-FOUND', 'E-USERNAME-INVALID'],
        ['UserDelete', { username: 'a<b' }, 'E-USER-NOT-FOUND', 'E-USERNAME-INVALID'],
        ['UserUpdate', { username: 'a|b', requested_enabled: true }, 'E-USER-NOT-FOUND', 'E-USERNAME-INVALID'],
        [
          'UserCreate',
          { username: 'a#b', password: 'pw', is_admin: false, enabled: true, permissions: [] },
          'success',
          'E-USERNAME-INVALID',
        ],
      ];
      for (const [type, body, accepted, refused] of cases) {
        w.send(boss.conn, type, body);
        const all = outcomes(w);
        expect(
          all.map((o) => answer(o.outputs, boss.conn)),
          type,
        ).toEqual([accepted, refused]);
        expect(all.map((o) => o.label)).toEqual([
          `VAL-PATHCHARS: path characters in ${'nickname' in body ? 'nickname' : 'username'} accepted`,
          `VAL-PATHCHARS: path characters in ${'nickname' in body ? 'nickname' : 'username'} rejected`,
        ]);
        expect(w.result!.alternatives![0]!.rules).toEqual(['VAL-PATHCHARS', 'UND-3']);
      }
      // `#` is path-sensitive in usernames only; other faults come first (no choice to make).
      w.send(boss.conn, 'UserInfo', { nickname: 'a#b' });
      expect(w.result!.alternatives).toBeUndefined();
      w.send(boss.conn, 'UserInfo', { nickname: 'a/b c' });
      expect(w.result!.alternatives).toBeUndefined();
      expect(answer(w.last, boss.conn)).toBe('E-NICKNAME-INVALID');
      w.send(boss.conn, 'UserInfo', { nickname: `/${'n'.repeat(32)}` });
      expect(w.result!.alternatives).toBeUndefined();
    });
  }

  it('UserUpdate: the target name and requested_username are separate points', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    w.account('a.b');
    w.send(boss.conn, 'UserUpdate', { username: 'a.b', requested_username: 'c:d' });
    const all = outcomes(w);
    expect(all.map((o) => [o.label, answer(o.outputs, boss.conn)])).toEqual([
      ['VAL-PATHCHARS: path characters in username accepted; VAL-PATHCHARS: path characters in requested_username accepted', 'success'],
      ['VAL-PATHCHARS: path characters in username rejected', 'E-USERNAME-INVALID'],
      [
        'VAL-PATHCHARS: path characters in username accepted; VAL-PATHCHARS: path characters in requested_username rejected',
        'E-USERNAME-INVALID',
      ],
    ]);
    expect(Object.keys(all[0]!.state.accounts)).toContain('c:d');
    expect(Object.keys(all[2]!.state.accounts)).toContain('a.b');
  });

  it('Login: username and shared nickname', () => {
    const w = world('spec');
    w.account('someone');
    const c = w.connect();
    w.handshake(c);
    w.login(c, 'no.such', 'pw');
    expect(outcomes(w).map((o) => [answer(o.outputs, c), isClosed(o.outputs, c)])).toEqual([
      ['E-INVALID-CREDENTIALS', true],
      ['E-USERNAME-INVALID', true],
    ]);
    w.account('kiosk', { shared: true });
    const d = w.connect();
    w.handshake(d);
    w.login(d, 'kiosk', 'pw', { nickname: 'Vis*tor' });
    const [accepted, refused] = outcomes(w);
    expect(messagesTo(accepted!.outputs, d).map((m) => m.type)).toEqual(['LoginResponse']);
    expect(Object.values(accepted!.state.sessions).map((s) => s.nickname)).toContain('Vis*tor');
    expect(answer(refused!.outputs, d)).toBe('E-NICKNAME-INVALID');
    expect(Object.values(refused!.state.sessions)).toHaveLength(0);
  });
});

describe('UND-7 / ADM-UPDATE-18 nickname after a rename', () => {
  it('nexusd: sessions take the new name (reference) or keep the old one; later answers follow the state', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    const b = w.user('bob');
    w.send(boss.conn, 'UserUpdate', { username: 'bob', requested_username: 'robert' });
    const [fresh, kept] = outcomes(w);
    expect(kept!.label).toBe('UND-7: renamed sessions keep the old nickname');
    // Both answer alike now (nexusd's UserUpdated names the new username): only later traffic differs.
    expect(JSON.stringify(kept!.outputs.map((o) => o.kind === 'send' && o.message.body))).toBe(
      JSON.stringify(fresh!.outputs.map((o) => o.kind === 'send' && o.message.body)),
    );
    const later = (s: State) => step(s, { kind: 'close', conn: b.conn, now: w.now }).outputs;
    expect(ofType(later(fresh!.state), 'UserDisconnected')[0]!.message.body.nickname).toBe('robert');
    expect(ofType(later(kept!.state), 'UserDisconnected')[0]!.message.body.nickname).toBe('bob');
  });

  it('no choice when nothing would change (no live regular session)', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    w.account('bob');
    w.send(boss.conn, 'UserUpdate', { username: 'bob', requested_username: 'robert' });
    expect(w.result!.alternatives).toBeUndefined();
  });
});

describe('UND-10 / WIRE-JSON-6 duplicate member names', () => {
  for (const profile of PROFILES) {
    it(`${profile}: last value (reference), first value, or a framing error`, () => {
      const w = world(profile);
      const u = w.user('bob');
      const watch = w.user('watch', { permissions: ['user_list'] });
      w.raw(u.conn, 'UserStatus', '{"type":"UserStatus","status":"first","status":"second"}');
      const [last, first, reject, ...rest] = outcomes(w);
      expect(rest).toEqual([]);
      const status = (o: typeof last) => Object.values(o!.state.sessions).find((s) => s.nickname === 'bob')?.status;
      expect([last, first].map((o) => [answer(o!.outputs, u.conn), status(o)])).toEqual([
        ['success', 'second'],
        ['success', 'first'],
      ]);
      expect(ofType(first!.outputs, 'UserUpdated').filter((o) => o.conn === watch.conn)[0]!.message.body.user).toMatchObject({
        status: 'first',
      });
      expect(reject!.label).toBe('UND-10: duplicate member names: framing error');
      expect(sends(reject!.outputs, u.conn).map((o) => [o.error?.key, o.accept?.optional])).toEqual([['E-INVALID-MESSAGE-FORMAT', true]]);
      expect(closes(reject!.outputs, u.conn).map((c) => c.reason)).toEqual(['malformed']);
    });
  }

  it('the first value may fail decoding where the last passes (and the other way round)', () => {
    const w = world('nexusd');
    const u = w.user('bob');
    w.raw(u.conn, 'UserStatus', '{"type":"UserStatus","status":5,"status":"ok"}');
    expect(outcomes(w).map((o) => isClosed(o.outputs, u.conn))).toEqual([false, true, true]);
  });

  it('without duplicates there is no choice', () => {
    const w = world('spec');
    const u = w.user('bob');
    w.raw(u.conn, 'UserStatus', '{"type":"UserStatus","status":"x","nested":{"a":1,"b":1}}');
    expect(w.result!.alternatives).toBeUndefined();
  });
});

describe('WIRE-BAD-15 a transfer-port type read on the BBS port', () => {
  it('is refused as not supported (either text, command optional), the close optional', () => {
    const w = world('nexusd');
    const c = w.connect();
    const id = w.nextId();
    const outs = w.raw(c, 'FileStart', '{"type":"FileStart","path":"/"}', id);
    const [err] = sends(outs, c);
    expect(err!.message).toMatchObject({ type: 'Error', id, body: { message: 'Message type not supported', command: 'FileStart' } });
    expect(err!.error).toMatchObject({ key: 'E-MESSAGE-NOT-SUPPORTED', carriers: ['E', 'E!'] });
    expect(err!.accept?.alternatives?.map((a) => a.body)).toEqual([
      { type: 'Error', message: 'Message type not supported' },
      { type: 'Error', message: 'Invalid message format' },
      { type: 'Error', message: 'Invalid message format', command: 'FileStart' },
    ]);
    expect(closes(outs, c)).toEqual([expect.objectContaining({ accept: { optional: true } })]);
    expect(w.state.connections[c]).toBeDefined();
  });
});

describe('UND-2 / VAL-STATUS status unit', () => {
  it('nexusd: where characters and bytes disagree, characters (reference) or bytes', () => {
    const w = world('nexusd');
    const a = w.user('alice');
    w.send(a.conn, 'UserStatus', { status: 'é'.repeat(65) }); // 65 chars, 130 bytes
    const all = outcomes(w);
    expect(all.map((o) => [o.label, answer(o.outputs, a.conn)])).toEqual([
      ['UND-2: status length counted in characters', 'success'],
      ['UND-2: status length counted in bytes', 'E-STATUS-TOO-LONG'],
    ]);
    expect(w.result!.alternatives![0]!.rules).toEqual(['VAL-STATUS', 'UND-2']);
    expect(all[1]!.state.sessions[String(a.sessionId)]!.status).toBeNull();
    // UserAway is the same point; ASCII boundaries and ≤ 128 bytes are firm.
    w.send(a.conn, 'UserAway', { message: 'é'.repeat(100) });
    expect(outcomes(w).map((o) => answer(o.outputs, a.conn))).toEqual(['success', 'E-STATUS-TOO-LONG']);
    for (const status of ['s'.repeat(128), 's'.repeat(129), 'é'.repeat(64), 'é'.repeat(129)]) {
      w.send(a.conn, 'UserStatus', { status });
      expect(w.result!.alternatives, status).toBeUndefined();
    }
  });

  it('spec: characters, firm', () => {
    const w = world('spec');
    const a = w.user('alice');
    w.send(a.conn, 'UserStatus', { status: 'é'.repeat(128) });
    expect(w.result!.alternatives).toBeUndefined();
    expect(answer(w.last, a.conn)).toBe('success');
  });
});

describe('VAL-SERVER-IMAGE 700 000 bytes or 700 KiB', () => {
  const image = (bytes: number) => `data:image/png;base64,${'A'.repeat(bytes - 'data:image/png;base64,'.length)}`;
  for (const profile of PROFILES) {
    it(`${profile}: 700 001–716 800 bytes refused (reference) or accepted; outside the band no choice`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      for (const bytes of [700_001, 716_800]) {
        w.send(boss.conn, 'ServerInfoUpdate', { image: image(bytes) });
        const all = outcomes(w);
        expect(all.map((o) => [o.label, answer(o.outputs, boss.conn)])).toEqual([
          ['VAL-SERVER-IMAGE: image limit 700 000 bytes (700 001–716 800 refused)', 'E-SERVER-IMAGE-TOO-LARGE'],
          ['VAL-SERVER-IMAGE: image limit 716 800 bytes (700 KiB)', 'success'],
        ]);
        expect(all[1]!.state.serverInfo.image).toHaveLength(bytes);
        expect(ofType(all[1]!.outputs, 'ServerInfoUpdated')).not.toHaveLength(0);
      }
      for (const bytes of [700_000, 716_801]) {
        w.send(boss.conn, 'ServerInfoUpdate', { image: image(bytes) });
        expect(w.result!.alternatives).toBeUndefined();
      }
      // Size first: an over-700 000 non-URI is "too large" or, under the KiB limit, an invalid format.
      w.send(boss.conn, 'ServerInfoUpdate', { image: 'x'.repeat(700_001) });
      expect(outcomes(w).map((o) => answer(o.outputs, boss.conn))).toEqual(['E-SERVER-IMAGE-TOO-LARGE', 'E-SERVER-IMAGE-INVALID-FORMAT']);
    });
  }
});

describe('ADM-UPDATE-13 case-only rename', () => {
  for (const profile of PROFILES) {
    it(`${profile}: carried out (reference) or refused with E-USERNAME-EXISTS, which changes nothing`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      w.account('bob'); // offline: no UND-7 choice on top
      w.send(boss.conn, 'UserUpdate', { username: 'bob', requested_username: 'BOB' });
      const [renamed, refused, ...rest] = outcomes(w);
      expect(rest).toEqual([]);
      expect(renamed!.label).toBe('ADM-UPDATE-13: case-only rename carried out');
      expect(renamed!.state.accounts.bob!.username).toBe('BOB');
      expect(answer(refused!.outputs, boss.conn)).toBe('E-USERNAME-EXISTS');
      expect(refused!.state.accounts.bob!.username).toBe('bob');
      expect(sends(refused!.outputs).filter((o) => o.conn !== boss.conn || o.message.type !== 'UserUpdateResponse')).toEqual([]);
      // Same name exactly (stored as BOB now), or another account's name: no choice.
      w.send(boss.conn, 'UserUpdate', { username: 'bob', requested_username: 'BOB' });
      expect(w.result!.alternatives).toBeUndefined();
      w.account('carol');
      w.send(boss.conn, 'UserUpdate', { username: 'bob', requested_username: 'Carol' });
      expect(w.result!.alternatives).toBeUndefined();
      expect(answer(w.last, boss.conn)).toBe('E-USERNAME-EXISTS');
    });
  }
});

describe('WIRE-JSON-2 / WIRE-JSON-4 decodings left open in spec', () => {
  it('spec: a payload without "type" is processed (reference) or a decoding failure', () => {
    const w = world('spec');
    const c = w.connect();
    w.raw(c, 'Handshake', '{"version":"0.5.0"}');
    const [processed, rejected] = outcomes(w);
    expect(processed!.label).toBe('WIRE-JSON-2: a payload without "type" is processed');
    expect(answer(processed!.outputs, c)).toBe('success');
    expect(rejected!.label).toBe('WIRE-JSON-2: a payload without "type" is a decoding failure');
    expect(isClosed(rejected!.outputs, c)).toBe(true);
    expect(rejected!.state.connections[c]).toBeUndefined();
  });

  it('spec: lone surrogates and integral floats are decoding failures (reference) or decoded', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    const other = w.admin('other');
    w.raw(boss.conn, 'UserStatus', '{"type":"UserStatus","status":"x\\ud800y"}');
    const [refused, decoded] = outcomes(w);
    expect(isClosed(refused!.outputs, boss.conn)).toBe(true);
    expect(decoded!.label).toBe('WIRE-JSON-4: a lone-surrogate escape is decoded');
    expect(decoded!.state.sessions[String(boss.sessionId)]!.status).toBe('x\ud800y');
    w.raw(other.conn, 'ServerInfoUpdate', '{"type":"ServerInfoUpdate","max_transfers_per_ip":4.0}');
    const [floatRefused, floatTaken] = outcomes(w);
    expect(isClosed(floatRefused!.outputs, other.conn)).toBe(true);
    expect(floatTaken!.state.serverInfo.max_transfers_per_ip).toBe(4);
    // A fraction or a negative value fails with any pick: no choice.
    const third = w.admin('third');
    w.raw(third.conn, 'ServerInfoUpdate', '{"type":"ServerInfoUpdate","max_transfers_per_ip":4.5}');
    expect(w.result!.alternatives).toBeUndefined();
  });

  it('nexusd: all three are decoding failures, no choice', () => {
    const w = world('nexusd');
    const c = w.connect();
    w.raw(c, 'Handshake', '{"version":"0.5.0"}');
    expect(w.result!.alternatives).toBeUndefined();
    expect(isClosed(w.last, c)).toBe(true);
  });
});

describe('UND-14 locale of aggregated entries (an annotation: the state does not change)', () => {
  it("every aggregated entry lists its sessions' locales in login order; single sessions and equal locales none", () => {
    const w = world('spec');
    const viewer = w.user('viewer', { permissions: ['user_list', 'user_info'] });
    w.account('alice');
    w.session('alice', { locale: 'fr' });
    w.session('alice', { locale: 'de' });
    const list = sends(w.send(viewer.conn, 'UserList', {}), viewer.conn)[0]!;
    const ids = Object.values(w.state.sessions)
      .filter((s) => s.accountKey === 'alice')
      .map((s) => s.id)
      .sort((a, b) => a - b);
    expect(list.accept?.anyLocaleOf).toEqual([{ sessionIds: ids, locales: ['fr', 'de'] }]);
    expect((list.message.body.users as Array<Record<string, unknown>>).find((u) => u.username === 'alice')!.locale).toBe('de');
    const info = sends(w.send(viewer.conn, 'UserInfo', { nickname: 'alice' }), viewer.conn)[0]!;
    expect(info.accept?.anyLocaleOf).toEqual([{ sessionIds: ids, locales: ['fr', 'de'] }]);
    w.session('viewer', { locale: 'en' });
    expect(sends(w.send(viewer.conn, 'UserInfo', { nickname: 'viewer' }), viewer.conn)[0]!.accept).toBeUndefined();
  });
});

describe('ADM-UPDATE-14 spec: a no-op PermissionsUpdated may be sent', () => {
  it('for a request that changes nothing at all, and one whose permission fields change nothing', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    const bob = w.user('bob', { permissions: ['chat_send'] });
    for (const body of [
      { username: 'bob' },
      { username: 'bob', requested_permissions: ['chat_send'] },
      { username: 'bob', requested_username: 'bob' },
    ]) {
      const outs = w.send(boss.conn, 'UserUpdate', body);
      const p = ofType(outs, 'PermissionsUpdated');
      expect(
        p.map((o) => [o.conn, o.accept?.notSentByReference]),
        JSON.stringify(body),
      ).toEqual([[bob.conn, true]]);
    }
    // A password change is not a no-op request and changes no permission: none.
    expect(ofType(w.send(boss.conn, 'UserUpdate', { username: 'bob', requested_password: 'new-pw' }), 'PermissionsUpdated')).toEqual([]);
  });
});

describe('UND-16 UserUpdateResponse.username casing (an annotation: the state does not change)', () => {
  it('spec: the name as sent, with the stored name allowed when they differ in case', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    w.user('Bob');
    const reply = sends(w.send(boss.conn, 'UserUpdate', { username: 'BOB' }), boss.conn)[0]!;
    expect(reply.message.body.username).toBe('BOB');
    expect(reply.rules).toContain('UND-16');
    expect(reply.accept?.alternatives).toEqual([
      { type: 'UserUpdateResponse', body: { type: 'UserUpdateResponse', success: true, username: 'Bob' } },
    ]);
    // Named in the stored casing: one form only.
    expect(sends(w.send(boss.conn, 'UserUpdate', { username: 'Bob' }), boss.conn)[0]!.accept).toBeUndefined();
  });
  it('nexusd: only the name as sent', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    w.user('Bob');
    const reply = sends(w.send(boss.conn, 'UserUpdate', { username: 'BOB' }), boss.conn)[0]!;
    expect(reply.message.body.username).toBe('BOB');
    expect(reply.accept).toBeUndefined();
  });
});
