// seed admin.md §Guest Account; rules.md GUEST-1, ADM-UPDATE-7/8/17, UND-5, UND-8;
// session.md SES-GUEST-1/2. The guest account is a special shared account that cannot be deleted,
// renamed, given a password or made admin. The runner enables the guest account for checks that
// declare a `guest()` actor and restores its state afterwards.
import { admin, check, connection, guest, section, user, setOf, where } from '../../src/runner/api.ts';
import { credentials, noStoredAccount, storedAccount, expectStored, guestLogin } from '../_lib.ts';

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

export default section({ id: 'guest/account', title: 'The guest account', seed: 'admin.md §Guest Account' }, [
  check({
    id: 'is-shared-not-admin',
    title: 'The guest account can be fetched with UserEdit; it is a shared, non-admin account named guest',
    rules: ['GUEST-1', 'ADM-EDIT-6', 'SES-GUEST-1'],
    seed: 'admin.md §Guest Account',
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      const r = await storedAccount(boss, 'GUEST');
      t.expectBody(r, { username: where('"guest" in any casing', (v) => String(v).toLowerCase() === 'guest') }, 'SES-GUEST-1');
      t.expectBody(r, { is_shared: true }, 'GUEST-1', 'the guest account is shared');
      t.expectBody(r, { is_admin: false }, 'GUEST-1', 'the guest account is not admin');
    },
  }),

  check({
    id: 'disabled-by-default',
    title: 'On a fresh server the guest account is disabled and a guest Login fails with "Guest access is not enabled"',
    rules: ['SES-GUEST-2', 'GUEST-1', 'SES-LOGIN-11'],
    errors: ['E-GUEST-DISABLED'],
    seed: 'admin.md §Guest Account ("Guest account is disabled by default")',
    needs: { fresh: true },
    actors: { door: connection('shaken') },
    run: async ({ door }, t) => {
      await expectStored(t, 'guest', { enabled: false }, 'SES-GUEST-2', 'the guest account is disabled');
      await door.login(guestLogin('guest', t.name('early'), '', { features: [] })).expectError('E-GUEST-DISABLED');
      await door.expectClosed();
    },
  }),

  check({
    id: 'initial-permissions-read-first',
    title: 'A guest session holds exactly the permissions UserEdit reports for the guest account (whatever they are)',
    rules: ['UND-8', 'SES-GUEST-2', 'SES-LR-3', 'GUEST-1'],
    seed: 'admin.md §Guest Account',
    actors: { visitor: guest(), door: connection('shaken') },
    run: async ({ visitor, door }, t) => {
      // UND-8: the initial set is not fixed, so read it instead of assuming it.
      const stored = await storedAccount(t.admin, 'guest');
      t.expectBody(stored, { enabled: true }, 'SES-GUEST-2', 'the runner enabled the guest account');
      const r = await door.login(guestLogin('', t.name('second'), '', { features: [] })).expectSuccess();
      t.expectBody(r, { is_admin: false }, 'GUEST-1', 'a guest session is not admin');
      t.expectBody(r, { permissions: setOf(asList(stored.permissions)) }, 'SES-LR-3', 'LoginResponse lists the stored guest permissions');
      await visitor.expectConnected();
    },
  }),

  check({
    id: 'cannot-be-renamed',
    title: 'The guest account cannot be renamed',
    rules: ['ADM-UPDATE-7', 'GUEST-1', 'GEN-9'],
    errors: ['E-CANNOT-RENAME-GUEST', 'E-USER-NOT-FOUND'],
    seed: 'admin.md §Guest Account ("Renamable: No")',
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      const renamed = t.name('visitor');
      await boss.request('UserUpdate', { username: 'guest', requested_username: renamed }).expectError('E-CANNOT-RENAME-GUEST');
      await boss
        .request('UserUpdate', { username: 'Guest', requested_username: renamed, requested_enabled: false })
        .expectError('E-CANNOT-RENAME-GUEST');
      await noStoredAccount(t.admin, renamed);
      await storedAccount(t.admin, 'guest');
    },
  }),

  check({
    id: 'rename-to-other-casing',
    title: 'spec: even a change of casing (GUEST) is a rename of the guest account and is refused',
    rules: ['ADM-UPDATE-7', 'GUEST-1'],
    errors: ['E-CANNOT-RENAME-GUEST'],
    seed: 'admin.md §Guest Account ("Renamable: No")',
    needs: { profile: 'spec' },
    actors: { boss: admin() },
    run: async ({ boss }) => {
      await boss.request('UserUpdate', { username: 'guest', requested_username: 'GUEST' }).expectError('E-CANNOT-RENAME-GUEST');
    },
  }),

  check({
    id: 'password-cannot-change',
    title: 'The guest password cannot be changed; a blank requested_password is "no change" and guests still log in with ""',
    rules: ['ADM-UPDATE-8', 'GUEST-1', 'VAL-PASSWORD', 'SES-GUEST-1'],
    errors: ['E-CANNOT-CHANGE-GUEST-PASSWORD'],
    seed: 'admin.md §Guest Account ("Password changeable: No")',
    actors: { boss: admin(), visitor: guest(), door: connection('shaken') },
    run: async ({ boss, visitor, door }, t) => {
      await boss.request('UserUpdate', { username: 'guest', requested_password: 'secret' }).expectError('E-CANNOT-CHANGE-GUEST-PASSWORD');
      await boss.request('UserUpdate', { username: 'guest', requested_password: '' }).expectSuccess();
      await door.login(guestLogin('guest', t.name('later'), '', { features: [] })).expectSuccess();
      await visitor.expectConnected();
    },
  }),

  check({
    id: 'cannot-be-promoted',
    title: 'spec: the guest account can never be made admin',
    rules: ['ADM-UPDATE-17', 'UND-5', 'GUEST-1', 'SHARED-1', 'GEN-9'],
    errors: ['E-SHARED-CANNOT-BE-ADMIN'],
    seed: 'admin.md §Guest Account ("Can be admin: No")',
    needs: { profile: 'spec' },
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      await boss.request('UserUpdate', { username: 'guest', requested_is_admin: true }).expectError('E-SHARED-CANNOT-BE-ADMIN');
      await expectStored(t, 'guest', { is_admin: false }, 'GUEST-1', 'guest is still not admin');
    },
  }),

  check({
    id: 'guest-session-cannot-change-password',
    title: 'A guest session updating its own account gets "Cannot change password on shared account"',
    rules: ['ADM-UPDATE-4', 'GUEST-1', 'SHARED-1'],
    errors: ['E-SHARED-CANNOT-CHANGE-PASSWORD'],
    seed: 'admin.md §Guest Account, §Self-Operations',
    actors: { visitor: guest() },
    run: async ({ visitor }) => {
      await visitor
        .request('UserUpdate', { username: 'guest', current_password: '', requested_password: 'mine-now' })
        .expectError('E-SHARED-CANNOT-CHANGE-PASSWORD');
      await visitor.expectConnected();
    },
  }),

  check({
    id: 'disabling-ends-guest-sessions',
    title: 'Disabling the guest account removes live guest sessions; guest Login then fails with "Guest access is not enabled"',
    rules: ['SES-FORCE-2', 'SES-FORCE-3', 'SES-GUEST-2', 'ADM-UPDATE-15', 'BC-7', 'UND-6'],
    errors: ['E-ACCOUNT-DISABLED-BY-ADMIN', 'E-GUEST-DISABLED'],
    seed: 'admin.md §Guest Account ("admins can enable it via the enabled field")',
    actors: { boss: admin(), visitor: guest(), watcher: user({ permissions: ['user_list'] }), door: connection('shaken') },
    run: async ({ boss, visitor, watcher, door }, t) => {
      await boss.request('UserUpdate', { username: 'guest', requested_enabled: false }).expectSuccess();
      if (t.profile === 'spec') await visitor.expectClosed();
      await watcher.expectConnected();
      await door.login(guestLogin('', t.name('late'), '', { features: [] })).expectError('E-GUEST-DISABLED');
      await door.expectClosed();
    },
  }),

  check({
    id: 'permission-change-is-live',
    title: 'Giving the guest account user_list sends PermissionsUpdated to the guest session, which then sees logins',
    rules: ['GEN-6', 'BC-5', 'BC-1', 'ADM-UPDATE-14', 'GUEST-1'],
    seed: 'admin.md §PermissionsUpdated',
    actors: { boss: admin(), visitor: guest({ permissions: ['chat_send'] }), newcomer: user({ login: false }), door: connection('shaken') },
    run: async ({ boss, visitor, newcomer, door }) => {
      await boss.request('UserUpdate', { username: 'guest', requested_permissions: ['chat_send', 'user_list'] }).expectSuccess();
      // The guest session now holds user_list, so it receives this UserConnected (model comparison).
      await door.login(credentials(newcomer, { features: [] })).expectSuccess();
      await visitor.expectConnected();
    },
  }),

  check({
    id: 'forbidden-permissions-removed',
    title: 'spec: shared-forbidden names requested for the guest account are silently removed',
    rules: ['MERGE-5', 'ADM-UPDATE-11', 'GUEST-1', 'PERM-3'],
    seed: 'admin.md §Shared Account Restrictions ("Forbidden (automatically removed)")',
    needs: { profile: 'spec' },
    actors: { boss: admin(), visitor: guest({ permissions: ['chat_send'] }) },
    run: async ({ boss, visitor }, t) => {
      await boss
        .request('UserUpdate', { username: 'guest', requested_permissions: ['chat_receive', 'user_kick', 'file_root'] })
        .expectSuccess();
      await expectStored(t, 'guest', { permissions: setOf(['chat_receive']) }, 'MERGE-5', 'the stored permissions');
      await visitor.expectConnected();
    },
  }),

  check({
    id: 'forbidden-permissions-rejected',
    title: 'nexusd: shared-forbidden names requested for the guest account are refused, listing them',
    rules: ['MERGE-5', 'ADM-UPDATE-11', 'GUEST-1', 'PERM-3', 'GEN-9'],
    errors: ['E-SHARED-INVALID-PERMISSIONS'],
    seed: 'admin.md §Shared Account Restrictions',
    needs: { profile: 'nexusd' },
    actors: { boss: admin(), visitor: guest({ permissions: ['chat_send'] }) },
    run: async ({ boss, visitor }, t) => {
      await boss
        .request('UserUpdate', { username: 'guest', requested_permissions: ['chat_receive', 'user_kick', 'file_root'] })
        .expectError('E-SHARED-INVALID-PERMISSIONS');
      await expectStored(t, 'guest', { permissions: setOf(['chat_send']) }, 'GEN-9', 'the guest permissions are unchanged');
      await visitor.expectConnected();
    },
  }),
]);
