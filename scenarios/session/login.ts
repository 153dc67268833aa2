// session.md §2–§4: Login of regular accounts — LoginResponse / ServerInfo / ChatInfo, session
// identity, credentials, disabled accounts; every field validator and their check order come from
// _login-fields.ts as tables.
import { admin, check, connection, section, sessionOf, user, ANY, NONE, oneOf, setOf, where } from '../../src/runner/api.ts';
import {
  JPEG,
  PNG,
  SVG,
  WEBP,
  credentials,
  entriesFor,
  loginBody,
  swapCase,
  usersOf,
  noStoredAccount,
  A_COUNT,
  A_SESSION_ID,
  A_STRING,
} from '../_lib.ts';
import { CHECK_ORDER, LOCALE_FEATURES_AND_AVATAR, LONG_FEATURE, USERNAME_AND_PASSWORD, loginFails } from './_login-fields.ts';

/** A Login that passes validation and succeeds; returns nothing, the LoginResponse is compared by the runner. */
const loginSucceeds = (id: string, title: string, rules: string[], extra: Record<string, unknown>) =>
  check({
    id,
    title,
    rules: [...rules, 'SES-LOGIN-17', 'WIRE-SEQ-6'],
    actors: { account: user({ login: false }) },
    run: async ({ account }) => {
      await account.login(credentials(account, extra)).expectSuccess();
      await account.expectConnected();
    },
  });

