// seed admin.md §Permission Merging; rules.md §2.2 MERGE-1..4, MERGE-6. What a non-admin may grant.
// spec (seeds): requested names are intersected with the requester's own; nexusd: any unheld name
// refuses the whole request, and an update keeps the target's names the requester does not hold.
import { admin, check, section, user, setOf } from '../../src/runner/api.ts';
import { noStoredAccount, storedAccount, expectStored, accountBody } from '../_lib.ts';

/** A regular account with `permissions`. */
const account = (username: string, permissions: string[]) => accountBody(username, { permissions });

export default section({ id: 'permissions/merge', title: 'Permission merging and delegation', seed: 'admin.md §Permission Merging' }, [
  check({
    id: 'create-within-own-set',
    title: 'A non-admin may grant, on creation, any names it holds itself',
    rules: ['MERGE-1', 'ADM-CREATE-10'],
    seed: 'admin.md §Permission Merging ("They can only grant permissions they themselves possess")',
    actors: { mod: user({ permissions: ['user_create', 'chat_send', 'chat_receive', 'news_list'] }) },
    run: async ({ mod }, t) => {
      const name = t.name('sub');
      t.created(name);
      await mod.request('UserCreate', account(name, ['chat_send', 'news_list'])).expectSuccess();
      await expectStored(t, name, { permissions: setOf(['chat_send', 'news_list']) }, 'MERGE-1', 'the stored permissions');
    },
  }),

  check({
    id: 'create-intersects',
    title: 'spec: names a non-admin does not hold are dropped on creation ([chat_send, file_download] → [chat_send])',
    rules: ['MERGE-1', 'ADM-CREATE-10'],
    seed: 'admin.md §Permission Merging (example)',
    needs: { profile: 'spec' },
    actors: { mod: user({ permissions: ['user_create', 'chat_send', 'chat_receive', 'news_list'] }) },
    run: async ({ mod }, t) => {
      const name = t.name('cut');
      t.created(name);
      await mod.request('UserCreate', account(name, ['chat_send', 'file_download'])).expectSuccess();
      await expectStored(t, name, { permissions: setOf(['chat_send']) }, 'MERGE-1', 'the stored permissions');
    },
  }),

  check({
    id: 'create-rejects-unheld',
    title: 'nexusd: a non-admin requesting a name it does not hold on creation is denied, and nothing is created',
    rules: ['MERGE-1', 'ADM-CREATE-10', 'GEN-4', 'GEN-9'],
    errors: ['E-PERMISSION-DENIED', 'E-USER-NOT-FOUND'],
    seed: 'admin.md §Permission Merging',
    needs: { profile: 'nexusd' },
    actors: { mod: user({ permissions: ['user_create', 'chat_send', 'chat_receive', 'news_list'] }) },
    run: async ({ mod }, t) => {
      const name = t.name('cut');
      await mod.request('UserCreate', account(name, ['chat_send', 'file_download'])).expectError('E-PERMISSION-DENIED');
      await noStoredAccount(t.admin, name);
    },
  }),

  check({
    id: 'update-intersects',
    title: "spec: a non-admin's requested_permissions are intersected with its own and replace the target's set",
    rules: ['MERGE-2', 'ADM-UPDATE-11'],
    seed: 'admin.md §Permission Merging ("Requested permissions are intersected with their own")',
    needs: { profile: 'spec' },
    actors: {
      mod: user({ permissions: ['user_edit', 'chat_send', 'news_list'] }),
      target: user({ login: false, permissions: ['file_list', 'chat_send'] }),
    },
    run: async ({ mod, target }, t) => {
      await mod.request('UserUpdate', { username: target.username, requested_permissions: ['news_list', 'file_download'] }).expectSuccess();
      await expectStored(t, target.username, { permissions: setOf(['news_list']) }, 'MERGE-2', 'the stored permissions');
    },
  }),

  check({
    id: 'update-rejects-unheld-and-preserves',
    title: 'nexusd: an unheld requested name is denied; otherwise the target keeps the names the requester does not hold',
    rules: ['MERGE-2', 'ADM-UPDATE-11', 'GEN-4', 'GEN-9'],
    errors: ['E-PERMISSION-DENIED'],
    seed: 'admin.md §Permission Merging',
    needs: { profile: 'nexusd' },
    actors: {
      mod: user({ permissions: ['user_edit', 'chat_send', 'news_list'] }),
      target: user({ login: false, permissions: ['file_list', 'chat_send'] }),
    },
    run: async ({ mod, target }, t) => {
      await mod
        .request('UserUpdate', { username: target.username, requested_permissions: ['news_list', 'file_download'] })
        .expectError('E-PERMISSION-DENIED');
      await expectStored(
        t,
        target.username,
        { permissions: setOf(['file_list', 'chat_send']) },
        'GEN-9',
        'the refused update changed nothing',
      );
      await mod.request('UserUpdate', { username: target.username, requested_permissions: ['news_list'] }).expectSuccess();
      const r = await storedAccount(t.admin, target.username);
      // (current − requester's set) ∪ requested = ({file_list, chat_send} − {…chat_send, news_list}) ∪ {news_list}
      t.expectBody(r, { permissions: setOf(['file_list', 'news_list']) }, 'MERGE-2', 'the stored permissions');
    },
  }),

  check({
    id: 'update-within-own-set',
    title: "A non-admin may set another account's permissions to names it holds itself",
    rules: ['MERGE-2', 'ADM-UPDATE-11'],
    seed: 'admin.md §Permission Merging',
    actors: {
      mod: user({ permissions: ['user_edit', 'chat_send', 'news_list'] }),
      target: user({ login: false, permissions: ['chat_send'] }),
    },
    run: async ({ mod, target }, t) => {
      await mod.request('UserUpdate', { username: target.username, requested_permissions: ['chat_send', 'news_list'] }).expectSuccess();
      await expectStored(t, target.username, { permissions: setOf(['chat_send', 'news_list']) }, 'MERGE-2', 'the stored permissions');
    },
  }),

  check({
    id: 'admin-grants-anything',
    title: 'An admin grants exactly the requested names, on creation and on update, including ones it does not store',
    rules: ['MERGE-3', 'GEN-5'],
    seed: 'admin.md §Permission Merging ("Admins bypass this restriction")',
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      const name = t.name('granted');
      t.created(name);
      await boss.request('UserCreate', account(name, ['user_kick', 'file_root', 'news_delete'])).expectSuccess();
      await expectStored(t, name, { permissions: setOf(['user_kick', 'file_root', 'news_delete']) }, 'MERGE-3', 'the stored permissions');
      await boss.request('UserUpdate', { username: name, requested_permissions: ['connection_monitor'] }).expectSuccess();
      await expectStored(t, name, { permissions: setOf(['connection_monitor']) }, 'MERGE-3', 'the stored permissions');
      await boss.request('UserUpdate', { username: name, requested_permissions: [] }).expectSuccess();
      await expectStored(t, name, { permissions: setOf([]) }, 'MERGE-3', 'the stored permissions');
    },
  }),

  check({
    id: 'admin-flag-needs-admin',
    title: 'Granting admin status needs an admin, on creation and on update, whatever other permissions are held',
    rules: ['MERGE-6', 'ADMP-4', 'ADM-CREATE-6', 'ADM-UPDATE-9'],
    errors: ['E-PERMISSION-DENIED', 'E-CANNOT-CREATE-ADMIN', 'E-USER-NOT-FOUND'],
    seed: 'admin.md §Permissions ("Only admins can grant admin status")',
    actors: {
      editor: user({ permissions: ['user_edit', 'user_create', 'user_list'] }),
      creator: user({ permissions: ['user_create', 'user_edit'] }),
      target: user({ login: false }),
    },
    run: async ({ editor, creator, target }, t) => {
      await editor.request('UserUpdate', { username: target.username, requested_is_admin: true }).expectError('E-PERMISSION-DENIED');
      // Last, as nexusd closes the connection after this one (ADM-CREATE-6).
      const name = t.name('wannabe');
      await creator.request('UserCreate', { ...account(name, []), is_admin: true }).expectError('E-CANNOT-CREATE-ADMIN');
      await noStoredAccount(t.admin, name);
      await expectStored(t, target.username, { is_admin: false }, 'MERGE-6', 'the target is not admin');
    },
  }),
]);
