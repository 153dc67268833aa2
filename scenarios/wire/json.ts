// wire.md §5 JSON payload rules and §7 WIRE-BAD-9..12: a payload that is not one strict JSON object
// of the right shape is a decoding failure (optional Error E-INVALID-MESSAGE-FORMAT, then close);
// validators only ever see well-typed input.
import { admin, check, connection, section, user, oneOf } from '../../src/runner/api.ts';
import type { ClientType } from '../../src/protocol/types.ts';
import { serverVersion } from '../_lib.ts';
import { frameWithPayload } from './_frames.ts';

const listener = () => user({ permissions: ['user_list'] });

/**
 * A Handshake frame with a raw payload on a fresh connection must close it. The request id is
 * upper-case so that an Error echoing it cannot pass for the fresh id SES-ERR-1 requires (WIRE-ID-3).
 */
const badHandshake = (id: string, title: string, rules: string[], payload: (version: string) => string | Uint8Array) =>
  check({
    id,
    title,
    rules: [...rules, 'SES-ERR-1', 'WIRE-ID-3'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    actors: { c: connection('new') },
    run: async ({ c }, t) => {
      await c.sendRaw(frameWithPayload('Handshake', payload(serverVersion(t).text), 'BADC0DE0BAD1'));
      await c.expectClosed();
    },
  });

/**
 * A well-framed request with an ill-typed body from a logged-in user: decoding fails, the
 * connection closes and the session ends (a user_list holder hears UserDisconnected).
 */
const illTyped = (id: string, title: string, rules: string[], type: ClientType, body: Record<string, unknown>) =>
  check({
    id,
    title,
    rules: [...rules, 'WIRE-BAD-12', 'SES-ERR-1', 'SES-BC-3'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    actors: { u: user({ permissions: ['user_list', 'user_info'] }), hears: listener() },
    run: async ({ u, hears }) => {
      await u.request(type, body);
      await u.expectClosed();
      await hears.expectConnected();
    },
  });

export default section({ id: 'wire/json', title: 'JSON payloads' }, [
  // --- WIRE-JSON-1 / WIRE-BAD-9 ------------------------------------------------------------------------
  badHandshake('not-json', 'A payload that is not JSON closes the connection', ['WIRE-BAD-9', 'WIRE-JSON-1'], () => 'hello'),
  badHandshake('array', 'A JSON array instead of an object closes the connection', ['WIRE-BAD-9', 'WIRE-JSON-1'], (v) =>
    JSON.stringify([{ type: 'Handshake', version: v }]),
  ),
  badHandshake('string', 'A JSON string instead of an object closes the connection', ['WIRE-BAD-9', 'WIRE-JSON-1'], () => '"Handshake"'),
  badHandshake(
    'trailing-comma',
    'A trailing comma (not strict JSON) closes the connection',
    ['WIRE-BAD-9', 'WIRE-JSON-1'],
    (v) => `{"type":"Handshake","version":"${v}",}`,
  ),
  badHandshake(
    'comment',
    'A comment (not strict JSON) closes the connection',
    ['WIRE-BAD-9', 'WIRE-JSON-1'],
    (v) => `{"type":"Handshake",/* hi */"version":"${v}"}`,
  ),
  badHandshake(
    'trailing-garbage',
    'Anything but whitespace after the object closes the connection',
    ['WIRE-BAD-9', 'WIRE-JSON-1'],
    (v) => `{"type":"Handshake","version":"${v}"}x`,
  ),
  badHandshake(
    'two-objects',
    'Two objects in one payload close the connection',
    ['WIRE-BAD-9', 'WIRE-JSON-1'],
    (v) => `{"type":"Handshake","version":"${v}"}{}`,
  ),
  check({
    id: 'whitespace',
    title: 'Whitespace inside and after the object is allowed',
    rules: ['WIRE-JSON-1', 'SES-HS-4'],
    actors: { c: connection('new') },
    run: async ({ c }, t) => {
      await c.sendRaw(frameWithPayload('Handshake', `{ "type" : "Handshake",\n\t"version" : "${serverVersion(t).text}" }  \n`));
      await c.expectConnected();
    },
  }),

  // --- WIRE-JSON-2 / WIRE-BAD-10: the "type" member ------------------------------------------------------
  badHandshake(
    'type-mismatch',
    'A "type" member different from the frame type closes the connection',
    ['WIRE-BAD-10', 'WIRE-JSON-2'],
    (v) => JSON.stringify({ type: 'Login', version: v }),
  ),
  check({
    id: 'type-missing',
    title: 'A payload without "type" closes the connection in nexusd; spec may process it or close (undetermined)',
    rules: ['WIRE-BAD-10', 'WIRE-JSON-2'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    actors: { c: connection('new') },
    run: async ({ c }, t) => {
      // `spec` [DIVERGENT]: the runner predicts both outcomes (a successful Handshake, or a
      // decoding failure and a close) and follows the one the target shows; `nexusd` must close.
      await c.sendRaw(frameWithPayload('Handshake', JSON.stringify({ version: serverVersion(t).text })));
      if (c.connected) await c.expectConnected();
      else await c.expectClosed();
    },
  }),

  // --- WIRE-JSON-3: member names ----------------------------------------------------------------------
  check({
    id: 'unknown-members-ignored',
    title: 'Unknown extra members are ignored',
    rules: ['WIRE-JSON-3', 'SES-HS-4'],
    actors: { c: connection('new'), u: user() },
    run: async ({ c, u }, t) => {
      // Small enough for the era's exact Handshake limit (65 bytes) in `nexusd`.
      await c.request('Handshake', { version: serverVersion(t).text, zz: 1 }).expectSuccess();
      await c.expectConnected();
      await u.request('UserStatus', { status: 'ok', client: 'nexus-conform', extra: { nested: [1, 2] } }).expectSuccess();
      await u.expectConnected();
    },
  }),
  check({
    id: 'member-names-case-sensitive',
    title: 'Member names are case-sensitive: "Version" instead of "version" is a missing member and closes the connection',
    rules: ['WIRE-JSON-3', 'WIRE-JSON-4', 'WIRE-BAD-12'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    actors: { c: connection('new') },
    run: async ({ c }, t) => {
      await c.request('Handshake', { Version: serverVersion(t).text });
      await c.expectClosed();
    },
  }),

  check({
    id: 'proto-member-lends-nothing',
    title:
      'A member named "__proto__" is an unknown member like any other: a "nickname" inside it leaves UserInfo without one, and the connection closes',
    rules: ['WIRE-JSON-3', 'WIRE-JSON-4', 'WIRE-BAD-12', 'SES-ERR-1', 'SES-BC-3'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    actors: { u: user({ permissions: ['user_list', 'user_info'] }), hears: listener() },
    run: async ({ u, hears }) => {
      // A server that copies members by assignment in JavaScript takes the inner object for the
      // payload's prototype and answers with the listener's details.
      await u.sendRaw(frameWithPayload('UserInfo', `{"type":"UserInfo","__proto__":{"nickname":${JSON.stringify(hears.nickname)}}}`));
      await u.expectClosed();
      await hears.expectConnected();
    },
  }),

  // --- WIRE-JSON-4 / WIRE-BAD-12 ----------------------------------------------------------------------
  illTyped('wrong-type/boolean', 'UserList {"all":"yes"} (a string for a boolean) closes the connection', ['WIRE-JSON-4'], 'UserList', {
    all: 'yes',
  }),
  illTyped('null-required', 'UserInfo {"nickname":null} (null for a required member) closes the connection', ['WIRE-JSON-4'], 'UserInfo', {
    nickname: null,
  }),
  illTyped('missing-required', 'UserInfo without "nickname" closes the connection', ['WIRE-JSON-4'], 'UserInfo', {}),
  illTyped('wrong-type/number', 'UserStatus {"status":42} (a number for a string) closes the connection', ['WIRE-JSON-4'], 'UserStatus', {
    status: 42,
  }),
  check({
    id: 'login-without-features',
    title: 'A Login without "features" is a decoding failure, not a validator error: the connection closes',
    rules: ['WIRE-BAD-12', 'WIRE-JSON-4', 'SES-ERR-1'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    actors: { account: user({ login: false }) },
    run: async ({ account }) => {
      await account.login({ username: account.username, password: account.password, locale: 'en' });
      await account.expectClosed();
    },
  }),
  check({
    id: 'u32/negative',
    title: 'A negative integer in a u32 member closes the connection (decoding precedes the admin check)',
    rules: ['WIRE-JSON-4', 'WIRE-BAD-12', 'VAL-LIMIT'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    actors: { boss: admin() },
    run: async ({ boss }) => {
      await boss.request('ServerInfoUpdate', { max_transfers_per_ip: -1 });
      await boss.expectClosed();
    },
  }),
  check({
    id: 'u32/out-of-range',
    title: 'An integer above 4 294 967 295 in a u32 member closes the connection',
    rules: ['WIRE-JSON-4', 'WIRE-BAD-12', 'VAL-LIMIT'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    actors: { boss: admin() },
    run: async ({ boss }) => {
      await boss.request('ServerInfoUpdate', { max_transfers_per_ip: 4_294_967_296 });
      await boss.expectClosed();
    },
  }),
  check({
    id: 'u32/fraction',
    title: 'A fractional number in a u32 member closes the connection',
    rules: ['WIRE-JSON-4', 'WIRE-BAD-12'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    exclusive: 'sends ServerInfoUpdate, whose success would reach every session (ADM-SINFO-10)',
    actors: { boss: admin() },
    run: async ({ boss }) => {
      await boss.request('ServerInfoUpdate', { max_transfers_per_ip: 2.5 });
      await boss.expectClosed();
    },
  }),
  check({
    id: 'u32/integral-float',
    title: 'An integral float ("3.0") in a u32 member closes the connection in nexusd; spec may take it as the integer (undetermined)',
    rules: ['WIRE-JSON-4', 'WIRE-BAD-12'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    exclusive: 'sends ServerInfoUpdate, which a target may process and broadcast to every session (ADM-SINFO-10)',
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      // The current value, so that a server accepting it would change nothing. `spec`: the runner
      // predicts both outcomes (ServerInfoUpdate processed, or a decoding failure and a close).
      const current = t.model().serverInfo.max_transfers_per_ip;
      await boss.sendRaw(frameWithPayload('ServerInfoUpdate', `{"type":"ServerInfoUpdate","max_transfers_per_ip":${current}.0}`));
      if (boss.connected) await boss.expectConnected();
      else await boss.expectClosed();
    },
  }),
  check({
    id: 'invalid-utf8',
    title: 'Invalid UTF-8 inside a JSON string closes the connection',
    rules: ['WIRE-JSON-4', 'WIRE-BAD-12', 'SES-BC-3'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    actors: { u: user(), hears: listener() },
    run: async ({ u, hears }) => {
      const payload = Buffer.concat([Buffer.from('{"type":"UserStatus","status":"bad '), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
      await u.sendRaw(frameWithPayload('UserStatus', payload));
      await u.expectClosed();
      await hears.expectConnected();
    },
  }),
  check({
    id: 'lone-surrogate',
    title: 'A lone-surrogate escape ("\\ud800") closes the connection in nexusd; spec may decode it (undetermined)',
    rules: ['WIRE-JSON-4', 'WIRE-BAD-12'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    actors: { u: user() },
    run: async ({ u }) => {
      // `spec`: the runner predicts both outcomes (the status stored, or a decoding failure and a close).
      await u.sendRaw(frameWithPayload('UserStatus', '{"type":"UserStatus","status":"x\\ud800y"}'));
      if (u.connected) await u.expectConnected();
      else await u.expectClosed();
    },
  }),
  check({
    id: 'optional-null',
    title: 'null for an optional member is the same as its absence',
    rules: ['WIRE-JSON-4', 'WIRE-JSON-5', 'USR-STATUS-2'],
    actors: { u: user(), hears: listener() },
    run: async ({ u }) => {
      await u.request('UserStatus', { status: null }).expectSuccess();
      await u.request('UserList', { all: null }).expectError('E-PERMISSION-DENIED');
      await u.expectConnected();
    },
  }),

  // --- WIRE-JSON-6 / UND-10 -------------------------------------------------------------------------
  check({
    id: 'duplicate-members',
    title: 'Duplicate member names are processed with one of the values sent or rejected as a framing error (undetermined)',
    rules: ['WIRE-JSON-6', 'UND-10', 'USR-STATUS-2', 'BC-4'],
    actors: { u: user(), hears: listener() },
    run: async ({ u, hears }, t) => {
      // UND-10: the runner predicts the three allowed outcomes — the last value (reference), the
      // first value, a framing error and a close — and follows the one the target shows (the
      // listener's UserUpdated tells the values apart); anything else fails.
      await u.sendRaw(frameWithPayload('UserStatus', '{"type":"UserStatus","status":"first","status":"second"}'));
      await hears.expectConnected();
      if (u.sessionId === undefined) {
        await u.expectClosed();
        return;
      }
      const status = t.model().sessions[String(u.sessionId)]?.status;
      t.expectEqual(status, oneOf(['first', 'second']), 'WIRE-JSON-6', 'the stored status: one of the values sent');
      await u.expectConnected();
    },
  }),
]);
