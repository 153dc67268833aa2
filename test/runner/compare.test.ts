// The comparator: every tolerance the spec grants holds, and every one of them can still fail with
// a precise message.
import { describe, expect, it } from 'vitest';
import { renderError } from '../../src/model/errors.ts';
import type { Carrier, ErrorKey, SendOutput } from '../../src/model/events.ts';
import type { MatchMode, Profile } from '../../src/protocol/types.ts';
import type { CompareContext } from '../../src/runner/compare.ts';
import { compareMessage, ipPart, matchMessage, SessionIdMap } from '../../src/runner/compare.ts';

const REQ = 'a1b2c3d4e5f6';
const FRESH = '0123456789ab';
const NOW = 1_700_000_000;

function expected(type: string, body: Record<string, unknown>, extra: Partial<SendOutput> = {}, id = REQ): SendOutput {
  return { kind: 'send', conn: 'h1', message: { type, id, body: { type, ...body } }, rules: ['TEST-1'], ...extra };
}

function observed(type: string, body: Record<string, unknown>, id = REQ) {
  return { message: { type, id, body: { type, ...body } } };
}

function ctx(over: Partial<CompareContext> = {}): CompareContext {
  return { profile: 'spec', match: 'key', ids: new SessionIdMap(), now: NOW, ...over };
}

function errorOutput(key: ErrorKey, command: string, carriers: Carrier[], profile: Profile = 'spec', params = {}): SendOutput {
  const text = renderError(key, params, profile);
  const first = carriers[0]!;
  if (first === 'T') {
    return expected(`${command}Response`, { success: false, error: text }, { error: { key, params, carriers, command } });
  }
  return expected('Error', { message: text, command }, { error: { key, params, carriers, command } });
}

const user = (over: Record<string, unknown> = {}) => ({
  username: 'alice',
  nickname: 'alice',
  login_time: NOW - 10,
  is_admin: false,
  is_shared: false,
  session_ids: [3],
  locale: 'en',
  is_away: false,
  ...over,
});

describe('absent, null and unknown members', () => {
  it('treats absent and null alike (WIRE-JSON-5) and ignores unknown members (WIRE-JSON-3)', () => {
    const c = ctx();
    c.ids.link(30, 3);
    const exp = expected('UserConnected', { user: user({ avatar: null }) }, {}, FRESH);
    expect(
      compareMessage(
        exp,
        observed('UserConnected', { user: user({ session_ids: [30], avatar: undefined, extra: 1 }), channels: [] }, FRESH),
        c,
      ),
    ).toEqual([]);
  });

  it('still reports an optional member the model knows to be empty', () => {
    const c = ctx();
    c.ids.link(30, 3);
    const exp = expected('UserConnected', { user: user() }, {}, FRESH);
    const diffs = compareMessage(exp, observed('UserConnected', { user: user({ session_ids: [30], status: 'busy' }) }, FRESH), c);
    expect(diffs).toEqual(['user.status: expected absent got "busy"']);
  });

  it('reports a wrong value with its path', () => {
    const c = ctx();
    c.ids.link(30, 3);
    const exp = expected('UserConnected', { user: user() }, {}, FRESH);
    const diffs = compareMessage(exp, observed('UserConnected', { user: user({ session_ids: [30], is_admin: true }) }, FRESH), c);
    expect(diffs).toEqual(['user.is_admin: expected false got true']);
  });

  it('reports shape problems of the observed body', () => {
    const diffs = compareMessage(
      expected('UserKickResponse', { success: true, nickname: 'bob' }),
      observed('UserKickResponse', { success: 'yes', nickname: 'bob' }),
      ctx(),
    );
    expect(diffs.some((d) => d.startsWith('shape: success'))).toBe(true);
  });
});