export default section({ id: 'session/login', title: 'Login (regular accounts)' }, [
  // --- success and LoginResponse ---------------------------------------------------------------
  check({
    id: 'success',
    title: 'A regular account logs in: LoginResponse carries session_id, is_admin:false, its permissions, server_info and locale',
    rules: [
      'SES-LOGIN-9',
      'SES-LOGIN-10',
      'SES-LOGIN-17',
      'SES-AUTH-1',
      'SES-LR-1',
      'SES-LR-2',
      'SES-LR-3',
      'SES-LR-4',
      'SES-LR-5',
      'SES-LR-7',
      'WIRE-SEQ-6',
      'WIRE-ID-2',
    ],
    actors: { u: user({ login: false, permissions: ['user_list', 'user_info'] }) },
    run: async ({ u }, t) => {
      const r = await u.login(credentials(u)).expectSuccess();
      t.expectBody(r, { session_id: A_SESSION_ID }, 'SES-LR-2');
      t.expectBody(r, { is_admin: false }, 'SES-LR-1', 'is_admin is false for a regular account');
      t.expectBody(r, { permissions: setOf(['user_list', 'user_info']) }, 'SES-LR-3', 'permissions are the stored names (any order)');
      t.expectBody(r, { server_info: where('an object', (v) => typeof v === 'object' && v !== null) }, 'SES-LR-5');
      t.expectBody(r, { locale: 'en' }, 'SES-LR-4', 'locale echoes the requested "en"');
      t.expectBody(r, { error: NONE }, 'SES-LR-1', 'no error member on success');
      await u.expectConnected();
    },
  }),
  check({
    id: 'server-info',
    title: 'LoginResponse.server_info members have their documented types (every member optional on the wire)',
    rules: ['SES-LR-5', 'SES-SI-1', 'SES-SI-2', 'SES-SI-3', 'SES-SI-4', 'SES-SI-5', 'SES-SI-6', 'SES-SI-7', 'SES-SI-8', 'WIRE-JSON-5'],
    actors: { u: user({ login: false }) },
    run: async ({ u }, t) => {
      const r = await u.login(credentials(u)).expectSuccess();
      const si = (r.body.server_info ?? {}) as Record<string, unknown>;
      const optional = (key: string, type: 'string' | 'integer', rule: string) =>
        t.expectBody(si, { [key]: oneOf([NONE, type === 'string' ? A_STRING : A_COUNT]) }, rule, `server_info.${key}`);
      optional('name', 'string', 'SES-SI-1');
      optional('description', 'string', 'SES-SI-2');
      optional('version', 'string', 'SES-SI-3');
      optional('transfer_port', 'integer', 'SES-SI-4');
      optional('max_connections_per_ip', 'integer', 'SES-SI-5');
      optional('max_transfers_per_ip', 'integer', 'SES-SI-6');
      // SES-SI-7: "", null and absence all mean "no image"; otherwise a data URI string.
      optional('image', 'string', 'SES-SI-7');
      await u.expectConnected();
    },
  }),
  check({
    id: 'admin',
    title: 'An admin logs in with is_admin:true and permissions [] (admins hold everything implicitly)',
    rules: ['SES-LR-3', 'PERM-4', 'GEN-5', 'SES-LR-1'],
    actors: { boss: admin({ login: false }) },
    run: async ({ boss }, t) => {
      const r = await boss.login(credentials(boss)).expectSuccess();
      t.expectBody(r, { is_admin: true }, 'SES-LR-3', 'is_admin is true');
      t.expectBody(r, { permissions: [] }, 'PERM-4', 'permissions is [] for an admin');
      await boss.expectConnected();
    },
  }),
  check({
    id: 'chat-info',
    title: 'chat_info is sent only to admins and chat_topic holders (and is optional even for them)',
    rules: ['SES-LR-6', 'SES-LR-7'],
    actors: { plain: user({ login: false, permissions: ['chat_send'] }), topic: user({ login: false, permissions: ['chat_topic'] }) },
    run: async ({ plain, topic }, t) => {
      const p = await plain.login(credentials(plain)).expectSuccess();
      t.expectBody(p, { chat_info: NONE }, 'SES-LR-6', 'no chat_info without chat_topic');
      const h = await topic.login(credentials(topic)).expectSuccess();
      const ci = h.body.chat_info as Record<string, unknown> | undefined | null;
      if (ci !== undefined && ci !== null) {
        t.expectBody(ci, { topic: A_STRING, topic_set_by: A_STRING }, 'SES-LR-6', 'chat_info');
      }
    },
  }),
  check({
    id: 'username-case-insensitive',
    title: 'The username is matched case-insensitively; the session nickname is the stored username',
    rules: ['SES-LOGIN-9', 'GEN-7', 'SES-ID-1', 'SES-AUTH-1', 'USR-LIST-3'],
    seed: 'users.md §Username vs Nickname',
    actors: { u: user({ login: false, permissions: ['user_list'] }) },
    run: async ({ u }, t) => {
      await u.login(credentials(u, { username: swapCase(u.username) })).expectSuccess();
      const list = usersOf(await u.request('UserList', { all: false }).expectSuccess());
      const mine = entriesFor(list, u.username);
      t.expectEqual(mine, [{ nickname: u.username, username: u.username }], 'SES-ID-1', 'the entries of the account: the stored casing');
    },
  }),
  check({
    id: 'nickname-ignored-for-regular',
    title: 'A regular account ignores (and does not validate) a Login nickname: the session nickname is the username',
    rules: ['SES-LOGIN-13', 'SES-ID-1', 'SES-AUTH-1'],
    seed: 'users.md §Username vs Nickname',
    actors: { u: user({ login: false, permissions: ['user_list'] }) },
    run: async ({ u }, t) => {
      await u.login(credentials(u, { nickname: 'not a valid nickname!' })).expectSuccess();
      const list = usersOf(await u.request('UserList', { all: false }).expectSuccess());
      t.expectEqual(entriesFor(list, u.username), [ANY], 'SES-ID-1', 'the entries under its username');
      t.expectEqual(entriesFor(list, 'not a valid nickname!'), [], 'SES-LOGIN-13', 'the entries under the Login nickname');
    },
  }),
  check({
    id: 'multiple-sessions',
    title: 'A regular account may hold several concurrent sessions, each with its own session id',
    rules: ['SES-AUTH-1', 'SES-LR-2', 'WIRE-TCP-2'],
    seed: 'users.md §Multi-Session Handling',
    actors: { u: user(), again: sessionOf('u'), third: connection('shaken') },
    run: async ({ u, again, third }, t) => {
      const r = await third.login(credentials(u)).expectSuccess();
      const ids = [u.sessionId, again.sessionId, r.body.session_id];
      t.expectEqual(new Set(ids).size, 3, 'SES-LR-2', `the number of distinct session ids among ${JSON.stringify(ids)}`);
      await u.expectConnected();
      await again.expectConnected();
    },
  }),
  check({
    id: 'locale-echo',
    title: 'LoginResponse.locale is the requested locale exactly as sent',
    rules: ['SES-LR-4', 'VAL-LOCALE'],
    actors: { u: user({ login: false }) },
    run: async ({ u }, t) => {
      // An unknown locale is valid and falls back to English strings (VAL-LOCALE).
      const r = await u.login(credentials(u, { locale: 'en-ZZ' })).expectSuccess();
      t.expectBody(r, { locale: 'en-ZZ' }, 'SES-LR-4', 'locale is "en-ZZ" as sent');
    },
  }),
  check({
    id: 'locale-default',
    title: 'Without a locale, LoginResponse.locale is "en"',
    rules: ['SES-LR-4'],
    actors: { u: user({ login: false }) },
    run: async ({ u }, t) => {
      const { locale: _omitted, ...body } = credentials(u);
      const r = await u.login(body).expectSuccess();
      t.expectBody(r, { locale: 'en' }, 'SES-LR-4', 'locale defaults to "en"');
    },
  }),
  loginSucceeds('locale-empty', 'An empty locale is valid', ['VAL-LOCALE', 'SES-LOGIN-6'], { locale: '' }),
  loginSucceeds('locale-max', 'A 16-byte locale is valid', ['VAL-LOCALE', 'SES-LOGIN-6'], { locale: 'en-GB-x-abcdefgh' }),
  loginSucceeds('features-empty-list', 'An empty features list is valid', ['VAL-FEATURES', 'SES-LOGIN-7'], { features: [] }),
  loginSucceeds('features-max', 'Sixteen features of 32 bytes each are valid', ['VAL-FEATURES', 'SES-LOGIN-7'], {
    features: Array.from({ length: 16 }, (_, i) => LONG_FEATURE.slice(0, 30) + String(i).padStart(2, '0')),
  }),
  loginSucceeds('avatar-null', 'A null avatar means "no avatar"', ['VAL-AVATAR', 'SES-LOGIN-8', 'WIRE-JSON-4'], { avatar: null }),
  check({
    id: 'avatar-types',
    title: 'PNG, JPEG, WebP and SVG data-URI avatars are accepted',
    rules: ['VAL-AVATAR', 'SES-LOGIN-8', 'SES-AUTH-1'],
    seed: 'users.md §Avatar Handling',
    actors: { png: user({ login: false }), jpeg: connection('shaken'), webp: connection('shaken'), svg: connection('shaken') },
    run: async ({ png, jpeg, webp, svg }) => {
      await png.login(credentials(png, { avatar: PNG })).expectSuccess();
      await jpeg.login(credentials(png, { avatar: JPEG })).expectSuccess();
      await webp.login(credentials(png, { avatar: WEBP })).expectSuccess();
      await svg.login(credentials(png, { avatar: SVG })).expectSuccess();
    },
  }),
  loginSucceeds('avatar-max', 'An avatar of exactly 176 000 bytes is accepted', ['VAL-AVATAR', 'SES-LOGIN-8', 'WIRE-LIM-1'], {
    avatar: 'data:image/png;base64,' + 'A'.repeat(176_000 - 'data:image/png;base64,'.length),
  }),
  check({
    id: 'unicode-username-letters',
    title: 'Unicode letters are valid in a username: an unknown such name passes validation and gets E-INVALID-CREDENTIALS',
    rules: ['VAL-USERNAME', 'SES-LOGIN-4', 'SES-LOGIN-12'],
    errors: ['E-INVALID-CREDENTIALS'],
    actors: { c: connection('shaken') },
    run: async ({ c }, t) => {
      await c.login(loginBody(`${t.name('u')}Élodie`, 'secret')).expectError('E-INVALID-CREDENTIALS');
      await c.expectClosed();
    },
  }),

  // --- credentials ------------------------------------------------------------------------------
  loginFails(
    'wrong-password',
    'A wrong password is rejected with E-INVALID-CREDENTIALS and the connection closes',
    'E-INVALID-CREDENTIALS',
    ['SES-LOGIN-10', 'SES-AUTH-1'],
    (a) => credentials(a, { password: `${a.password}x` }),
  ),
  loginFails('password-case-sensitive', 'Passwords are case-sensitive', 'E-INVALID-CREDENTIALS', ['SES-LOGIN-10'], (a) =>
    credentials(a, { password: swapCase(a.password) === a.password ? `${a.password}X` : swapCase(a.password) }),
  ),
  check({
    id: 'unknown-user',
    title: 'An unknown username gets E-INVALID-CREDENTIALS (same as a wrong password) and no account is created',
    rules: ['SES-LOGIN-12', 'SES-LOGIN-9', 'SES-ERR-2'],
    errors: ['E-INVALID-CREDENTIALS', 'E-USER-NOT-FOUND'],
    actors: { c: connection('shaken'), boss: admin() },
    run: async ({ c, boss }, t) => {
      const name = t.name('nobody');
      await c.login(loginBody(name, 'secret')).expectError('E-INVALID-CREDENTIALS');
      await c.expectClosed();
      // Existence is not revealed and nothing was created (only the first-ever login creates, SES-AUTH-2).
      await noStoredAccount(boss, name);
    },
  }),
  loginFails(
    'disabled',
    'A disabled account with the right password gets E-ACCOUNT-DISABLED and the connection closes',
    'E-ACCOUNT-DISABLED',
    ['SES-LOGIN-11'],
    (a) => credentials(a),
    {
      enabled: false,
    },
  ),
  loginFails(
    'disabled-wrong-password',
    'A disabled account with a wrong password gets E-INVALID-CREDENTIALS (the password is checked first)',
    'E-INVALID-CREDENTIALS',
    ['SES-LOGIN-10', 'SES-LOGIN-11'],
    (a) => credentials(a, { password: `${a.password}x` }),
    { enabled: false },
  ),

  // --- field validation (SES-LOGIN-4..8) --------------------------------------------------------
  // --- field validation (SES-LOGIN-4..8): _login-fields.ts --------------------------------------
  ...USERNAME_AND_PASSWORD,
  check({
    id: 'password-unit',
    title: 'A 256-character password of 2-byte characters is within the limit in spec (characters) and over it in nexusd (bytes)',
    rules: ['SES-LOGIN-5', 'VAL-PASSWORD'],
    errors: ['E-INVALID-CREDENTIALS', 'E-PASSWORD-TOO-LONG'],
    actors: { account: user({ login: false }) },
    run: async ({ account }, t) => {
      const reply = account.login(credentials(account, { password: 'é'.repeat(256) }));
      await reply.expectError(t.profile === 'spec' ? 'E-INVALID-CREDENTIALS' : 'E-PASSWORD-TOO-LONG');
      await account.expectClosed();
    },
  }),
  ...LOCALE_FEATURES_AND_AVATAR,

  // --- check order (session.md §2.1): _login-fields.ts ----------------------------------------
  ...CHECK_ORDER,
  check({
    id: 'order/validation-before-lookup',
    title: 'Field validation precedes the account lookup: an unknown user with a too-long password gets E-PASSWORD-TOO-LONG',
    rules: ['SES-LOGIN-5', 'SES-LOGIN-9', 'SES-LOGIN-12'],
    errors: ['E-PASSWORD-TOO-LONG'],
    actors: { c: connection('shaken') },
    run: async ({ c }, t) => {
      await c.login(loginBody(t.name('nobody'), 'p'.repeat(257))).expectError('E-PASSWORD-TOO-LONG');
      await c.expectClosed();
    },
  }),
]);
