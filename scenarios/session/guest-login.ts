// session.md §2.2 SES-GUEST-*, SES-LOGIN-1: the built-in guest account — username "" or "guest"
// (any case), empty password, a nickname per session, disabled until an admin enables it.
import { admin, check, connection, guest, section } from '../../src/runner/api.ts';
import type { CheckContext } from '../../src/runner/api.ts';
import { guestLogin } from '../_lib.ts';

/** The guest account must be disabled for these checks; a target that enabled it is left alone. */
function requireGuestDisabled(t: CheckContext): void {
  if (t.model().accounts.guest?.enabled) t.skip('the guest account is enabled on this target');
}

export default section({ id: 'session/guest-login', title: 'Login (guest account)', seed: 'admin.md §Guest Account' }, [
  check({
    id: 'disabled',
    title: 'While the guest account is disabled, a guest Login (username "") gets E-GUEST-DISABLED and the connection closes',
    rules: ['SES-GUEST-2', 'SES-LOGIN-1', 'SES-LOGIN-11', 'SES-ERR-2'],
    errors: ['E-GUEST-DISABLED'],
    seed: 'admin.md §Guest Account',
    actors: { c: connection('shaken') },
    run: async ({ c }, t) => {
      requireGuestDisabled(t);
      await c.login(guestLogin('', t.name('visitor'))).expectError('E-GUEST-DISABLED');
      await c.expectClosed();
    },
  }),
  check({
    id: 'disabled-by-name',
    title: 'While disabled, a Login as "GUEST" (any case) also gets E-GUEST-DISABLED',
    rules: ['SES-GUEST-1', 'SES-GUEST-2', 'SES-LOGIN-9', 'SES-LOGIN-11'],
    errors: ['E-GUEST-DISABLED'],
    seed: 'admin.md §Guest Account',
    actors: { c: connection('shaken') },
    run: async ({ c }, t) => {
      requireGuestDisabled(t);
      await c.login(guestLogin('GUEST', t.name('visitor'))).expectError('E-GUEST-DISABLED');
      await c.expectClosed();
    },
  }),
  check({
    id: 'disabled-wrong-password',
    title: 'A non-empty guest password gets E-INVALID-CREDENTIALS even while the guest is disabled (password first)',
    rules: ['SES-GUEST-1', 'SES-LOGIN-10', 'SES-LOGIN-11'],
    errors: ['E-INVALID-CREDENTIALS'],
    actors: { c: connection('shaken') },
    run: async ({ c }, t) => {
      requireGuestDisabled(t);
      await c.login(guestLogin('guest', t.name('visitor'), 'secret')).expectError('E-INVALID-CREDENTIALS');
      await c.expectClosed();
    },
  }),
  check({
    id: 'enabled-by-admin',
    title: 'An admin enables the guest account with UserUpdate requested_enabled:true; then a guest Login succeeds',
    rules: ['SES-GUEST-2', 'SES-GUEST-1', 'SES-LOGIN-1', 'SES-LOGIN-17'],
    seed: 'admin.md §Guest Account',
    actors: { boss: admin(), c: connection('shaken') },
    run: async ({ boss, c }, t) => {
      requireGuestDisabled(t);
      await boss.request('UserUpdate', { username: 'guest', requested_enabled: true }).expectSuccess();
      await c.login(guestLogin('', t.name('visitor'))).expectSuccess();
      await c.close();
      await boss.request('UserUpdate', { username: 'guest', requested_enabled: false }).expectSuccess();
    },
  }),
  check({
    id: 'empty-username',
    title: 'Username "" with password "" logs into the guest account as a shared session with its own nickname',
    rules: ['SES-LOGIN-1', 'SES-GUEST-1', 'SES-LOGIN-17', 'SES-ID-1'],
    seed: 'admin.md §Guest Account',
    actors: { g: guest(), c: connection('shaken') },
    run: async ({ c }, t) => {
      const r = await c.login(guestLogin('', t.name('visitor'))).expectSuccess();
      t.expectBody(r, { is_admin: false }, 'SES-GUEST-1', 'the guest is never admin');
      await c.expectConnected();
    },
  }),
  check({
    id: 'name-any-case',
    title: 'The guest account is also reached as "Guest" (case-insensitive username)',
    rules: ['SES-GUEST-1', 'SES-LOGIN-9', 'GEN-7'],
    actors: { g: guest(), c: connection('shaken') },
    run: async ({ c }, t) => {
      await c.login(guestLogin('Guest', t.name('visitor'))).expectSuccess();
    },
  }),
  check({
    id: 'password-must-be-empty',
    title: 'A non-empty password for the guest gets E-INVALID-CREDENTIALS',
    rules: ['SES-GUEST-1', 'SES-LOGIN-10'],
    errors: ['E-INVALID-CREDENTIALS'],
    actors: { g: guest(), c: connection('shaken') },
    run: async ({ c }, t) => {
      await c.login(guestLogin('', t.name('visitor'), 'x')).expectError('E-INVALID-CREDENTIALS');
      await c.expectClosed();
    },
  }),
  check({
    id: 'nickname-required',
    title: 'A guest Login without a nickname gets E-NICKNAME-REQUIRED',
    rules: ['SES-GUEST-1', 'SES-LOGIN-13'],
    errors: ['E-NICKNAME-REQUIRED'],
    actors: { g: guest(), c: connection('shaken') },
    run: async ({ c }) => {
      await c.login(guestLogin('', null)).expectError('E-NICKNAME-REQUIRED');
      await c.expectClosed();
    },
  }),
  check({
    id: 'nickname-guest',
    title: 'A guest cannot use "guest" as nickname (it is an account username): E-NICKNAME-IS-USERNAME',
    rules: ['SES-GUEST-1', 'SES-LOGIN-15'],
    errors: ['E-NICKNAME-IS-USERNAME'],
    actors: { g: guest(), c: connection('shaken') },
    run: async ({ c }) => {
      await c.login(guestLogin('', 'guest')).expectError('E-NICKNAME-IS-USERNAME');
      await c.expectClosed();
    },
  }),
  check({
    id: 'nickname-in-use',
    title: "A second guest cannot take a live guest session's nickname: E-NICKNAME-IN-USE",
    rules: ['SES-GUEST-1', 'SES-LOGIN-16'],
    errors: ['E-NICKNAME-IN-USE'],
    actors: { g: guest(), c: connection('shaken') },
    run: async ({ g, c }) => {
      await c.login(guestLogin('', g.nickname.toUpperCase())).expectError('E-NICKNAME-IN-USE');
      await c.expectClosed();
      await g.expectConnected();
    },
  }),
]);
