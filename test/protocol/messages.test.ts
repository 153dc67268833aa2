// Client payload decoding (WIRE-JSON-1..6, WIRE-BAD-9..12) and server shape checks (WIRE-JSON-5).
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  decodeClientFrame,
  decodeClientPayload,
  hasDuplicateMembers,
  parseServerBody,
  parseValidJson,
  topLevelRawMembers,
  type LoginBody,
  type UserUpdateBody,
} from '../../src/protocol/messages.ts';
import { CLIENT_TYPES, PROFILES, type ClientType, type Profile } from '../../src/protocol/types.ts';

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');
const dec = <T extends ClientType>(type: T, json: string, profile: Profile = 'nexusd') => decodeClientPayload(type, enc(json), profile);

/** A minimal valid body per client type (with "type"). */
const MINIMAL: Record<ClientType, Record<string, unknown>> = {
  Handshake: { version: '0.5.0' },
  Login: { username: 'alice', password: 'pw', features: [] },
  UserList: {},
  UserInfo: { nickname: 'alice' },
  UserAway: {},
  UserBack: {},
  UserStatus: {},
  UserCreate: { username: 'bob', password: 'pw', is_admin: false, enabled: true, permissions: ['user_list'] },
  UserEdit: { username: 'bob' },
  UserUpdate: { username: 'bob' },
  UserDelete: { username: 'bob' },
  UserKick: { nickname: 'bob' },
  ServerInfoUpdate: {},
  ConnectionMonitor: {},
};
const withType = (t: ClientType, extra: Record<string, unknown> = {}): string => JSON.stringify({ type: t, ...MINIMAL[t], ...extra });

function expectFail(r: { ok: boolean; reason?: string }, pattern?: RegExp): void {
  expect(r.ok).toBe(false);
  if (pattern) expect((r as { reason: string }).reason).toMatch(pattern);
}

describe('decodeClientPayload: valid bodies', () => {
  it('accepts a minimal body of every client type in both profiles, type set in the result', () => {
    for (const p of PROFILES) {
      for (const t of CLIENT_TYPES) {
        const r = dec(t, withType(t), p);
        expect(r, `${t}/${p}`).toMatchObject({ ok: true, body: { type: t, ...MINIMAL[t] } });
      }
    }
  });

  it('decodes full bodies with every optional member', () => {
    const r = dec(
      'UserUpdate',
      JSON.stringify({
        type: 'UserUpdate',
        username: 'bob',
        current_password: 'a',
        requested_username: 'rob',
        requested_password: 'b',
        requested_is_admin: true,
        requested_enabled: false,
        requested_permissions: ['user_list'],
      }),
    );
    expect(r).toEqual({
      ok: true,
      body: {
        type: 'UserUpdate',
        username: 'bob',
        current_password: 'a',
        requested_username: 'rob',
        requested_password: 'b',
        requested_is_admin: true,
        requested_enabled: false,
        requested_permissions: ['user_list'],
      },
    });
    const s = dec(
      'ServerInfoUpdate',
      '{"type":"ServerInfoUpdate","name":"N","description":"","max_connections_per_ip":0,"max_transfers_per_ip":4294967295,"image":""}',
    );
    expect(s).toMatchObject({ ok: true, body: { max_connections_per_ip: 0, max_transfers_per_ip: 4294967295, image: '' } });
  });

  it('exports typed bodies', () => {
    const r = dec('Login', withType('Login'));
    if (r.ok) {
      expectTypeOf(r.body).toEqualTypeOf<LoginBody>();
      expectTypeOf(r.body.locale).toEqualTypeOf<string | undefined>();
      expectTypeOf(r.body.features).toEqualTypeOf<string[]>();
    }
    expectTypeOf<UserUpdateBody['requested_permissions']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<UserUpdateBody['type']>().toEqualTypeOf<'UserUpdate'>();
  });
});

