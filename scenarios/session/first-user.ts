// session.md §2.2 SES-AUTH-2, SES-LOGIN-12: on a server whose only account is `guest`, the first
// Login naming an unknown username creates that account as an enabled admin.
import { admin, check, connection, section } from '../../src/runner/api.ts';
import { credentials, loginBody, storedAccount } from '../_lib.ts';

export default section({ id: 'session/first-user', title: 'Login (first user)' }, [
  check({
    id: 'first-login-created-admin',
    title: 'On a fresh server the first Login created its account as an enabled admin without stored permissions',
    rules: ['SES-AUTH-2', 'SES-LOGIN-12', 'SES-LR-3'],
    // The run's own admin login was that first Login (issue 4: "on a fresh server this creates the admin").
    needs: { fresh: true },
    actors: { boss: admin(), c: connection('shaken') },
    run: async ({ boss, c }, t) => {
      const edit = await storedAccount(boss, t.admin.username);
      t.expectBody(edit, { is_admin: true }, 'SES-AUTH-2', 'the first account is an admin');
      t.expectBody(edit, { enabled: true }, 'SES-AUTH-2', 'the first account is enabled');
      t.expectBody(edit, { is_shared: false }, 'SES-AUTH-2', 'the first account is a regular account');
      t.expectBody(edit, { permissions: [] }, 'SES-AUTH-2', 'no stored permissions');
      // And its password is the one given at that first Login.
      const r = await c.login(credentials(t.admin)).expectSuccess();
      t.expectBody(r, { is_admin: true }, 'SES-AUTH-2', 'logging in again yields is_admin:true');
    },
  }),
  check({
    id: 'no-creation-once-accounts-exist',
    title: 'Once an account besides guest exists, an unknown username is not created: E-INVALID-CREDENTIALS',
    rules: ['SES-LOGIN-12', 'SES-AUTH-2'],
    errors: ['E-INVALID-CREDENTIALS'],
    actors: { c: connection('shaken'), again: connection('shaken') },
    run: async ({ c, again }, t) => {
      const name = t.name('second');
      await c.login(loginBody(name, 'secret')).expectError('E-INVALID-CREDENTIALS');
      await c.expectClosed();
      // Trying again with the same credentials still fails: the first attempt created nothing.
      await again.login(loginBody(name, 'secret')).expectError('E-INVALID-CREDENTIALS');
      await again.expectClosed();
    },
  }),
]);