describe('session ids', () => {
  it('learns the mapping from LoginResponse and applies it later (SES-LR-2)', () => {
    const c = ctx();
    const login = expected('LoginResponse', {
      success: true,
      session_id: 3,
      is_admin: false,
      permissions: ['user_list', 'user_info'],
      server_info: {
        name: 'X',
        description: '',
        version: '0.5.0',
        transfer_port: 7501,
        max_connections_per_ip: 5,
        max_transfers_per_ip: 3,
        image: null,
      },
      locale: 'en',
    });
    const got = observed('LoginResponse', {
      success: true,
      session_id: 41,
      is_admin: false,
      permissions: ['user_info', 'user_list'],
      server_info: {
        name: 'X',
        description: '',
        version: '9.9.9',
        transfer_port: 7501,
        max_connections_per_ip: 5,
        max_transfers_per_ip: 3,
        image: '',
      },
      locale: 'en',
    });
    expect(compareMessage(login, got, c)).toEqual([]);
    expect(c.ids.toModel(41)).toBe(3);

    const bye = expected('UserDisconnected', { session_id: 3, nickname: 'alice' }, {}, FRESH);
    expect(compareMessage(bye, observed('UserDisconnected', { session_id: 41, nickname: 'alice' }, FRESH), c)).toEqual([]);
    expect(compareMessage(bye, observed('UserDisconnected', { session_id: 42, nickname: 'alice' }, FRESH), c)).toEqual([
      'session_id: expected 3 got unknown session (target id 42)',
    ]);
  });

  it('does not learn outside login and connect broadcasts, and names the mismatch', () => {
    const c = ctx();
    c.ids.link(40, 4);
    const exp = expected('UserUpdated', { previous_username: 'alice', user: user() }, {}, FRESH);
    expect(
      compareMessage(exp, observed('UserUpdated', { previous_username: 'alice', user: user({ session_ids: [40] }) }, FRESH), c),
    ).toEqual(['user.session_ids: expected [3] got [4]']);
  });

  it('learns a new session from UserConnected and compares session_ids as a set', () => {
    const c = ctx();
    c.ids.link(10, 1);
    const exp = expected('UserConnected', { user: user({ session_ids: [1, 3] }) }, {}, FRESH);
    expect(compareMessage(exp, observed('UserConnected', { user: user({ session_ids: [33, 10] }) }, FRESH), c)).toEqual([]);
    expect(c.ids.toModel(33)).toBe(3);
  });

  it('does not commit what a non-matching frame would have taught', () => {
    const c = ctx();
    const exp = expected('UserConnected', { user: user() }, {}, FRESH);
    const diffs = compareMessage(exp, observed('UserConnected', { user: user({ session_ids: [30], locale: 'de' }) }, FRESH), c);
    expect(diffs).toEqual(['user.locale: expected "en" got "de"']);
    expect(c.ids.toModel(30)).toBeUndefined();
  });
});

describe('timestamps', () => {
  it('checks plausibility, not equality, and consistency per session', () => {
    const c = ctx();
    c.ids.link(30, 3);
    const exp = expected('UserConnected', { user: user({ login_time: 5 }) }, {}, FRESH);
    expect(compareMessage(exp, observed('UserConnected', { user: user({ session_ids: [30], login_time: NOW - 99 }) }, FRESH), c)).toEqual(
      [],
    );

    const list = expected('UserListResponse', { success: true, users: [user({ login_time: 5 })] });
    expect(
      compareMessage(list, observed('UserListResponse', { success: true, users: [user({ session_ids: [30], login_time: NOW - 98 })] }), c),
    ).toEqual([
      `users[{nickname "alice", username "alice"}].login_time: ${NOW - 98} differs from ${NOW - 99} reported earlier for the same session`,
    ]);
  });

  it('rejects negative, fractional and millisecond timestamps', () => {
    const c = ctx();
    c.ids.link(30, 3);
    const exp = expected('UserConnected', { user: user() }, {}, FRESH);
    for (const bad of [-1, 1.5, NOW * 1000]) {
      const diffs = matchMessage(
        exp,
        observed('UserConnected', { user: user({ session_ids: [30], login_time: bad }) }, FRESH),
        c,
      ).differences;
      expect(diffs.join('\n')).toMatch(/login_time/);
    }
  });
});