describe('WIRE-JSON-1 / WIRE-BAD-9: strict JSON object', () => {
  it.each(PROFILES)('rejects empty, non-JSON, non-object payloads (%s)', (p) => {
    expectFail(dec('UserBack', '', p), /empty/);
    expectFail(dec('UserBack', '   \n', p), /empty/);
    expectFail(dec('UserBack', '{"type":"UserBack",}', p), /JSON/);
    expectFail(dec('UserBack', '{"type":"UserBack"} x', p), /JSON/);
    expectFail(dec('UserBack', '{"type":"UserBack"}{}', p), /JSON/);
    expectFail(dec('UserBack', '/* c */{"type":"UserBack"}', p), /JSON/);
    expectFail(dec('UserBack', "{'type':'UserBack'}", p), /JSON/);
    expectFail(dec('UserBack', '\ufeff{"type":"UserBack"}', p), /JSON/);
    for (const v of ['[]', '"UserBack"', '1', 'null', 'true']) expectFail(dec('UserBack', v, p), /not a JSON object/);
  });

  it('accepts surrounding JSON whitespace', () => {
    expect(dec('UserBack', ' \t\r\n{ "type" : "UserBack" }\n ').ok).toBe(true);
  });
});

describe('WIRE-JSON-2 / WIRE-BAD-10: the "type" member', () => {
  it('nexusd requires it; spec accepts its absence (rules.md §8)', () => {
    for (const t of CLIENT_TYPES) {
      const body = JSON.stringify(MINIMAL[t]);
      expectFail(dec(t, body, 'nexusd'), /missing "type"/);
      expect(dec(t, body, 'spec')).toMatchObject({ ok: true, body: { type: t } });
    }
  });

  it.each(PROFILES)('a mismatching type fails (%s)', (p) => {
    expectFail(dec('UserBack', '{"type":"UserStatus"}', p), /does not match/);
    expectFail(dec('UserBack', '{"type":"userback"}', p), /does not match/);
    expectFail(dec('UserBack', '{"type":null}', p), /does not match/);
    expectFail(dec('UserBack', '{"type":1}', p), /does not match/);
  });
});

describe('WIRE-JSON-3: member names', () => {
  it('ignores unknown members and drops them from the body', () => {
    const r = dec('UserKick', '{"type":"UserKick","nickname":"bob","reason":"spam","x":{"y":[1,2]}}');
    expect(r).toEqual({ ok: true, body: { type: 'UserKick', nickname: 'bob' } });
  });

  it('matches names case-sensitively', () => {
    expectFail(dec('UserKick', '{"type":"UserKick","Nickname":"bob"}'), /nickname/);
  });
});

