// session.md §2.1 SES-LOGIN-13..16, §2.2 SES-SHARED-*: Login to a shared account, where every
// session brings its own nickname.
import { check, connection, section, shared, user, ANY, where } from '../../src/runner/api.ts';
import type { Actor, CheckContext } from '../../src/runner/api.ts';
import type { ErrorKey } from '../../src/model/events.ts';
import { SHARED_ALLOWED } from '../../src/model/permissions.ts';
import { entriesFor, sharedLogin, swapCase, usersOf } from '../_lib.ts';

/** A shared Login that must fail with `key` and close (session.md §2). */
const sharedFails = (
  id: string,
  title: string,
  key: ErrorKey,
  rules: string[],
  body: (acct: Actor, t: CheckContext) => Record<string, unknown>,
) =>
  check({
    id,
    title,
    rules: [...rules, 'SES-SHARED-1', 'SES-ERR-2'],
    errors: [key],
    actors: { acct: shared({ login: false }) },
    run: async ({ acct }, t) => {
      await acct.login(body(acct, t)).expectError(key);
      await acct.expectClosed();
    },
  });

export default section({ id: 'session/shared-login', title: 'Login (shared accounts)', seed: 'users.md §Username vs Nickname' }, [
  check({
    id: 'success',
    title: 'A shared account logs in with its own nickname; the session is listed under that nickname, never as admin',
    rules: [
      'SES-SHARED-1',
      'SES-LOGIN-13',
      'SES-LOGIN-14',
      'SES-LOGIN-15',
      'SES-LOGIN-16',
      'SES-LOGIN-17',
      'SES-ID-1',
      'SES-LR-3',
      'PERM-3',
    ],
    seed: 'users.md §Username vs Nickname',
    actors: { acct: shared({ login: false, permissions: ['user_list', 'user_info'] }) },
    run: async ({ acct }, t) => {
      const nickname = t.name('Visitor');
      const r = await acct.login(sharedLogin(acct, nickname)).expectSuccess();
      t.expectBody(r, { is_admin: false }, 'SES-SHARED-1', 'a shared account is never admin');
      const sharedAllowed = where(
        `only names of ${JSON.stringify(SHARED_ALLOWED)}`,
        (v) => Array.isArray(v) && v.every((p) => SHARED_ALLOWED.includes(p as never)),
      );
      t.expectBody(r, { permissions: sharedAllowed }, 'PERM-3', 'only shared-allowed permissions');
      const mine = entriesFor(usersOf(await acct.request('UserList', { all: false }).expectSuccess()), nickname);
      const entry = { username: acct.username, is_shared: true };
      t.expectEqual(mine, [entry], 'SES-ID-1', 'the entries under the chosen nickname: the shared account, is_shared:true');
    },
  }),
  sharedFails(
    'nickname-null',
    'A shared Login with nickname null is rejected with E-NICKNAME-REQUIRED',
    'E-NICKNAME-REQUIRED',
    ['SES-LOGIN-13'],
    (a) => sharedLogin(a, null),
  ),
  check({
    id: 'nickname-absent',
    title: 'A shared Login without a nickname member is rejected with E-NICKNAME-REQUIRED',
    rules: ['SES-LOGIN-13', 'SES-SHARED-1', 'SES-ERR-2'],
    errors: ['E-NICKNAME-REQUIRED'],
    actors: { acct: shared({ login: false }) },
    run: async ({ acct }) => {
      const { nickname: _absent, ...body } = sharedLogin(acct, null);
      await acct.login(body).expectError('E-NICKNAME-REQUIRED');
      await acct.expectClosed();
    },
  }),
  sharedFails(
    'nickname-empty',
    'An empty nickname is rejected with E-NICKNAME-EMPTY',
    'E-NICKNAME-EMPTY',
    ['SES-LOGIN-14', 'VAL-NICKNAME'],
    (a) => sharedLogin(a, ''),
  ),
  sharedFails(
    'nickname-too-long',
    'A 33-character nickname is rejected with E-NICKNAME-TOO-LONG',
    'E-NICKNAME-TOO-LONG',
    ['SES-LOGIN-14', 'VAL-NICKNAME'],
    (a) => sharedLogin(a, 'n'.repeat(33)),
  ),
  sharedFails(
    'nickname-space',
    'A nickname with a space is rejected with E-NICKNAME-INVALID',
    'E-NICKNAME-INVALID',
    ['SES-LOGIN-14', 'VAL-NICKNAME'],
    (a) => sharedLogin(a, 'two words'),
  ),
  sharedFails(
    'nickname-control',
    'A nickname with a control character is rejected with E-NICKNAME-INVALID',
    'E-NICKNAME-INVALID',
    ['SES-LOGIN-14', 'VAL-NICKNAME'],
    (a) => sharedLogin(a, 'bell\u0007'),
  ),
  check({
    id: 'nickname-is-username',
    title: "A nickname equal to another account's username (any case) is rejected with E-NICKNAME-IS-USERNAME",
    rules: ['SES-LOGIN-15', 'GEN-7', 'SES-SHARED-1'],
    errors: ['E-NICKNAME-IS-USERNAME'],
    actors: { acct: shared({ login: false }), other: user() },
    run: async ({ acct, other }) => {
      await acct.login(sharedLogin(acct, swapCase(other.username))).expectError('E-NICKNAME-IS-USERNAME');
      await acct.expectClosed();
    },
  }),
  check({
    id: 'nickname-is-offline-or-disabled-username',
    title: 'Offline and disabled accounts count too: their usernames are not available as nicknames',
    rules: ['SES-LOGIN-15', 'SES-SHARED-1'],
    errors: ['E-NICKNAME-IS-USERNAME'],
    actors: {
      acct: shared({ login: false }),
      second: connection('shaken'),
      offline: user({ login: false }),
      disabled: user({ login: false, enabled: false }),
    },
    run: async ({ acct, second, offline, disabled }) => {
      await acct.login(sharedLogin(acct, offline.username)).expectError('E-NICKNAME-IS-USERNAME');
      await acct.expectClosed();
      await second.login(sharedLogin(acct, disabled.username)).expectError('E-NICKNAME-IS-USERNAME');
      await second.expectClosed();
    },
  }),
  sharedFails(
    'nickname-is-own-username',
    "The shared account's own username is not available as a nickname",
    'E-NICKNAME-IS-USERNAME',
    ['SES-LOGIN-15'],
    (a) => sharedLogin(a, a.username),
  ),
  sharedFails(
    'nickname-is-guest',
    'The reserved guest account counts: "Guest" is not available as a nickname',
    'E-NICKNAME-IS-USERNAME',
    ['SES-LOGIN-15', 'SES-GUEST-1'],
    (a) => sharedLogin(a, 'Guest'),
  ),
  check({
    id: 'nickname-in-use',
    title: "A nickname equal (any case) to a live shared session's nickname is rejected with E-NICKNAME-IN-USE",
    rules: ['SES-LOGIN-16', 'GEN-7', 'SES-SHARED-1'],
    errors: ['E-NICKNAME-IN-USE'],
    actors: { first: shared(), c: connection('shaken') },
    run: async ({ first, c }) => {
      await c.login(sharedLogin(first, swapCase(first.nickname))).expectError('E-NICKNAME-IN-USE');
      await c.expectClosed();
      await first.expectConnected();
    },
  }),
  check({
    id: 'nickname-in-use-across-accounts',
    title: 'Nicknames are unique across shared accounts: a session of another shared account cannot take a live nickname',
    rules: ['SES-LOGIN-16', 'SES-SHARED-1'],
    errors: ['E-NICKNAME-IN-USE'],
    actors: { first: shared(), other: shared({ login: false }) },
    run: async ({ first, other }) => {
      await other.login(sharedLogin(other, first.nickname)).expectError('E-NICKNAME-IN-USE');
      await other.expectClosed();
    },
  }),
  check({
    id: 'nickname-free-after-logout',
    title: 'A nickname becomes available again when its session ends',
    rules: ['SES-LOGIN-16', 'SES-ID-4', 'SES-BC-3'],
    actors: { first: shared(), c: connection('shaken') },
    run: async ({ first, c }) => {
      const nickname = first.nickname;
      await first.close();
      await c.login(sharedLogin(first, nickname)).expectSuccess();
      await c.expectConnected();
    },
  }),
  check({
    id: 'two-sessions',
    title: 'Two sessions of one shared account with different nicknames are listed separately',
    rules: ['SES-SHARED-2', 'SES-LOGIN-17', 'USR-LIST-3'],
    seed: 'users.md §Multi-Session Handling',
    actors: { first: shared({ permissions: ['user_list'] }), c: connection('shaken') },
    run: async ({ first, c }, t) => {
      const nickname = t.name('second');
      const r = await c.login(sharedLogin(first, nickname)).expectSuccess();
      const list = usersOf(await first.request('UserList', { all: false }).expectSuccess());
      const a = entriesFor(list, first.nickname);
      const b = entriesFor(list, nickname);
      t.expectEqual(a, [ANY], 'SES-SHARED-2', 'the entries of the first shared session');
      t.expectEqual(b, [{ session_ids: [r.body.session_id] }], 'SES-SHARED-2', 'the entries of the second: only its own session id');
    },
  }),
  sharedFails(
    'order/credentials-before-nickname',
    'Credentials are checked before the nickname: a wrong password without a nickname gets E-INVALID-CREDENTIALS',
    'E-INVALID-CREDENTIALS',
    ['SES-LOGIN-10', 'SES-LOGIN-13'],
    (a) => sharedLogin(a, null, { password: `${a.password}x` }),
  ),
  sharedFails(
    'order/validation-before-is-username',
    'Nickname validation precedes the username check: an invalid nickname gets E-NICKNAME-INVALID',
    'E-NICKNAME-INVALID',
    ['SES-LOGIN-14', 'SES-LOGIN-15'],
    (a) => sharedLogin(a, `${a.username} x`),
  ),
]);