describe('sets, server info, chat info', () => {
  it('compares permissions as sets (GEN-8) and names what is missing', () => {
    const exp = expected('UserEditResponse', {
      success: true,
      username: 'bob',
      is_admin: false,
      is_shared: false,
      enabled: true,
      permissions: ['a_x', 'b_y'],
    });
    const c = ctx();
    expect(
      compareMessage(
        exp,
        observed('UserEditResponse', {
          success: true,
          username: 'bob',
          is_admin: false,
          is_shared: false,
          enabled: true,
          permissions: ['b_y', 'a_x', 'a_x'],
        }),
        c,
      ),
    ).toEqual([]);
    const diffs = compareMessage(
      exp,
      observed('UserEditResponse', {
        success: true,
        username: 'bob',
        is_admin: false,
        is_shared: false,
        enabled: true,
        permissions: ['b_y'],
      }),
      c,
    );
    expect(diffs).toEqual(['permissions: expected {a_x, b_y} got {b_y}: missing a_x (compared as sets, GEN-8)']);
  });

  it('treats "", null and absent images alike, ignores the software version and out-of-scope members (SES-SI-3, SES-SI-7, SES-SI-8)', () => {
    const info = {
      name: 'N',
      description: 'D',
      version: '0.5.0',
      transfer_port: 7501,
      max_connections_per_ip: 5,
      max_transfers_per_ip: 3,
      image: '',
    };
    const exp = expected('ServerInfoUpdated', { server_info: info }, {}, FRESH);
    const { image: _drop, ...noImage } = info;
    expect(
      compareMessage(
        exp,
        observed('ServerInfoUpdated', { server_info: { ...noImage, version: '1.2.3', file_reindex_interval: 3600 } }, FRESH),
        ctx(),
      ),
    ).toEqual([]);
    expect(compareMessage(exp, observed('ServerInfoUpdated', { server_info: { ...info, image: null } }, FRESH), ctx())).toEqual([]);
    expect(
      compareMessage(exp, observed('ServerInfoUpdated', { server_info: { ...info, image: 'data:image/png;base64,AA' } }, FRESH), ctx()),
    ).toEqual(['server_info.image: expected "" got "data:image/png;base64,AA" ("", null and absent are alike)']);
    expect(compareMessage(exp, observed('ServerInfoUpdated', { server_info: { ...info, name: 'M' } }, FRESH), ctx())).toEqual([
      'server_info.name: expected "N" got "M"',
    ]);
  });

  it('SES-SI: LoginResponse may leave ServerInfo members out (optional on the wire); ServerInfoUpdated carries them all (ADM-SINFO-10)', () => {
    const info = {
      name: 'N',
      description: 'D',
      version: '0.5.0',
      transfer_port: 7501,
      max_connections_per_ip: 5,
      max_transfers_per_ip: 3,
      image: '',
    };
    const login = expected('LoginResponse', {
      success: true,
      session_id: 3,
      is_admin: false,
      permissions: [],
      server_info: info,
      locale: 'en',
    });
    const c = ctx();
    c.ids.link(30, 3);
    const sparse = { name: 'N' };
    expect(
      compareMessage(
        login,
        observed('LoginResponse', { success: true, session_id: 30, is_admin: false, permissions: [], server_info: sparse, locale: 'en' }),
        c,
      ),
    ).toEqual([]);
    expect(
      compareMessage(
        login,
        observed('LoginResponse', {
          success: true,
          session_id: 30,
          is_admin: false,
          permissions: [],
          server_info: { name: 'M' },
          locale: 'en',
        }),
        c,
      ),
    ).toEqual(['server_info.name: expected "N" got "M"']);
    const update = expected('ServerInfoUpdated', { server_info: info }, {}, FRESH);
    expect(compareMessage(update, observed('ServerInfoUpdated', { server_info: sparse }, FRESH), ctx())).toContain(
      'server_info.description: expected "D" got absent',
    );
  });

  it('treats chat_info as optional (SES-LR-6) but compares it when present', () => {
    const base = {
      success: true,
      session_id: 3,
      is_admin: true,
      permissions: [],
      server_info: { name: 'N' },
      locale: 'en',
    };
    const c = ctx();
    const exp = expected('LoginResponse', { ...base, chat_info: { topic: 't', topic_set_by: 'a' } });
    expect(compareMessage(exp, observed('LoginResponse', { ...base, session_id: 9 }), c)).toEqual([]);
    expect(
      compareMessage(exp, observed('LoginResponse', { ...base, session_id: 9, chat_info: { topic: 'u', topic_set_by: 'a' } }), c),
    ).toEqual(['chat_info.topic: expected "t" got "u"']);
  });

  it('lets PermissionsUpdated carry a partial server_info in nexusd, the full one in spec (ADM-UPDATE-14)', () => {
    const info = {
      name: 'N',
      description: '',
      version: '0.5.0',
      transfer_port: 7501,
      max_connections_per_ip: 5,
      max_transfers_per_ip: 3,
      image: '',
    };
    const exp = expected('PermissionsUpdated', { is_admin: true, permissions: [], server_info: info }, {}, FRESH);
    const partial = observed('PermissionsUpdated', { is_admin: true, permissions: [], server_info: { max_connections_per_ip: 5 } }, FRESH);
    expect(compareMessage(exp, partial, ctx({ profile: 'nexusd' }))).toEqual([]);
    expect(compareMessage(exp, partial, ctx({ match: 'lenient' }))).toEqual([]);
    expect(compareMessage(exp, partial, ctx())).toEqual([
      'server_info.name: expected "N" got absent',
      'server_info.description: expected "" got absent',
      'server_info.transfer_port: expected 7501 got absent',
      'server_info.max_transfers_per_ip: expected 3 got absent',
    ]);
    expect(
      compareMessage(exp, observed('PermissionsUpdated', { is_admin: true, permissions: [], server_info: info }, FRESH), ctx()),
    ).toEqual([]);
    expect(
      compareMessage(exp, observed('PermissionsUpdated', { is_admin: true, permissions: [] }, FRESH), ctx({ match: 'lenient' })),
    ).toEqual([]);
    expect(compareMessage(exp, observed('PermissionsUpdated', { is_admin: true, permissions: [] }, FRESH), ctx())).toHaveLength(1);
  });
});

