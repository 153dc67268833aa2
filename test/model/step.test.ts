// step.ts on the pure model: sequencing (wire.md §10), malformed input and timeouts (§7, §8), the
// per-IP limit (§9), foreign sessions, purity; plus create.ts and password.ts.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createState, stateFromSnapshot } from '../../src/model/create.ts';
import type { Request } from '../../src/model/ctx.ts';
import { HANDLERS } from '../../src/model/messages/index.ts';
import type { Handler } from '../../src/model/messages/index.ts';
import { passwordDigest, passwordMatches } from '../../src/model/password.ts';
import { defaultServerInfo } from '../../src/model/state.ts';
import { ipKey, step } from '../../src/model/step.ts';
import type { ClientType } from '../../src/protocol/types.ts';
import { PROFILES } from '../../src/protocol/types.ts';
import { T0, closes, expectFailure, isClosed, messagesTo, sends, single, world } from './world.ts';

/** A minimal valid body for every in-scope type other than Handshake and Login. */
const VALID_BODIES: Record<Exclude<ClientType, 'Handshake' | 'Login'>, Record<string, unknown>> = {
  UserList: { all: false },
  UserInfo: { nickname: 'someone' },
  UserAway: {},
  UserBack: {},
  UserStatus: { status: 'hi' },
  UserCreate: { username: 'x', password: 'y', is_admin: false, enabled: true, permissions: [] },
  UserEdit: { username: 'x' },
  UserUpdate: { username: 'x' },
  UserDelete: { username: 'x' },
  UserKick: { nickname: 'x' },
  ServerInfoUpdate: { name: 'n' },
  ConnectionMonitor: {},
};

function populated(profile: 'spec' | 'nexusd') {
  const w = world(profile);
  w.account('admin', { admin: true });
  return w;
}

// Tests that swap a registry entry put it back.
const saved: Array<[ClientType, Handler | undefined]> = [];
// A probe stands in for handlers of any body type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function probe(type: ClientType): Array<Request<any>> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const seen: Array<Request<any>> = [];
  saved.push([type, HANDLERS[type]]);
  HANDLERS[type] = (_ctx, req) => {
    seen.push(structuredClone(req));
  };
  return seen;
}
afterEach(() => {
  for (const [type, handler] of saved.splice(0)) {
    if (handler) HANDLERS[type] = handler;
    else delete HANDLERS[type];
  }
});

