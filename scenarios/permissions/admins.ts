// rules.md GEN-5, PERM-4; session.md SES-AUTH-2; seed admin.md §Notes ("Admins implicitly have all
// permissions"). An admin account stores no permissions yet passes every permission check.
import { admin, check, section, shared, user } from '../../src/runner/api.ts';
import { storedAccount, accountBody, expectStored } from '../_lib.ts';

export default section({ id: 'permissions/admins', title: 'Admins hold every permission', seed: 'admin.md §Notes' }, [
  check({
    id: 'admin-passes-every-permission-check',
    title: 'An admin with no stored permissions may create, fetch, update, kick and delete accounts',
    rules: ['GEN-5', 'PERM-4', 'ADM-CREATE-5', 'ADM-EDIT-3', 'ADM-UPDATE-5', 'ADM-KICK-5', 'ADM-DELETE-6'],
    errors: ['E-KICKED-BY'],
    seed: 'admin.md §Notes, §Permissions',
    actors: { boss: admin(), victim: user(), visitor: shared() },
    run: async ({ boss, victim, visitor }, t) => {
      await expectStored(t, boss.username, { permissions: [] }, 'PERM-4', 'the admin stores no permissions');
      const name = t.name('made');
      t.created(name);
      await boss.request('UserCreate', accountBody(name, { permissions: ['chat_send'] })).expectSuccess();
      await storedAccount(boss, name);
      await boss.request('UserUpdate', { username: name, requested_permissions: ['news_list'] }).expectSuccess();
      await boss.request('UserKick', { nickname: victim.nickname }).expectSuccess();
      await boss.request('UserKick', { nickname: visitor.nickname }).expectSuccess();
      await boss.request('UserDelete', { username: name }).expectSuccess();
    },
  }),

  check({
    id: 'first-user-holds-everything',
    title: 'The first user of a fresh server stores no permissions and still passes every permission check',
    rules: ['GEN-5', 'SES-AUTH-2', 'UND-9', 'PERM-4'],
    seed: 'admin.md §Notes ("Admins implicitly have all permissions (not stored in database)")',
    // The run's control admin made the first Login of this server, with a non-empty password.
    // UND-9 (a first Login with an empty password) is untested by design.
    needs: { fresh: true },
    actors: { boss: admin(), target: user({ login: false, permissions: ['chat_send'] }) },
    run: async ({ boss, target }, t) => {
      const first = await storedAccount(boss, t.admin.username);
      t.expectBody(first, { is_admin: true }, 'SES-AUTH-2', 'the first user is an admin');
      t.expectBody(first, { permissions: [] }, 'SES-AUTH-2', 'it stores no permissions');
      // ... and yet user_edit, user_create and user_delete checks pass for it (GEN-5).
      await expectStored(t, target.username, { username: target.username }, 'GEN-5', 'UserEdit succeeded');
      const name = t.name('first');
      t.created(name);
      await t.admin.request('UserCreate', accountBody(name, { permissions: ['user_kick'] })).expectSuccess();
      await t.admin.request('UserDelete', { username: name }).expectSuccess();
    },
  }),
]);
