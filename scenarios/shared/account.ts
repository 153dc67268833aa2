// seed admin.md §Shared Account Restrictions, §UserCreate ("Shared account"); rules.md SHARED-1,
// MERGE-5, ADM-UPDATE-4/16/17, PERM-3; session.md SES-SHARED-1/2. Shared accounts: never admin,
// restricted permissions, no self password change, one list entry and one kick target per session.
import { admin, check, section, sessionOf, shared, user, setOf } from '../../src/runner/api.ts';
import { SHARED_ALLOWED, SHARED_FORBIDDEN_PROBES } from '../../src/model/permissions.ts';
import { noStoredAccount, storedAccount, expectStored, accountBody } from '../_lib.ts';

/** A shared account with `permissions`. */
const sharedAccount = (username: string, permissions: string[]) => accountBody(username, { is_shared: true, permissions });

export default section({ id: 'shared/account', title: 'Shared accounts', seed: 'admin.md §Shared Account Restrictions' }, [
  check({
    id: 'create-with-allowed-permissions',
    title: 'A shared account can be created holding every shared-allowed permission',
    rules: ['PERM-3', 'SES-SHARED-1', 'ADM-CREATE-12', 'SHARED-1'],
    seed: 'admin.md §Shared Account Restrictions ("Allowed")',
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      const name = t.name('crowd');
      t.created(name);
      await boss.request('UserCreate', sharedAccount(name, [...SHARED_ALLOWED])).expectSuccess();
      const r = await storedAccount(t.admin, name);
      t.expectBody(r, { is_shared: true, is_admin: false }, 'SES-SHARED-1', 'shared and not admin');
      t.expectBody(r, { permissions: setOf(SHARED_ALLOWED) }, 'PERM-3', 'all ten shared-allowed names are stored');
    },
  }),

  check({
    id: 'create-forbidden-removed',
    title: 'spec: shared-forbidden names are removed when creating a shared account; an unknown name is still an error',
    rules: ['MERGE-5', 'ADM-CREATE-8', 'ADM-CREATE-9', 'PERM-3', 'MERGE-4'],
    errors: ['E-UNKNOWN-PERMISSION'],
    seed: 'admin.md §Shared Account Restrictions ("Forbidden (automatically removed)")',
    needs: { profile: 'spec' },
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      const name = t.name('strip');
      t.created(name);
      await boss.request('UserCreate', sharedAccount(name, ['chat_send', ...SHARED_FORBIDDEN_PROBES])).expectSuccess();
      await expectStored(t, name, { permissions: setOf(['chat_send']) }, 'MERGE-5', 'the stored permissions');
      await boss
        .request('UserCreate', sharedAccount(t.name('bogus'), ['chat_send', 'user_kick', 'zz_not_a_permission']))
        .expectError('E-UNKNOWN-PERMISSION');
    },
  }),

  check({
    id: 'create-forbidden-rejected',
    title: 'nexusd: shared-forbidden (or unknown) names make creating a shared account fail, and nothing is created',
    rules: ['MERGE-5', 'ADM-CREATE-8', 'PERM-3', 'GEN-9'],
    errors: ['E-SHARED-INVALID-PERMISSIONS', 'E-USER-NOT-FOUND'],
    seed: 'admin.md §Shared Account Restrictions',
    needs: { profile: 'nexusd' },
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      const name = t.name('strip');
      await boss
        .request('UserCreate', sharedAccount(name, ['chat_send', ...SHARED_FORBIDDEN_PROBES]))
        .expectError('E-SHARED-INVALID-PERMISSIONS');
      await boss
        .request('UserCreate', sharedAccount(name, ['chat_send', 'user_kick', 'zz_not_a_permission']))
        .expectError('E-SHARED-INVALID-PERMISSIONS');
      await noStoredAccount(t.admin, name);
    },
  }),

  check({
    id: 'update-forbidden-removed',
    title: 'spec: shared-forbidden names requested for a shared account are removed; its sessions get PermissionsUpdated',
    rules: ['MERGE-5', 'ADM-UPDATE-11', 'BC-5', 'ADM-UPDATE-16', 'SES-SHARED-2'],
    seed: 'admin.md §Shared Account Restrictions ("Forbidden (automatically removed)")',
    needs: { profile: 'spec' },
    actors: { boss: admin(), visitor: shared({ permissions: ['chat_send'] }), sibling: sessionOf('visitor'), bystander: user() },
    run: async ({ boss, visitor, sibling, bystander }, t) => {
      await boss
        .request('UserUpdate', { username: visitor.username, requested_permissions: ['user_list', 'user_delete', 'news_edit'] })
        .expectSuccess();
      await expectStored(t, visitor.username, { permissions: setOf(['user_list']) }, 'MERGE-5', 'the stored permissions');
      await visitor.expectConnected();
      await sibling.expectConnected();
      await bystander.expectConnected();
    },
  }),

  check({
    id: 'update-forbidden-rejected',
    title: 'nexusd: shared-forbidden names requested for a shared account are refused and nothing changes',
    rules: ['MERGE-5', 'ADM-UPDATE-11', 'GEN-9'],
    errors: ['E-SHARED-INVALID-PERMISSIONS'],
    seed: 'admin.md §Shared Account Restrictions',
    needs: { profile: 'nexusd' },
    actors: { boss: admin(), visitor: shared({ permissions: ['chat_send'] }) },
    run: async ({ boss, visitor }, t) => {
      await boss
        .request('UserUpdate', { username: visitor.username, requested_permissions: ['user_list', 'user_delete', 'zz_not_a_permission'] })
        .expectError('E-SHARED-INVALID-PERMISSIONS');
      await expectStored(t, visitor.username, { permissions: setOf(['chat_send']) }, 'GEN-9', 'permissions unchanged');
      await visitor.expectConnected();
    },
  }),

  check({
    id: 'permission-update-reaches-every-session',
    title: "Changing a shared account's permissions sends PermissionsUpdated to each of its sessions and to nobody else",
    rules: ['BC-5', 'GEN-6', 'ADM-UPDATE-14', 'ADM-UPDATE-16', 'BC-3', 'SES-SHARED-2'],
    seed: 'admin.md §PermissionsUpdated',
    actors: {
      boss: admin(),
      visitor: shared({ permissions: ['chat_send'] }),
      sibling: sessionOf('visitor'),
      watcher: user({ permissions: ['user_list'] }),
      bystander: user(),
    },
    run: async ({ boss, visitor, sibling, watcher, bystander }) => {
      await boss.request('UserUpdate', { username: visitor.username, requested_permissions: ['chat_send', 'user_info'] }).expectSuccess();
      await visitor.expectConnected();
      await sibling.expectConnected();
      await watcher.expectConnected();
      await bystander.expectConnected();
    },
  }),

  check({
    id: 'cannot-be-promoted',
    title: 'spec: a shared account can never be made admin',
    rules: ['ADM-UPDATE-17', 'UND-5', 'SHARED-1', 'GEN-9'],
    errors: ['E-SHARED-CANNOT-BE-ADMIN'],
    seed: 'admin.md §Shared Account Restrictions ("Shared accounts can never be admins")',
    needs: { profile: 'spec' },
    actors: { boss: admin(), visitor: shared() },
    run: async ({ boss, visitor }, t) => {
      await boss.request('UserUpdate', { username: visitor.username, requested_is_admin: true }).expectError('E-SHARED-CANNOT-BE-ADMIN');
      await expectStored(t, visitor.username, { is_admin: false }, 'SHARED-1', 'still not admin');
      await visitor.expectConnected();
    },
  }),

  check({
    id: 'promotion-undetermined',
    title: 'nexusd: promoting a shared account may succeed or fail with "Shared accounts cannot be admins" (undetermined)',
    rules: ['ADM-UPDATE-17', 'UND-5', 'SHARED-1', 'BC-5', 'BC-3'],
    seed: 'admin.md §Shared Account Restrictions',
    // spec requires the refusal (cannot-be-promoted); the era's nexusd has no such check. The
    // guest account is deliberately not used here: a promoted guest would outlive the check.
    needs: { profile: 'nexusd' },
    actors: { boss: admin(), visitor: shared(), watcher: user({ permissions: ['user_list'] }) },
    run: async ({ boss, visitor, watcher }, t) => {
      // UND-5: the runner predicts both outcomes — E-SHARED-CANNOT-BE-ADMIN, or a promotion with its
      // PermissionsUpdated and UserUpdated — follows the one the target took, and fails anything else.
      const r = await boss.request('UserUpdate', { username: visitor.username, requested_is_admin: true });
      const promoted = r?.body.success === true;
      const edit = await storedAccount(t.admin, visitor.username);
      t.expectBody(
        edit,
        { is_admin: promoted },
        'ADM-UPDATE-17',
        promoted ? 'the promoted account is admin' : 'the refused account is still not admin',
      );
      await visitor.expectConnected();
      await watcher.expectConnected();
    },
  }),

  check({
    id: 'promotion-check-order',
    title: 'spec: the shared-admin refusal comes after "user not found" and before the permission list is looked at',
    rules: ['ADM-UPDATE-17', 'GEN-3', 'ADM-UPDATE-10', 'ADM-UPDATE-11'],
    errors: ['E-USER-NOT-FOUND', 'E-SHARED-CANNOT-BE-ADMIN'],
    seed: 'admin.md §Shared Account Restrictions',
    needs: { profile: 'spec' },
    actors: { boss: admin(), visitor: shared({ login: false }) },
    run: async ({ boss, visitor }, t) => {
      await boss.request('UserUpdate', { username: t.name('ghost'), requested_is_admin: true }).expectError('E-USER-NOT-FOUND');
      await boss
        .request('UserUpdate', { username: visitor.username, requested_is_admin: true, requested_permissions: [''] })
        .expectError('E-SHARED-CANNOT-BE-ADMIN');
    },
  }),

  check({
    id: 'cannot-change-own-password',
    title: "A shared session cannot change its account's password (or anything else about it)",
    rules: ['ADM-UPDATE-4', 'SHARED-1', 'GEN-3'],
    errors: ['E-SHARED-CANNOT-CHANGE-PASSWORD'],
    seed: 'admin.md §Shared Account Restrictions',
    actors: { visitor: shared({ permissions: ['user_list'] }) },
    run: async ({ visitor }) => {
      await visitor
        .request('UserUpdate', { username: visitor.username, current_password: visitor.password, requested_password: 'Mine-Now-1' })
        .expectError('E-SHARED-CANNOT-CHANGE-PASSWORD');
      // The shared check is the first one of the self branch.
      await visitor
        .request('UserUpdate', { username: visitor.username.toUpperCase(), requested_permissions: ['user_list', 'user_info'] })
        .expectError('E-SHARED-CANNOT-CHANGE-PASSWORD');
      await visitor.request('UserUpdate', { username: visitor.username }).expectError('E-SHARED-CANNOT-CHANGE-PASSWORD');
    },
  }),

  check({
    id: 'session-cannot-kick-sibling',
    title: 'A shared session kicking another session of its own account is not a self-kick; without user_kick it is denied',
    rules: ['ADM-KICK-4', 'ADM-KICK-5', 'SHARED-1', 'SES-SHARED-2', 'PERM-3'],
    errors: ['E-PERMISSION-DENIED', 'E-CANNOT-KICK-SELF'],
    seed: 'admin.md §UserKick ("works for both regular and shared accounts")',
    actors: { visitor: shared({ permissions: ['user_list'] }), sibling: sessionOf('visitor') },
    run: async ({ visitor, sibling }) => {
      await visitor.request('UserKick', { nickname: sibling.nickname }).expectError('E-PERMISSION-DENIED');
      await visitor.request('UserKick', { nickname: visitor.nickname }).expectError('E-CANNOT-KICK-SELF');
      await sibling.expectConnected();
    },
  }),

  check({
    id: 'delete-with-sessions',
    title: 'Deleting a shared account ends every one of its sessions with "Your account has been deleted"',
    rules: ['SES-FORCE-1', 'ADM-DELETE-9', 'BC-7', 'BC-2', 'SHARED-1', 'UND-6'],
    errors: ['E-ACCOUNT-DELETED'],
    seed: 'admin.md §UserDelete',
    actors: { boss: admin(), visitor: shared(), sibling: sessionOf('visitor'), watcher: user({ permissions: ['user_list'] }) },
    run: async ({ boss, visitor, sibling, watcher }, t) => {
      await boss.request('UserDelete', { username: visitor.username }).expectSuccess();
      if (t.profile === 'spec') {
        await visitor.expectClosed();
        await sibling.expectClosed();
      }
      await watcher.expectConnected();
    },
  }),
]);