describe('sequencing (wire.md §10)', () => {
  it('WIRE-SEQ-1 Handshake in NEW follows SES-HS', () => {
    const w = world('spec');
    const c = w.connect();
    expect(single(w.handshake(c), c).body).toMatchObject({ success: true });
  });

  it('WIRE-SEQ-2 Login in NEW → E-HANDSHAKE-REQUIRED with command Login, close', () => {
    const w = populated('nexusd');
    const c = w.connect();
    const out = expectFailure(w.login(c, 'admin', 'pw'), c, 'E-HANDSHAKE-REQUIRED', 'E!');
    expect(out.message.body.command).toBe('Login');
  });

  for (const profile of PROFILES) {
    it(`WIRE-SEQ-3 / GEN-1 every other type before Login → E-NOT-LOGGED-IN with its command, close (${profile})`, () => {
      const w = populated(profile);
      for (const [type, body] of Object.entries(VALID_BODIES)) {
        if (type === 'ServerInfoUpdate') continue;
        for (const shaken of [false, true]) {
          const c = w.connect();
          if (shaken) w.handshake(c);
          const out = w.send(c, type, body);
          const err = expectFailure(out, c, 'E-NOT-LOGGED-IN', 'E!');
          expect(err.message.body).toEqual({ type: 'Error', message: 'Not logged in', command: type });
          expect(w.state.connections[c]).toBeUndefined();
        }
      }
    });
  }

  it('GEN-1 no validation result is revealed without a session', () => {
    const w = populated('spec');
    const c = w.connect();
    w.handshake(c);
    expectFailure(w.send(c, 'UserInfo', { nickname: '' }), c, 'E-NOT-LOGGED-IN', 'E!');
    const d = w.connect();
    expectFailure(w.send(d, 'UserCreate', { ...VALID_BODIES.UserCreate, username: '' }), d, 'E-NOT-LOGGED-IN', 'E!');
  });

  it('WIRE-SEQ-4 [DIVERGENT] ServerInfoUpdate before Login: nexusd E and stays open; spec E! with an optional close', () => {
    const n = populated('nexusd');
    const c = n.connect();
    const out = expectFailure(n.send(c, 'ServerInfoUpdate', { name: 'x' }), c, 'E-NOT-LOGGED-IN', 'E');
    expect(out.message.body.command).toBe('ServerInfoUpdate');
    expect(out.error!.carriers).toEqual(['E']);
    expect(closes(n.last, c)).toEqual([]);
    expect(single(n.handshake(c), c).body.success).toBe(true); // still open and still NEW before that

    const s = populated('spec');
    const d = s.connect();
    const spec = s.send(d, 'ServerInfoUpdate', { name: 'x' });
    const err = sends(spec, d)[0]!;
    expect(err.error).toMatchObject({ key: 'E-NOT-LOGGED-IN', carriers: ['E!', 'E'], command: 'ServerInfoUpdate' });
    expect(closes(spec, d)).toEqual([expect.objectContaining({ reason: 'error', accept: { optional: true } })]);
  });

  for (const profile of PROFILES) {
    it(`WIRE-SEQ-5 Handshake in SHAKEN or AUTH → H failure and close; in AUTH the session ends (${profile})`, () => {
      const w = populated(profile);
      const watcher = w.admin('admin');
      const c = w.connect();
      w.handshake(c);
      expectFailure(w.handshake(c), c, 'E-HANDSHAKE-ALREADY-COMPLETED', 'H');
      const bob = w.user('bob');
      const out = w.handshake(bob.conn);
      expectFailure(out, bob.conn, 'E-HANDSHAKE-ALREADY-COMPLETED', 'H');
      expect(single(out, watcher.conn).type).toBe('UserDisconnected');
    });
  }

  it('WIRE-SEQ-6 Login in SHAKEN follows SES-LOGIN', () => {
    const w = populated('spec');
    const c = w.connect();
    w.handshake(c);
    expect(single(w.login(c, 'admin', 'pw'), c).body.success).toBe(true);
  });

  it('WIRE-SEQ-7 Login in AUTH → E-ALREADY-LOGGED-IN, close, the session ends', () => {
    const w = populated('nexusd');
    const watcher = w.admin();
    const bob = w.user('bob');
    const out = w.login(bob.conn, 'bob', 'pw');
    expectFailure(out, bob.conn, 'E-ALREADY-LOGGED-IN', 'E!');
    expect(single(out, watcher.conn).body).toMatchObject({ type: 'UserDisconnected', session_id: bob.sessionId });
    expect(w.state.connections[bob.conn]).toBeUndefined();
  });

  it('WIRE-SEQ-8 nothing after a closing error is processed', () => {
    const w = populated('spec');
    const c = w.connect();
    w.login(c, 'admin', 'pw'); // E-HANDSHAKE-REQUIRED + close
    const before = structuredClone(w.state);
    expect(w.handshake(c)).toEqual([]);
    expect(w.login(c, 'admin', 'pw')).toEqual([]);
    expect(w.event({ kind: 'malformed', conn: c, error: { class: 'bad-magic', rule: 'WIRE-BAD-1', detail: '' }, now: T0 })).toEqual([]);
    expect(w.event({ kind: 'timeout', conn: c, now: T0 })).toEqual([]);
    expect(w.state).toEqual(before);
  });

  it('dispatch: AUTH requests reach the handler with the live session and the request id', () => {
    const seen = probe('UserBack');
    const w = populated('spec');
    const a = w.admin();
    expect(w.send(a.conn, 'UserBack', {}, 'aaaaaaaaaaaa')).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      id: 'aaaaaaaaaaaa',
      type: 'UserBack',
      body: { type: 'UserBack' },
      session: { id: a.sessionId, nickname: 'admin' },
      conn: { id: a.conn, phase: 'auth' },
    });
  });

  it('dispatch: a REMOVED connection reaches the handler with no session (GEN-2 is the handler’s)', () => {
    const seen = probe('UserList');
    const w = populated('spec');
    const a = w.admin();
    const conn = w.state.connections[a.conn]!;
    delete w.state.sessions[String(a.sessionId)];
    conn.phase = 'removed';
    conn.sessionId = null;
    w.send(a.conn, 'UserList', { all: false });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.session).toBeNull();
    expect(seen[0]!.conn.phase).toBe('removed');
  });

  it('dispatch: an AUTH request of a type with no registered handler is not answered', () => {
    probe('ConnectionMonitor');
    delete HANDLERS.ConnectionMonitor;
    const w = populated('nexusd');
    const a = w.admin();
    expect(w.send(a.conn, 'ConnectionMonitor', {})).toEqual([]);
    expect(w.state.connections[a.conn]!.phase).toBe('auth');
  });
});