describe('WIRE-JSON-4 / WIRE-BAD-12: member types and values', () => {
  it.each(PROFILES)('missing, null or wrongly typed required members fail (%s)', (p) => {
    expectFail(dec('UserInfo', '{"type":"UserInfo"}', p), /nickname: required/);
    expectFail(dec('UserInfo', '{"type":"UserInfo","nickname":null}', p), /nickname: required/);
    expectFail(dec('UserInfo', '{"type":"UserInfo","nickname":5}', p), /nickname/);
    expectFail(dec('UserList', '{"type":"UserList","all":"yes"}', p), /all/);
    expectFail(dec('Login', withType('Login', { features: 'chat' }), p), /features/);
    expectFail(dec('Login', withType('Login', { features: [null] }), p), /features\.0/);
    expectFail(dec('UserCreate', withType('UserCreate', { is_admin: 0 }), p), /is_admin/);
    expectFail(dec('UserCreate', withType('UserCreate', { enabled: undefined }), p), /enabled: required/);
    expectFail(dec('UserUpdate', withType('UserUpdate', { requested_permissions: [1] }), p), /requested_permissions/);
  });

  it.each(PROFILES)('optional members may be absent or null; null is normalised to absent (%s)', (p) => {
    const r = dec('UserAway', '{"type":"UserAway","message":null}', p);
    expect(r).toEqual({ ok: true, body: { type: 'UserAway' } });
    const l = dec('Login', withType('Login', { locale: null, avatar: null, nickname: null }), p);
    expect(l.ok && !('locale' in l.body) && !('avatar' in l.body) && !('nickname' in l.body)).toBe(true);
    expect(dec('UserStatus', '{"type":"UserStatus","status":null}', p)).toEqual({ ok: true, body: { type: 'UserStatus' } });
    expect(dec('UserList', '{"type":"UserList","all":null}', p)).toEqual({ ok: true, body: { type: 'UserList' } });
    expect(dec('ServerInfoUpdate', '{"type":"ServerInfoUpdate","max_connections_per_ip":null}', p).ok).toBe(true);
  });

  it.each(PROFILES)('u32 members: 0..4294967295 only; negatives, floats, strings fail (%s)', (p) => {
    const siu = (v: string) => dec('ServerInfoUpdate', `{"type":"ServerInfoUpdate","max_connections_per_ip":${v}}`, p);
    expect(siu('0').ok).toBe(true);
    expect(siu('4294967295').ok).toBe(true);
    for (const bad of ['-1', '4294967296', '1.5', '"5"', 'true', '[]', '1e400', '-0.0']) expectFail(siu(bad));
    // Integral floats: JSON.parse yields 1, but the lexical form is not an integer (rules.md §8).
    for (const bad of ['1.0', '1e0', '1E2', '10e-1', '-0']) {
      expectFail(dec('ServerInfoUpdate', `{"type":"ServerInfoUpdate","max_transfers_per_ip":${bad}}`, p));
    }
  });

  it('the integral-float check finds escaped member names and ignores look-alikes in strings and nesting', () => {
    expectFail(dec('ServerInfoUpdate', '{"type":"ServerInfoUpdate","max\\u005fconnections_per_ip":1.0}'), /not a JSON integer/);
    const ok = dec(
      'ServerInfoUpdate',
      '{"type":"ServerInfoUpdate","name":"\\"max_connections_per_ip\\":1.0","x":{"max_connections_per_ip":1.0},"y":[{"max_transfers_per_ip":2e0}],"max_connections_per_ip":3}',
    );
    expect(ok).toMatchObject({ ok: true, body: { max_connections_per_ip: 3, name: '"max_connections_per_ip":1.0' } });
  });

  it.each(PROFILES)('invalid UTF-8 anywhere fails (%s)', (p) => {
    const bad = Buffer.concat([enc('{"type":"UserStatus","status":"'), Buffer.from([0xc3, 0x28]), enc('"}')]);
    expectFail(decodeClientPayload('UserStatus', bad, p), /UTF-8/);
    // An encoded surrogate (CESU-style ED A0 80) is invalid UTF-8 too.
    const cesu = Buffer.concat([enc('{"type":"UserStatus","x":"'), Buffer.from([0xed, 0xa0, 0x80]), enc('"}')]);
    expectFail(decodeClientPayload('UserStatus', cesu, p), /UTF-8/);
  });

  it.each(PROFILES)('lone-surrogate escapes fail in any string, pairs pass (%s)', (p) => {
    expectFail(dec('UserStatus', '{"type":"UserStatus","status":"\\ud800"}', p), /surrogate/);
    expectFail(dec('UserStatus', '{"type":"UserStatus","status":"a\\udc00b"}', p), /surrogate/);
    expectFail(dec('UserStatus', '{"type":"UserStatus","x":{"y":["\\udbff"]}}', p), /surrogate/);
    expectFail(dec('UserStatus', '{"type":"UserStatus","\\ud800":1}', p), /surrogate/);
    const pair = dec('UserStatus', '{"type":"UserStatus","status":"\\ud83d\\ude00 é"}', p);
    expect(pair).toEqual({ ok: true, body: { type: 'UserStatus', status: '😀 é' } });
  });
});