describe('addresses', () => {
  it('compares the IP part only (CM-5, USR-INFO-8)', () => {
    expect(ipPart('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(ipPart('127.0.0.1:50432')).toBe('127.0.0.1');
    expect(ipPart('[::ffff:127.0.0.1]:50432')).toBe('127.0.0.1');
    expect(ipPart('[::1]:7')).toBe('::1');

    const entry = { nickname: 'alice', username: 'alice', ip: '::ffff:127.0.0.1', login_time: NOW, is_admin: false, is_shared: false };
    const exp = expected('ConnectionMonitorResponse', { success: true, connections: [entry] });
    const monitor = (ip: string) => observed('ConnectionMonitorResponse', { success: true, connections: [{ ...entry, ip }] });
    // `nexusd` (listener-dependent form) and `lenient` compare the IP part only.
    expect(compareMessage(exp, monitor('127.0.0.1'), ctx({ profile: 'nexusd' }))).toEqual([]);
    expect(compareMessage(exp, monitor('127.0.0.1'), ctx({ match: 'lenient' }))).toEqual([]);
    expect(compareMessage(exp, monitor('127.0.0.2'), ctx({ profile: 'nexusd' }))).toEqual([
      'connections[{nickname "alice", username "alice"}].ip: expected "::ffff:127.0.0.1" got "127.0.0.2" (IP part compared, ::ffff: stripped, CM-5)',
    ]);
  });

  it('checks the canonical form of ConnectionMonitor addresses in spec, where the seeds state it (CM-5)', () => {
    const entry = { nickname: 'alice', username: 'alice', ip: '::ffff:127.0.0.1', login_time: NOW, is_admin: false, is_shared: false };
    const exp = expected('ConnectionMonitorResponse', { success: true, connections: [entry] });
    const monitor = (ip: string) => observed('ConnectionMonitorResponse', { success: true, connections: [{ ...entry, ip }] });
    expect(compareMessage(exp, monitor('::ffff:127.0.0.1'), ctx())).toEqual([]);
    expect(compareMessage(exp, monitor('::FFFF:127.0.0.1'), ctx())).toEqual([]);
    for (const ip of ['127.0.0.1', '[::ffff:127.0.0.1]:50432']) {
      expect(compareMessage(exp, monitor(ip), ctx())).toEqual([
        `connections[{nickname "alice", username "alice"}].ip: expected the canonical form "::ffff:127.0.0.1" got ${JSON.stringify(ip)} (IPv4 peers as ::ffff:a.b.c.d, no port, CM-5)`,
      ]);
    }
  });

  it('learns the address a NAT shows for a non-loopback harness address, then holds it', () => {
    const c = ctx();
    c.ids.link(30, 3);
    const detailed = (addresses: string[]) => ({
      success: true,
      user: { ...user(), session_ids: [3], features: [], created_at: NOW - 100, is_admin: false, addresses },
    });
    const exp = expected('UserInfoResponse', detailed(['10.0.0.5']));
    const got = (a: string) => observed('UserInfoResponse', { ...detailed([a]), user: { ...detailed([a]).user, session_ids: [30] } });
    expect(compareMessage(exp, got('203.0.113.9:4000'), c)).toEqual([]);
    expect(compareMessage(exp, got('203.0.113.9:4001'), c)).toEqual([]);
    expect(compareMessage(exp, got('198.51.100.1:4001'), c)).toHaveLength(1);
  });
});

describe('names', () => {
  it('compares UserConnected names case-insensitively (SES-BC-1), lists exactly', () => {
    const c = ctx();
    c.ids.link(30, 3);
    const exp = expected('UserConnected', { user: user({ username: 'Alice', nickname: 'Alice' }) }, {}, FRESH);
    expect(
      compareMessage(exp, observed('UserConnected', { user: user({ session_ids: [30], username: 'alice', nickname: 'ALICE' }) }, FRESH), c),
    ).toEqual([]);

    const list = expected('UserListResponse', { success: true, users: [user({ username: 'Alice', nickname: 'Alice' })] });
    const diffs = compareMessage(
      list,
      observed('UserListResponse', { success: true, users: [user({ session_ids: [30], username: 'alice', nickname: 'Alice' })] }),
      c,
    );
    expect(diffs).toEqual(['users[{nickname "Alice", username "Alice"}].username: expected "Alice" got "alice"']);
  });
});

describe('lists', () => {
  const own = (n: string) => n.startsWith('run_') || n === 'root';
  const entry = (nick: string, ids: number[], over: Record<string, unknown> = {}) =>
    user({ username: nick, nickname: nick, session_ids: ids, ...over });

  it('tolerates foreign entries missing or extra, compares their stable members only', () => {
    const c = ctx({ isOwnName: own });
    for (const [t, m] of [
      [10, 1],
      [20, 2],
      [30, 3],
    ] as const)
      c.ids.link(t, m);
    const exp = expected('UserListResponse', { success: true, users: [entry('root', [1]), entry('run_a', [2]), entry('stranger', [3])] });
    const got = observed('UserListResponse', {
      success: true,
      users: [entry('another', [77]), entry('root', [10]), entry('run_a', [20])],
    });
    expect(compareMessage(exp, got, c)).toEqual([]);
    const away = observed('UserListResponse', {
      success: true,
      users: [entry('root', [10]), entry('run_a', [20]), entry('stranger', [99], { is_away: true, is_admin: true })],
    });
    expect(compareMessage(exp, away, c)).toEqual(['users[{nickname "stranger", username "stranger"}].is_admin: expected false got true']);
  });

  it('reports a missing or extra entry of the run and a wrong order (USR-LIST-5)', () => {
    const c = ctx({ isOwnName: own });
    c.ids.link(10, 1);
    c.ids.link(20, 2);
    const exp = expected('UserListResponse', { success: true, users: [entry('root', [1]), entry('run_a', [2])] });
    expect(compareMessage(exp, observed('UserListResponse', { success: true, users: [entry('root', [10])] }), c)).toEqual([
      'users: missing entry {nickname "run_a", username "run_a"}',
    ]);
    expect(
      compareMessage(
        exp,
        observed('UserListResponse', { success: true, users: [entry('root', [10]), entry('run_a', [20]), entry('run_b', [20])] }),
        c,
      ),
    ).toContain('users: unexpected entry {nickname "run_b", username "run_b"}');
    expect(
      compareMessage(exp, observed('UserListResponse', { success: true, users: [entry('run_a', [20]), entry('root', [10])] }), c),
    ).toEqual(['users: not sorted by lower-cased nickname: "run_a" before "root" (USR-LIST-5)']);
  });

  it('never tolerates a stored account entry going missing (USR-LIST-4)', () => {
    const c = ctx({ isOwnName: own });
    const stored = (n: string) => ({
      username: n,
      nickname: n,
      login_time: 5,
      is_admin: false,
      is_shared: false,
      session_ids: [],
      locale: '',
    });
    const exp = expected('UserListResponse', { success: true, users: [stored('guest'), stored('root')] });
    expect(compareMessage(exp, observed('UserListResponse', { success: true, users: [stored('root')] }), c)).toEqual([
      'users: missing entry {nickname "guest", username "guest"}',
    ]);
    // `spec` leaves away members out of stored entries, `nexusd` sends is_away:false: both fit.
    const nexusdStyle = expected('UserListResponse', {
      success: true,
      users: [
        { ...stored('guest'), is_away: false },
        { ...stored('root'), is_away: false },
      ],
    });
    expect(
      compareMessage(nexusdStyle, observed('UserListResponse', { success: true, users: [stored('guest'), stored('root')] }), c),
    ).toEqual([]);
    // --jobs: another lane's stored account may be deleted under our feet; the run's own may not.
    const lanes = ctx({ isOwnName: own, isTransientName: (n) => n.startsWith('lane_') });
    const withSibling = expected('UserListResponse', { success: true, users: [stored('lane_b1'), stored('root'), stored('run_a')] });
    expect(
      compareMessage(withSibling, observed('UserListResponse', { success: true, users: [stored('root'), stored('run_a')] }), lanes),
    ).toEqual([]);
    expect(
      compareMessage(withSibling, observed('UserListResponse', { success: true, users: [stored('lane_b1'), stored('root')] }), lanes),
    ).toEqual(['users: missing entry {nickname "run_a", username "run_a"}']);
    // Another lane promotes its accounts under our feet (this lane's mirror never learns it); a
    // stranger's admin flag stays compared.
    const promoted = (name: string) => ({ ...stored(name), is_admin: true });
    const onBothSides = expected('UserListResponse', { success: true, users: [stored('lane_b1'), stored('root'), stored('zed')] });
    expect(
      compareMessage(
        onBothSides,
        observed('UserListResponse', { success: true, users: [promoted('lane_b1'), stored('root'), stored('zed')] }),
        lanes,
      ),
    ).toEqual([]);
    expect(
      compareMessage(
        onBothSides,
        observed('UserListResponse', { success: true, users: [stored('lane_b1'), stored('root'), promoted('zed')] }),
        lanes,
      ),
    ).toEqual(['users[{nickname "zed", username "zed"}].is_admin: expected false got true']);
  });
});

describe('errors', () => {
  const key = 'E-PERMISSION-DENIED';

  it.each<[MatchMode, string, boolean]>([
    ['exact', 'Permission denied', true],
    ['exact', 'permission denied', false],
    ['key', 'Permission denied', true],
    ['key', 'Admin privileges required', false],
    ['lenient', 'Permission denied', true],
  ])('%s match of %j', (match, text, ok) => {
    const exp = errorOutput(key, 'UserList', ['T']);
    const diffs = compareMessage(exp, observed('UserListResponse', { success: false, error: text }), ctx({ match }));
    expect(diffs.length === 0).toBe(ok);
  });

  it('strips Fluent isolation marks before exact comparison', () => {
    const params = { nickname: 'bob' };
    const exp = errorOutput('E-NICKNAME-NOT-ONLINE', 'UserKick', ['T'], 'nexusd', params);
    const text = renderError('E-NICKNAME-NOT-ONLINE', params, 'nexusd');
    expect(text).toContain('\u2068');
    expect(
      compareMessage(
        exp,
        observed('UserKickResponse', { success: false, error: text.replace(/[\u2068\u2069]/g, '') }),
        ctx({ match: 'exact', profile: 'nexusd' }),
      ),
    ).toEqual([]);
  });

  it('reports a wrong carrier, except in lenient where T and E are interchangeable (GEN-4)', () => {
    const exp = errorOutput(key, 'UserList', ['T']);
    const asError = observed('Error', { message: 'Permission denied', command: 'UserList' });
    expect(compareMessage(exp, asError, ctx({ match: 'key' }))).toEqual([
      'carrier: expected E-PERMISSION-DENIED in UserListResponse got Error',
    ]);
    expect(compareMessage(exp, asError, ctx({ match: 'lenient' }))).toEqual([]);
    const asTyped = observed('UserListResponse', { success: false, error: 'Permission denied' });
    expect(compareMessage(errorOutput(key, 'UserList', ['E']), asTyped, ctx({ match: 'lenient' }))).toEqual([]);
    expect(compareMessage(errorOutput(key, 'UserList', ['E']), asTyped, ctx({ match: 'exact' }))).toEqual([
      'carrier: expected E-PERMISSION-DENIED in Error (E) got UserListResponse',
    ]);
  });

  it('checks Error.command and the echoed id (WIRE-ID-2)', () => {
    const exp = errorOutput('E-NOT-LOGGED-IN', 'UserList', ['E!']);
    expect(compareMessage(exp, observed('Error', { message: 'Not logged in', command: 'UserInfo' }), ctx())).toEqual([
      'command: expected "UserList" got "UserInfo"',
    ]);
    expect(compareMessage(exp, observed('Error', { message: 'Not logged in', command: 'UserList' }, REQ.toUpperCase()), ctx())).toEqual([
      `id: expected the request id ${REQ} echoed byte for byte got ${REQ.toUpperCase()} (WIRE-ID-2)`,
    ]);
  });

  it('names the key the wrong text stands for', () => {
    const diffs = compareMessage(
      errorOutput(key, 'UserList', ['T']),
      observed('UserListResponse', { success: false, error: 'You cannot kick yourself' }),
      ctx(),
    );
    expect(diffs).toEqual([
      'error: expected E-PERMISSION-DENIED "Permission denied" (key match) got "You cannot kick yourself" (classified as E-CANNOT-KICK-SELF)',
    ]);
  });

  it('expects fresh lower-case ids on notices and broadcasts (WIRE-ID-3)', () => {
    const notice = expected(
      'Error',
      { message: 'Your account has been deleted' },
      { error: { key: 'E-ACCOUNT-DELETED', params: {}, carriers: ['N'] } },
      FRESH,
    );
    expect(compareMessage(notice, observed('Error', { message: 'Your account has been deleted' }, 'ABCDEF012345'), ctx())).toEqual([
      'id: expected a fresh id of 12 lower-case hex digits got ABCDEF012345 (WIRE-ID-3)',
    ]);
    expect(compareMessage(notice, observed('Error', { message: 'Your account has been deleted' }, 'abcdef012345'), ctx())).toEqual([]);
  });
});

describe('alternatives', () => {
  it('tries accept.alternatives in turn (e.g. SES-BC-2 inherited or cleared away state)', () => {
    const c = ctx();
    c.ids.link(30, 3);
    const exp = expected(
      'UserConnected',
      { user: user({ is_away: true, status: 'lunch' }) },
      {
        accept: { alternatives: [{ type: 'UserConnected', body: { type: 'UserConnected', user: user() } }] },
      },
      FRESH,
    );
    expect(compareMessage(exp, observed('UserConnected', { user: user({ session_ids: [30] }) }, FRESH), c)).toEqual([]);
    expect(
      compareMessage(exp, observed('UserConnected', { user: user({ session_ids: [30], is_away: true, status: 'lunch' }) }, FRESH), c),
    ).toEqual([]);
    expect(compareMessage(exp, observed('UserConnected', { user: user({ session_ids: [30], is_away: true }) }, FRESH), c)).toEqual([
      'user.status: expected "lunch" got absent',
    ]);
  });

  it('accepts an error alternative for a success prediction (UND-5)', () => {
    const exp = expected(
      'UserUpdateResponse',
      { success: true, username: 'shop' },
      {
        accept: {
          alternatives: [
            { type: 'UserUpdateResponse', body: { type: 'UserUpdateResponse', success: false, error: 'Shared accounts cannot be admins' } },
          ],
        },
      },
    );
    expect(
      compareMessage(exp, observed('UserUpdateResponse', { success: false, error: 'Shared accounts cannot be admins' }), ctx()),
    ).toEqual([]);
    expect(compareMessage(exp, observed('UserUpdateResponse', { success: false, error: 'Permission denied' }), ctx())).not.toEqual([]);
  });
});

describe('UND-14: the locale of an aggregated entry (SendAccept.anyLocaleOf)', () => {
  const c = () => {
    const x = ctx();
    x.ids.link(30, 3);
    x.ids.link(40, 4);
    return x;
  };
  const info = (locale: string, ids = [30, 40]) =>
    observed('UserInfoResponse', { success: true, user: user({ session_ids: ids, locale, features: [], created_at: NOW - 99 }) });
  const exp = (anyLocaleOf?: NonNullable<SendOutput['accept']>['anyLocaleOf']) =>
    expected(
      'UserInfoResponse',
      { success: true, user: user({ session_ids: [3, 4], locale: 'de', features: [], created_at: NOW - 99 }) },
      anyLocaleOf ? { accept: { anyLocaleOf } } : {},
    );

  it("accepts the locale of any of the entry's sessions", () => {
    const allowed = [{ sessionIds: [3, 4], locales: ['fr', 'de'] }];
    expect(matchMessage(exp(allowed), info('de'), c()).differences).toEqual([]);
    expect(matchMessage(exp(allowed), info('fr'), c()).differences).toEqual([]);
  });

  it('rejects another locale, and is strict without the annotation', () => {
    const allowed = [{ sessionIds: [3, 4], locales: ['fr', 'de'] }];
    expect(matchMessage(exp(allowed), info('en'), c()).differences).toEqual([
      'user.locale: expected the locale of one of its sessions "fr" or "de" got "en" (UND-14)',
    ]);
    expect(matchMessage(exp(), info('fr'), c()).differences).toEqual(['user.locale: expected "de" got "fr"']);
  });
});