describe('malformed input, timeouts, peer close (wire.md §7, §8)', () => {
  for (const profile of PROFILES) {
    it(`WIRE-BAD-1..8 a framing failure: optional Error, close, session ended (${profile})`, () => {
      const w = populated(profile);
      const watcher = w.admin();
      const bob = w.user('bob');
      const out = w.event({
        kind: 'malformed',
        conn: bob.conn,
        error: { class: 'bad-terminator', rule: 'WIRE-BAD-8', detail: 'CR' },
        now: T0,
      });
      const [err] = sends(out, bob.conn);
      expect(err!.message.body).toEqual({ type: 'Error', message: 'Invalid message format' });
      expect(err!.accept).toEqual({ optional: true });
      expect(err!.rules).toContain('WIRE-BAD-8');
      expect(closes(out, bob.conn)).toEqual([expect.objectContaining({ reason: 'malformed' })]);
      expect(closes(out, bob.conn)[0]!.accept).toBeUndefined();
      expect(single(out, watcher.conn).body).toEqual({ type: 'UserDisconnected', session_id: bob.sessionId, nickname: 'bob' });
      expect(w.state.connections[bob.conn]).toBeUndefined();
      expect(w.state.sessions[String(bob.sessionId)]).toBeUndefined();
    });
  }

  it('WIRE-BAD-9 / WIRE-BAD-12 payloads that are not a well-typed JSON object are framing failures', () => {
    for (const profile of PROFILES) {
      const w = populated(profile);
      for (const [type, payload] of [
        ['Handshake', ''],
        ['Handshake', '[1]'],
        ['Handshake', '{"type":"Handshake","version":5}'],
        ['Login', '{"type":"Login","username":"a","password":"b"}'], // features missing
        ['UserList', '{"type":"UserList","all":"yes"}'],
      ] as const) {
        const c = w.connect();
        const out = w.raw(c, type, payload);
        expect(
          sends(out, c).map((o) => o.error?.key),
          payload,
        ).toEqual(['E-INVALID-MESSAGE-FORMAT']);
        expect(isClosed(out, c)).toBe(true);
      }
    }
  });

  it('WIRE-BAD-10 [DIVERGENT] a missing "type": nexusd rejects, spec processes; a mismatching one fails both', () => {
    const n = world('nexusd');
    const c = n.connect();
    expect(sends(n.raw(c, 'Handshake', '{"version":"0.5.0"}'), c)[0]!.error?.key).toBe('E-INVALID-MESSAGE-FORMAT');
    const s = world('spec');
    const d = s.connect();
    expect(single(s.raw(d, 'Handshake', '{"version":"0.5.0"}'), d).body.success).toBe(true);
    for (const w of [world('spec'), world('nexusd')]) {
      const e = w.connect();
      const out = w.raw(e, 'Handshake', '{"type":"Login","version":"0.5.0"}');
      expect(sends(out, e)[0]!.error?.key).toBe('E-INVALID-MESSAGE-FORMAT');
    }
  });

  it('WIRE-BAD-11 a server-only type name from a client is a framing failure', () => {
    const w = world('spec');
    const c = w.connect();
    const out = w.send(c, 'LoginResponse', { success: true });
    expect(sends(out, c)[0]!.rules).toContain('WIRE-BAD-11');
    expect(closes(out, c).map((x) => x.reason)).toEqual(['malformed']);
  });

  it('WIRE-TMO-1/2 a timeout: optional Error, close reason timeout, session ended', () => {
    const w = populated('nexusd');
    const watcher = w.admin();
    const c = w.connect();
    const out = w.event({ kind: 'timeout', conn: c, now: T0 + 30 });
    expect(sends(out, c)[0]!.accept).toEqual({ optional: true });
    expect(closes(out, c).map((x) => x.reason)).toEqual(['timeout']);
    expect(messagesTo(out, watcher.conn)).toEqual([]); // no session, no broadcast (SES-BC-5)
    const bob = w.user('bob');
    const later = w.event({ kind: 'timeout', conn: bob.conn, now: T0 + 90 });
    expect(single(later, watcher.conn).type).toBe('UserDisconnected');
  });

  it('WIRE-BAD-14 a peer close forgets the connection; unknown connections are ignored', () => {
    const w = populated('spec');
    const c = w.connect();
    expect(w.close(c)).toEqual([]);
    expect(w.state.connections[c]).toBeUndefined();
    expect(w.close(c)).toEqual([]);
    expect(w.close('never-seen')).toEqual([]);
  });
});