describe('WIRE-JSON-6: duplicate member names (last wins, rules.md §8 UND-10)', () => {
  it('takes the last value, for the schema and for the u32 lexical check', () => {
    expect(dec('UserKick', '{"type":"UserKick","nickname":"a","nickname":"b"}')).toMatchObject({ ok: true, body: { nickname: 'b' } });
    expect(dec('ServerInfoUpdate', '{"type":"ServerInfoUpdate","max_connections_per_ip":1.0,"max_connections_per_ip":2}').ok).toBe(true);
    expectFail(dec('ServerInfoUpdate', '{"type":"ServerInfoUpdate","max_connections_per_ip":2,"max_connections_per_ip":1.0}'));
    expectFail(dec('UserKick', '{"type":"UserKick","nickname":"a","nickname":null}'), /nickname/);
  });

  it('first wins on request (another outcome a server may take, UND-10), at every depth', () => {
    const first = (type: ClientType, json: string) => decodeClientPayload(type, enc(json), 'nexusd', { duplicates: 'first' });
    expect(first('UserKick', '{"type":"UserKick","nickname":"a","nickname":"b"}')).toMatchObject({ ok: true, body: { nickname: 'a' } });
    expectFail(first('UserKick', '{"type":"UserKick","nickname":null,"nickname":"a"}'), /nickname/);
    expect(parseValidJson('{"a":{"b":1,"b":2},"c":[{"d":1,"d":2}],"a":3}', 'first')).toEqual({
      value: { a: { b: 1 }, c: [{ d: 1 }] },
      duplicates: true,
    });
    expect(parseValidJson('{"__proto__":{"x":1}}', 'first').value).toEqual(JSON.parse('{"__proto__":{"x":1}}'));
  });

  it('hasDuplicateMembers: only valid JSON with a repeated name in some object', () => {
    expect(hasDuplicateMembers(enc('{"type":"UserBack","a":1,"a":1}'))).toBe(true);
    expect(hasDuplicateMembers(enc('{"x":[{"k":1},{"k":2}],"y":{"k":{"k":1}}}'))).toBe(false);
    expect(hasDuplicateMembers(enc('{"a":1,"a":'))).toBe(false);
    expect(hasDuplicateMembers(Buffer.from([0x7b, 0xff, 0x7d]))).toBe(false);
  });

  it('hasDuplicateMembers agrees with a member-by-member walk, whitespace and "…": inside strings included', () => {
    // Objects written by hand so names can repeat; names and strings drawn from a small alphabet
    // that includes the quote, colon and backslash, so `":` also occurs inside strings.
    const str = fc.stringMatching(/^[ab":\\ ]{0,4}$/).map((s) => JSON.stringify(s));
    const ws = fc.constantFrom('', ' ', '\n\t');
    const value: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        str,
        fc.constant('1'),
        fc.array(tie('v'), { maxLength: 3 }).map((xs) => `[${xs.join(',')}]`),
        fc.array(fc.tuple(str, ws, tie('v')), { maxLength: 4 }).map((ms) => `{${ms.map(([k, w, v]) => `${k}${w}:${w}${v}`).join(',')}}`),
      ),
    })).v;
    fc.assert(
      fc.property(value, (text) => {
        expect(hasDuplicateMembers(enc(text))).toBe(parseValidJson(text, 'first').duplicates);
      }),
      { numRuns: 500 },
    );
  });

  it('parseValidJson with last wins equals JSON.parse', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(parseValidJson(text, 'last').value).toEqual(JSON.parse(text));
      }),
    );
  });
});

describe('WIRE-BAD-11: server-only type from a client', () => {
  it('decodeClientFrame rejects it, and decodes client frames', () => {
    const payload = enc('{"type":"LoginResponse","success":true}');
    expectFail(decodeClientFrame({ type: 'LoginResponse', id: 'a1b2c3d4e5f6', payload }, 'spec'), /not a client/);
    expect(decodeClientFrame({ type: 'UserBack', id: 'a1b2c3d4e5f6', payload: enc('{"type":"UserBack"}') }, 'nexusd')).toEqual({
      ok: true,
      type: 'UserBack',
      body: { type: 'UserBack' },
    });
  });
});

