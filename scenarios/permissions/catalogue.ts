// rules.md §2.1 PERM-1..4, GEN-8; seed admin.md §Permissions, §Shared Account Restrictions, §Notes.
// The permission names of this era, how lists of them behave, and how admins report them.
import { admin, check, connection, section, setOf, oneOf } from '../../src/runner/api.ts';
import { ALL_PERMISSIONS } from '../../src/model/permissions.ts';
import { accountBody, CREATED_PASSWORD, credentials, loginBody, storedAccount, expectStored } from '../_lib.ts';

export default section({ id: 'permissions/catalogue', title: 'The permission catalogue', seed: 'admin.md §Permissions' }, [
  check({
    id: 'every-name-is-known',
    title: 'All 27 permission names of this era are accepted, stored and reported at Login',
    rules: ['PERM-1', 'MERGE-3', 'SES-LR-3'],
    seed: 'admin.md §Permissions, §Shared Account Restrictions; users.md §Permissions',
    actors: { boss: admin(), door: connection('shaken') },
    run: async ({ boss, door }, t) => {
      const name = t.name('all');
      t.created(name);
      await boss.request('UserCreate', accountBody(name, { permissions: [...ALL_PERMISSIONS] })).expectSuccess();
      await expectStored(t, name, { permissions: setOf(ALL_PERMISSIONS) }, 'PERM-1', 'UserEdit lists every catalogue name');
      const r = await door.login(loginBody(name, CREATED_PASSWORD, { features: [] })).expectSuccess();
      t.expectBody(r, { is_admin: false }, 'SES-LR-3', 'not admin');
      t.expectBody(r, { permissions: setOf(ALL_PERMISSIONS) }, 'SES-LR-3', 'LoginResponse lists all 27 stored names');
    },
  }),

  check({
    id: 'names-are-exact',
    title: 'Permission names are exact lower-case: a differently cased name is unknown',
    rules: ['PERM-1', 'PERM-2', 'MERGE-4', 'ADM-CREATE-9'],
    errors: ['E-UNKNOWN-PERMISSION'],
    seed: 'admin.md §Permissions',
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      await boss.request('UserCreate', accountBody(t.name('case'), { permissions: ['User_List'] })).expectError('E-UNKNOWN-PERMISSION');
      await boss.request('UserCreate', accountBody(t.name('case'), { permissions: ['CHAT_SEND'] })).expectError('E-UNKNOWN-PERMISSION');
    },
  }),

  check({
    id: 'lists-are-sets',
    title: 'Duplicate names in a permission list collapse; 27 entries are always within the count limit',
    rules: ['GEN-8', 'VAL-PERMISSIONS'],
    seed: 'admin.md §UserCreate',
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      const name = t.name('dups');
      t.created(name);
      const permissions = [...Array.from({ length: 26 }, () => 'chat_send'), 'user_list'];
      await boss.request('UserCreate', accountBody(name, { permissions })).expectSuccess();
      const r = await storedAccount(t.admin, name);
      t.expectBody(
        r,
        {
          permissions: oneOf([
            ['chat_send', 'user_list'],
            ['user_list', 'chat_send'],
          ]),
        },
        'GEN-8',
        'stored once each',
      );
      await boss.request('UserUpdate', { username: name, requested_permissions: ['news_list', 'news_list'] }).expectSuccess();
      t.expectBody(await storedAccount(t.admin, name), { permissions: ['news_list'] }, 'GEN-8', 'stored once');
    },
  }),

  check({
    id: 'admin-reports-no-permissions',
    title: 'An admin logs in with is_admin:true and an empty permission list',
    rules: ['PERM-4', 'SES-LR-3', 'GEN-5'],
    seed: 'admin.md §Notes ("Admins implicitly have all permissions (not stored in database)")',
    actors: { boss: admin({ login: false }), door: connection('shaken') },
    run: async ({ boss, door }, t) => {
      const r = await door.login(credentials(boss, { features: [] })).expectSuccess();
      t.expectBody(r, { is_admin: true }, 'PERM-4', 'is_admin:true');
      t.expectBody(r, { permissions: [] }, 'PERM-4', 'an admin lists no permissions');
    },
  }),
]);