describe('per-IP connection limit (wire.md §9)', () => {
  it('WIRE-IP-1 five connections per IP whatever their phase; the sixth is dropped unrecorded', () => {
    const w = populated('nexusd');
    const ip = '192.0.2.7';
    const logged = w.user('admin', { ip });
    const conns = [w.connect(ip), w.connect(ip), w.connect(ip), w.connect(ip)];
    w.handshake(conns[0]!);
    expect(w.last).toHaveLength(1);
    const sixth = w.connect(ip);
    expect(w.last).toEqual([{ kind: 'close', conn: sixth, reason: 'ip-limit', rules: ['WIRE-IP-1', 'WIRE-IP-2'] }]);
    expect(w.state.connections[sixth]).toBeUndefined();
    // another address is unaffected; a freed slot can be reused
    w.connect('192.0.2.8');
    expect(w.last).toEqual([]);
    w.close(logged.conn);
    const again = w.connect(ip);
    expect(w.last).toEqual([]);
    expect(w.state.connections[again]).toBeDefined();
  });

  it('WIRE-IP-1 / UND-12 IPv4 and IPv4-mapped IPv6 peers count together', () => {
    expect(ipKey('::FFFF:192.0.2.7')).toBe('192.0.2.7');
    expect(ipKey('2001:db8::1')).toBe('2001:db8::1');
    const w = world('spec');
    for (let i = 0; i < 3; i++) w.connect('192.0.2.7');
    w.connect('::ffff:192.0.2.7');
    w.connect('::ffff:192.0.2.7');
    w.connect('192.0.2.7');
    expect(w.last.map((o) => o.kind === 'close' && o.reason)).toEqual(['ip-limit']);
  });

  it('WIRE-IP-3 a new limit applies to later connections only; nexusd 0 means unlimited', () => {
    const w = world('nexusd');
    const ip = '198.51.100.1';
    const early = [w.connect(ip), w.connect(ip), w.connect(ip)];
    w.state.serverInfo.max_connections_per_ip = 2;
    expect(early.every((c) => w.state.connections[c])).toBe(true);
    w.connect(ip);
    expect(w.last.map((o) => o.kind)).toEqual(['close']);
    w.state.serverInfo.max_connections_per_ip = 0;
    for (let i = 0; i < 10; i++) {
      w.connect(ip);
      expect(w.last).toEqual([]);
    }
  });
});

describe('foreign sessions (harness events)', () => {
  const foreign = {
    id: 40,
    accountKey: 'lobby',
    nickname: 'Stranger',
    isShared: true,
    loginTime: T0 - 100,
    locale: 'en',
    avatar: null,
    features: [],
    isAway: false,
    status: null,
    ip: '203.0.113.9',
    port: 5000,
  };

  it('foreign-login records a session without a connection and without outputs', () => {
    const w = populated('spec');
    const admin = w.admin();
    const out = w.event({
      kind: 'foreign-login',
      session: foreign,
      account: {
        username: 'lobby',
        passwordDigest: null,
        isAdmin: false,
        isShared: true,
        enabled: true,
        permissions: ['user_list'],
        createdAt: 0,
      },
      now: T0,
    });
    expect(out).toEqual([]);
    expect(w.state.sessions['40']).toMatchObject({ conn: null, nickname: 'Stranger' });
    expect(w.state.accounts.lobby!.passwordDigest).toBeNull();
    // it counts for SES-LOGIN-16 and for session numbering (SES-LR-2)
    w.account('club', { shared: true });
    const c = w.connect();
    w.handshake(c);
    expectFailure(w.login(c, 'club', 'pw', { nickname: 'stranger' }), c, 'E-NICKNAME-IN-USE', 'E!');
    expect(w.session('admin').sessionId).toBe(41);
    // broadcasts addressed to it are not written anywhere
    const closeOut = w.close(admin.conn);
    expect(sends(closeOut).every((o) => o.conn !== null)).toBe(true);
  });

  it('foreign-logout removes it silently', () => {
    const w = populated('spec');
    const admin = w.admin();
    w.event({ kind: 'foreign-login', session: foreign, now: T0 });
    expect(w.event({ kind: 'foreign-logout', sessionId: 40, now: T0 })).toEqual([]);
    expect(w.state.sessions['40']).toBeUndefined();
    expect(w.state.sessions[String(admin.sessionId)]).toBeDefined();
  });
});

describe('purity', () => {
  it('step never mutates its input and is deterministic', () => {
    const w = populated('spec');
    w.admin();
    const c = w.connect();
    w.handshake(c);
    const frozen = structuredClone(w.state);
    const ev = {
      kind: 'frame' as const,
      conn: c,
      frame: {
        type: 'Login',
        id: '00000000abcd',
        payload: new TextEncoder().encode('{"type":"Login","username":"admin","password":"pw","features":[]}'),
      },
      now: T0 + 1,
    };
    const a = step(w.state, ev);
    const b = step(w.state, ev);
    expect(w.state).toEqual(frozen);
    expect(a).toEqual(b);
    expect(a.state).not.toBe(w.state);
    expect(JSON.parse(JSON.stringify(a.state))).toEqual(a.state); // JSON-serialisable
  });
});