describe('decoder robustness', () => {
  it('never throws on arbitrary bytes or arbitrary JSON', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CLIENT_TYPES),
        fc.constantFrom(...PROFILES),
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.json().map(enc),
          fc.jsonValue().map((v) => enc(JSON.stringify(v))),
        ),
        (t, p, bytes) => {
          const r = decodeClientPayload(t, bytes, p);
          expect(typeof r.ok).toBe('boolean');
          if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it("topLevelRawMembers returns each member value's exact text, whatever the nesting and escapes", () => {
    const space = fc.constantFrom('', ' ', '\n\t', '  \r\n');
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })), space, (obj, ws) => {
        // Re-serialise with whitespace around every token of the top level.
        const entries = Object.entries(obj);
        const text = `${ws}{${ws}${entries.map(([k, v]) => `${JSON.stringify(k)}${ws}:${ws}${JSON.stringify(v, null, ws.length > 0 ? 1 : 0)}${ws}`).join(`,${ws}`)}}${ws}`;
        // Compare with JSON.parse of the same text (JSON cannot carry -0, so not with `obj`).
        const parsed = JSON.parse(text) as Record<string, unknown>;
        const raw = topLevelRawMembers(text);
        expect([...raw.keys()].sort()).toEqual(Object.keys(parsed).sort());
        for (const k of Object.keys(parsed)) expect(JSON.parse(raw.get(k)!)).toEqual(parsed[k]);
      }),
    );
  });

  it('valid generated bodies round-trip through JSON in both profiles', () => {
    const s = fc.string({ unit: 'grapheme', maxLength: 20 });
    const arb = fc.record(
      {
        username: s,
        current_password: s,
        requested_username: s,
        requested_password: s,
        requested_is_admin: fc.boolean(),
        requested_enabled: fc.boolean(),
        requested_permissions: fc.array(s, { maxLength: 4 }),
      },
      { requiredKeys: ['username'] },
    );
    fc.assert(
      fc.property(arb, fc.constantFrom(...PROFILES), (body, p) => {
        const r = dec('UserUpdate', JSON.stringify({ type: 'UserUpdate', ...body }), p);
        expect(r).toEqual({ ok: true, body: { type: 'UserUpdate', ...body } });
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------

const SERVER_INFO = {
  name: 'My Awesome BBS',
  description: 'Welcome to my server!',
  version: '0.5.0',
  transfer_port: 7501,
  max_connections_per_ip: 5,
  max_transfers_per_ip: 2,
  image: null,
};
const USER_INFO = {
  username: 'alice',
  nickname: 'alice',
  login_time: 1703001234,
  is_admin: true,
  is_shared: false,
  session_ids: [1, 5],
  locale: 'en',
  avatar: 'data:image/png;base64,...',
  is_away: true,
  status: 'in a meeting',
};

/** Seed examples (users.md, admin.md, connection-monitor.md), "type" added; LoginResponse per SES-LR-1. */
const SEED_EXAMPLES: [string, Record<string, unknown>][] = [
  ['HandshakeResponse', { success: true, version: '0.5.0' }],
  ['HandshakeResponse', { success: false, error: 'Handshake already completed' }],
  [
    'LoginResponse',
    {
      success: true,
      session_id: 1,
      is_admin: false,
      permissions: ['user_list'],
      server_info: SERVER_INFO,
      chat_info: { topic: '', topic_set_by: '' },
      locale: 'en',
    },
  ],
  ['LoginResponse', { success: true, session_id: 2, is_admin: true, permissions: [], server_info: {}, locale: 'de' }],
  ['Error', { message: 'Invalid message format' }],
  ['Error', { message: 'Not logged in', command: 'UserList' }],
  [
    'UserListResponse',
    { success: true, users: [USER_INFO, { ...USER_INFO, username: 'bob', avatar: null, is_away: false, status: null }] },
  ],
  [
    'UserListResponse',
    {
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
      ],
    },
  ],
  ['UserListResponse', { success: false, error: 'Permission denied' }],
  [
    'UserInfoResponse',
    {
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
        avatar: 'data:image/png;base64,...',
        is_away: true,
        status: 'in a meeting',
      },
    },
  ],
  [
    'UserInfoResponse',
    {
      success: true,
      user: {
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
      },
    },
  ],
  ['UserInfoResponse', { success: false, error: "User 'unknown' is not online" }],
  [
    'UserConnected',
    { user: { ...USER_INFO, username: 'charlie', nickname: 'charlie', session_ids: [9], avatar: null, is_away: false, status: null } },
  ],
  ['UserDisconnected', { session_id: 9, nickname: 'charlie' }],
  [
    'UserUpdated',
    {
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
    },
  ],
  ['UserAwayResponse', { success: true }],
  ['UserBackResponse', { success: true }],
  ['UserStatusResponse', { success: false, error: 'Status message too long' }],
  ['UserCreateResponse', { success: true, username: 'alice' }],
  ['UserCreateResponse', { success: false, error: 'Username already exists' }],
  [
    'UserEditResponse',
    {
      success: true,
      username: 'alice',
      is_admin: false,
      is_shared: false,
      enabled: true,
      permissions: ['chat_send', 'chat_receive', 'user_list'],
    },
  ],
  ['UserEditResponse', { success: false, error: 'User not found' }],
  ['UserUpdateResponse', { success: true, username: 'alice' }],
  ['UserUpdateResponse', { success: false, error: 'Incorrect current password' }],
  ['UserDeleteResponse', { success: true, username: 'bob' }],
  ['UserDeleteResponse', { success: false, error: 'Cannot delete your own account' }],
  ['UserKickResponse', { success: true, nickname: 'troublemaker' }],
  ['UserKickResponse', { success: false, error: "User 'unknown' is not online" }],
  ['ServerInfoUpdateResponse', { success: true }],
  ['ServerInfoUpdateResponse', { success: false, error: 'Server name cannot be empty' }],
  ['ServerInfoUpdated', { server_info: SERVER_INFO }],
  ['PermissionsUpdated', { is_admin: false, permissions: ['chat_send', 'chat_receive', 'news_list', 'news_create'] }],
  [
    'PermissionsUpdated',
    {
      is_admin: true,
      permissions: [],
      server_info: { ...SERVER_INFO, image: 'data:image/png;base64,...' },
      chat_info: { topic: 'Welcome!', topic_set_by: 'admin' },
    },
  ],
  [
    'ConnectionMonitorResponse',
    {
      success: true,
      connections: [
        { nickname: 'alice', username: 'alice', ip: '::ffff:127.0.0.1', login_time: 1704067200, is_admin: false, is_shared: false },
      ],
    },
  ],
  ['ConnectionMonitorResponse', { success: false, error: 'Permission denied' }],
];

describe('parseServerBody', () => {
  it.each(SEED_EXAMPLES)('accepts the seed example of %s', (type, body) => {
    expect(parseServerBody(type, { type, ...body })).toEqual({ ok: true });
  });

  it('treats absent and null optional members alike and allows unknown members (WIRE-JSON-5, WIRE-JSON-3)', () => {
    expect(parseServerBody('UserUpdateResponse', { type: 'UserUpdateResponse', success: true, username: 'a', error: null })).toEqual({
      ok: true,
    });
    expect(
      parseServerBody('ServerInfoUpdated', { type: 'ServerInfoUpdated', server_info: { image: '', file_reindex_interval: 3 } }),
    ).toEqual({ ok: true });
    expect(
      parseServerBody('LoginResponse', {
        type: 'LoginResponse',
        success: true,
        session_id: 1,
        is_admin: false,
        permissions: [],
        server_info: {},
        chat_info: null,
        locale: 'en',
        channels: [],
      }),
    ).toEqual({ ok: true });
    expect(parseServerBody('Error', { type: 'Error', message: 'x', command: null })).toEqual({ ok: true });
  });

  it('reports malformed server messages', () => {
    const bad = (type: string, body: unknown, pattern: RegExp): void => {
      const r = parseServerBody(type, body);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.issues.join('\n')).toMatch(pattern);
    };
    bad('UserBackResponse', { success: true }, /type/); // WIRE-JSON-2
    bad('UserBackResponse', { type: 'UserAwayResponse', success: true }, /type/);
    bad(
      'LoginResponse',
      { type: 'LoginResponse', success: true, session_id: 0, is_admin: false, permissions: [], server_info: {}, locale: 'en' },
      /session_id/,
    ); // SES-LR-2
    bad(
      'LoginResponse',
      { type: 'LoginResponse', success: true, session_id: 1, is_admin: false, permissions: [], locale: 'en' },
      /server_info/,
    );
    bad('Error', { type: 'Error' }, /message/);
    bad('UserKickResponse', { type: 'UserKickResponse', success: false }, /error/);
    bad('UserKickResponse', { type: 'UserKickResponse', success: 'yes' }, /success/);
    bad('UserKickResponse', { type: 'UserKickResponse', success: true }, /nickname/);
    bad('UserConnected', { type: 'UserConnected', user: { ...USER_INFO, session_ids: [-1] } }, /user\.session_ids/);
    bad('UserDisconnected', { type: 'UserDisconnected', nickname: 'x' }, /session_id/);
    bad('ServerInfoUpdated', { type: 'ServerInfoUpdated', server_info: { max_connections_per_ip: 1.5 } }, /max_connections_per_ip/);
    bad('ZzNotAType', { type: 'ZzNotAType' }, /not a server message type/);
    bad('UserBackResponse', [], /not a JSON object/);
  });
});
