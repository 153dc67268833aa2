// wire.md §6 per-type payload limits: WIRE-LIM-1..4, WIRE-FRM-6, WIRE-BAD-7, UND-11.
import { admin, check, connection, section, user } from '../../src/runner/api.ts';
import type { ActorSpec } from '../../src/runner/api.ts';
import { clientLimit, overLimitProbeLength, undeterminedLimit } from '../../src/protocol/limits.ts';
import type { ClientType } from '../../src/protocol/types.ts';
import { CLIENT_TYPES } from '../../src/protocol/types.ts';
import { frameHeader, frameWithPayload } from './_frames.ts';

const a = (n: number, ch = 'a'): string => ch.repeat(n);
const png = (bytes: number): string => 'data:image/png;base64,' + a(bytes - 'data:image/png;base64,'.length, 'A');
/** A 32-character name that is valid but belongs to nobody (not run-prefixed, so never ours). */
const name32 = (t: { name(base?: string): string }): string => `${t.name('lim')}${a(32)}`.slice(0, 32);

/**
 * WIRE-LIM-2 / WIRE-FRM-6: the header of a frame declaring a length above every profile's limit.
 * The body is never sent: the server must reject the declared length before reading it.
 */
const overLimit = (type: ClientType) => {
  const probe = (state: 'new' | 'shaken' | 'user'): ActorSpec => (state === 'user' ? user() : connection(state));
  const where = type === 'Handshake' ? 'new' : type === 'Login' ? 'shaken' : 'user';
  return check({
    id: `over-limit/${type}`,
    title: `A ${type} frame declaring ${overLimitProbeLength(type)} payload bytes is rejected before its body: the connection closes`,
    rules: ['WIRE-LIM-2', 'WIRE-BAD-7', 'WIRE-FRM-6', 'WIRE-LIM-3', 'SES-ERR-1'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    actors: { c: probe(where) },
    run: async ({ c }) => {
      await c.sendRaw(frameHeader(type, overLimitProbeLength(type)));
      await c.expectClosed();
    },
  });
};

export default section({ id: 'wire/limits', title: 'Per-type payload limits' }, [
  // --- WIRE-LIM-1: maximal valid payloads pass framing ----------------------------------------------------
  check({
    id: 'exact-max/Login',
    title: 'A Login of exactly 176 991 bytes (every field at its maximum) passes framing and reaches the credential check',
    rules: ['WIRE-LIM-1', 'SES-LOGIN-12', 'VAL-AVATAR', 'VAL-FEATURES', 'VAL-LOCALE'],
    errors: ['E-INVALID-CREDENTIALS'],
    actors: { c: connection('shaken') },
    run: async ({ c }, t) => {
      const body = {
        username: name32(t),
        password: a(256, 'p'),
        features: Array.from({ length: 16 }, (_, i) => `${a(30, 'f')}${String(i).padStart(2, '0')}`),
        locale: 'en-GB-x-abcdefgh',
        avatar: png(176_000),
        nickname: a(32, 'n'),
      };
      await c.login(body).expectError('E-INVALID-CREDENTIALS');
      await c.expectClosed();
    },
  }),
  check({
    id: 'exact-max/UserCreate',
    title: 'A UserCreate of exactly 1 349 bytes (27 permission names of 32 bytes) passes framing and reaches the permission check',
    rules: ['WIRE-LIM-1', 'ADM-CREATE-4', 'ADM-CREATE-5', 'VAL-PERMISSIONS'],
    errors: ['E-PERMISSION-DENIED'],
    actors: { u: user({ permissions: ['user_list'] }) },
    run: async ({ u }, t) => {
      const permissions = Array.from({ length: 27 }, (_, i) => `zz_not_a_permission_${String(i).padStart(12, '0')}`);
      await u
        .request('UserCreate', {
          username: name32(t),
          password: a(256, 'p'),
          is_admin: false,
          is_shared: false,
          enabled: false,
          permissions,
        })
        .expectError('E-PERMISSION-DENIED');
      await u.expectConnected();
    },
  }),
  check({
    id: 'exact-max/UserUpdate',
    title: 'A UserUpdate of exactly 1 705 bytes passes framing and reaches the permission check',
    rules: ['WIRE-LIM-1', 'ADM-UPDATE-5'],
    errors: ['E-PERMISSION-DENIED'],
    actors: { u: user({ permissions: ['user_list'] }) },
    run: async ({ u }, t) => {
      const requested_permissions = Array.from({ length: 27 }, (_, i) => `zz_not_a_permission_${String(i).padStart(12, '0')}`);
      await u
        .request('UserUpdate', {
          username: name32(t),
          current_password: a(256, 'p'),
          requested_username: a(32, 'r'),
          requested_password: a(256, 'q'),
          requested_is_admin: false,
          requested_enabled: false,
          requested_permissions,
        })
        .expectError('E-PERMISSION-DENIED');
      await u.expectConnected();
    },
  }),
  check({
    id: 'exact-max/ServerInfoUpdate',
    title: 'A ServerInfoUpdate of exactly 700 455 bytes passes framing and reaches the admin check',
    rules: ['WIRE-LIM-1', 'ADM-SINFO-3'],
    errors: ['E-ADMIN-REQUIRED'],
    actors: { u: user({ permissions: ['user_list'] }) },
    run: async ({ u }) => {
      await u
        .request('ServerInfoUpdate', {
          name: a(64, 'N'),
          description: a(256, 'd'),
          max_connections_per_ip: 4_294_967_295,
          max_transfers_per_ip: 4_294_967_295,
          image: png(700_000),
        })
        .expectError('E-ADMIN-REQUIRED');
      await u.expectConnected();
    },
  }),
  check({
    id: 'exact-max/single-name-messages',
    title: 'UserInfo, UserKick, UserEdit and UserDelete with a 32-character name pass framing and reach their handlers',
    rules: ['WIRE-LIM-1', 'USR-INFO-5', 'ADM-KICK-5', 'ADM-EDIT-3', 'ADM-DELETE-6'],
    errors: ['E-NICKNAME-NOT-ONLINE', 'E-PERMISSION-DENIED'],
    actors: { u: user({ permissions: ['user_info'] }) },
    run: async ({ u }, t) => {
      const n = name32(t);
      await u.request('UserInfo', { nickname: n }).expectError('E-NICKNAME-NOT-ONLINE');
      await u.request('UserKick', { nickname: n }).expectError('E-PERMISSION-DENIED');
      await u.request('UserEdit', { username: n }).expectError('E-PERMISSION-DENIED');
      await u.request('UserDelete', { username: n }).expectError('E-PERMISSION-DENIED');
      await u.expectConnected();
    },
  }),
  check({
    id: 'exact-max/empty-messages',
    title: 'UserList, UserBack and ConnectionMonitor at their maximal size pass framing',
    rules: ['WIRE-LIM-1', 'USR-BACK-2', 'CM-2'],
    errors: ['E-PERMISSION-DENIED'],
    actors: { u: user({ permissions: ['user_list'] }) },
    run: async ({ u }) => {
      await u.request('UserList', { all: false }).expectSuccess();
      await u.request('UserBack', {}).expectSuccess();
      await u.request('ConnectionMonitor', {}).expectError('E-PERMISSION-DENIED');
    },
  }),

  // --- WIRE-LIM-4: `spec` admits multi-byte values --------------------------------------------------------
  check({
    id: 'spec/multibyte-nickname',
    title: 'spec: a 32-character nickname of 3-byte letters passes framing and reaches the lookup',
    rules: ['WIRE-LIM-4', 'USR-INFO-5', 'VAL-NICKNAME'],
    errors: ['E-NICKNAME-NOT-ONLINE'],
    needs: { profile: 'spec' },
    actors: { u: user({ permissions: ['user_info'] }) },
    run: async ({ u }) => {
      await u.request('UserInfo', { nickname: a(32, '漢') }).expectError('E-NICKNAME-NOT-ONLINE');
      await u.expectConnected();
    },
  }),
  check({
    id: 'spec/multibyte-status',
    title: 'spec: a 128-character status of 4-byte characters passes framing and is accepted',
    rules: ['WIRE-LIM-4', 'VAL-STATUS', 'USR-STATUS-2'],
    needs: { profile: 'spec' },
    actors: { u: user() },
    run: async ({ u }) => {
      await u.request('UserStatus', { status: '\u{1F600}'.repeat(128) }).expectSuccess();
    },
  }),

  // --- UND-11: between the limits either outcome is allowed --------------------------------------------------
  check({
    id: 'between-limits',
    title:
      'UserInfo payloads just above the profile limit and at the top of the undetermined range are either processed or rejected as a framing error',
    rules: ['UND-11', 'WIRE-LIM-2', 'USR-INFO-6'],
    actors: { low: user({ permissions: ['user_info'] }), high: user({ permissions: ['user_info'] }) },
    run: async ({ low, high }, t) => {
      // `nexusd`: above the era's exact limit, up to the later padded one; `spec`: above its limit,
      // up to the over-limit probe lengths (WIRE-LIM-2). The runner predicts both outcomes for each
      // (src/runner/outcomes.ts): a framing error and a close, or the lookup of the actor's own nickname.
      const lengths = [clientLimit('UserInfo', t.profile) + 1, undeterminedLimit('UserInfo', t.profile)];
      for (const [u, length] of [
        [low, lengths[0]!],
        [high, lengths[1]!],
      ] as const) {
        const bare = JSON.stringify({ type: 'UserInfo', nickname: u.nickname, zz: '' });
        const payload = JSON.stringify({ type: 'UserInfo', nickname: u.nickname, zz: a(length - Buffer.byteLength(bare)) });
        t.expectEqual(Buffer.byteLength(payload), length, 'UND-11', 'bytes in the probe payload');
        await u.sendRaw(frameWithPayload('UserInfo', payload));
        if (u.sessionId === undefined) await u.expectClosed();
        else await u.expectConnected();
      }
    },
  }),

  // --- WIRE-LIM-2 / WIRE-BAD-7: over-limit declared lengths ----------------------------------------------------
  ...CLIENT_TYPES.map(overLimit),
  check({
    id: 'over-limit/ceiling',
    title: 'The largest expressible payload length (9 999 999 999) is rejected before any body is sent',
    rules: ['WIRE-FRM-5', 'WIRE-FRM-6', 'WIRE-BAD-7', 'WIRE-LIM-3'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    actors: { boss: admin() },
    run: async ({ boss }) => {
      await boss.sendRaw(frameHeader('UserList', '9999999999'));
      await boss.expectClosed();
    },
  }),
]);