describe('create.ts and password.ts', () => {
  it('createState: guest only, default ServerInfo, empty topic, ids from 1', () => {
    const s = createState({ profile: 'nexusd' }, { now: 123, idSeed: 9 });
    expect(s.config).toEqual({ profile: 'nexusd', protocolVersion: '0.5.0', softwareVersion: '0.5.0' });
    expect(Object.keys(s.accounts)).toEqual(['guest']);
    expect(s.accounts.guest!.createdAt).toBe(123);
    expect(s.serverInfo).toEqual(defaultServerInfo(s.config));
    expect(s.serverInfo.image).toBe('');
    expect(s.chatInfo).toEqual({ topic: '', topic_set_by: '' });
    expect([s.nextSessionId, s.idSeed, s.idCounter]).toEqual([1, 9, 0]);
    expect(s.sessions).toEqual({});
    expect(s.connections).toEqual({});
    const custom = createState({ profile: 'spec', softwareVersion: '0.5.3' });
    expect(custom.serverInfo.version).toBe('0.5.3');
  });

  it('stateFromSnapshot: foreign sessions in login order, new ids above the largest', () => {
    const base = {
      accountKey: 'bob',
      nickname: 'bob',
      isShared: false,
      locale: 'en',
      avatar: null,
      features: [],
      ip: '203.0.113.1',
      port: 1,
      status: null,
    };
    const s = stateFromSnapshot(
      { profile: 'spec' },
      {
        accounts: [
          {
            username: 'Bob',
            passwordDigest: passwordDigest('pw'),
            isAdmin: false,
            isShared: false,
            enabled: true,
            permissions: [],
            createdAt: 1,
          },
          { username: 'guest', passwordDigest: '', isAdmin: false, isShared: true, enabled: false, permissions: [], createdAt: 1 },
        ],
        sessions: [
          { ...base, id: 17, loginTime: 200, isAway: true, status: 'late' },
          { ...base, id: 9, loginTime: 100, isAway: false },
        ],
        serverInfo: { ...defaultServerInfo({ profile: 'spec', protocolVersion: '0.5.0', softwareVersion: '0.5.0' }), name: 'Target' },
      },
    );
    expect(s.nextSessionId).toBe(18);
    expect(s.sessions['9']!.loginSeq).toBeLessThan(s.sessions['17']!.loginSeq);
    expect(s.sessions['17']!.conn).toBeNull();
    expect(s.accounts.bob!.username).toBe('Bob');
    expect(s.serverInfo.name).toBe('Target');
    // a login against it numbers above 17 and inherits from the latest foreign session (SES-ID-3)
    const c = 'c1';
    let r = step(s, { kind: 'connect', conn: c, ip: '10.0.0.1', port: 1, now: 300 });
    r = step(r.state, {
      kind: 'frame',
      conn: c,
      frame: { type: 'Handshake', id: '000000000001', payload: new TextEncoder().encode('{"type":"Handshake","version":"0.5.0"}') },
      now: 300,
    });
    r = step(r.state, {
      kind: 'frame',
      conn: c,
      frame: {
        type: 'Login',
        id: '000000000002',
        payload: new TextEncoder().encode('{"type":"Login","username":"bob","password":"pw","features":[]}'),
      },
      now: 300,
    });
    expect(r.state.sessions['18']).toMatchObject({ isAway: true, status: 'late', conn: c });
  });

  it('passwordDigest: "" stays "", otherwise SHA-256 hex; a null digest never matches', () => {
    expect(passwordDigest('')).toBe('');
    expect(passwordDigest('pw')).toBe(createHash('sha256').update('pw').digest('hex'));
    const account = {
      username: 'a',
      passwordDigest: passwordDigest('pw'),
      isAdmin: false,
      isShared: false,
      enabled: true,
      permissions: [],
      createdAt: 0,
    };
    expect(passwordMatches(account, 'pw')).toBe(true);
    expect(passwordMatches(account, 'PW')).toBe(false);
    expect(passwordMatches({ ...account, passwordDigest: '' }, '')).toBe(true);
    expect(passwordMatches({ ...account, passwordDigest: '' }, 'x')).toBe(false);
    expect(passwordMatches({ ...account, passwordDigest: null }, '')).toBe(false);
  });
});
