// rules.md GEN-6 ("Permission and admin changes made by UserUpdate take effect immediately for all live
// sessions of the target account, including which broadcasts they receive"), BC-1, BC-2, BC-5.
// Each check changes a live session's rights and then shows the new rights at work; the runner
// compares every frame each actor receives (or must not receive) with the model.
import { admin, check, connection, section, sessionOf, user } from '../../src/runner/api.ts';
import { credentials } from '../_lib.ts';

export default section(
  { id: 'permissions/live', title: 'Permission changes take effect on live sessions', seed: 'admin.md §PermissionsUpdated' },
  [
    check({
      id: 'losing-user-list-stops-presence',
      title: 'After losing user_list a session no longer receives UserConnected; after regaining it, it receives UserDisconnected',
      rules: ['GEN-6', 'BC-1', 'BC-2', 'BC-5', 'SES-BC-1', 'SES-BC-3'],
      seed: 'users.md §Notes ("UserConnected and UserDisconnected are only sent to users with user_list permission")',
      actors: {
        boss: admin(),
        watcher: user({ permissions: ['user_list'] }),
        newcomer: user({ login: false }),
        door: connection('shaken'),
      },
      run: async ({ boss, watcher, newcomer, door }) => {
        await boss.request('UserUpdate', { username: watcher.username, requested_permissions: [] }).expectSuccess();
        await door.login(credentials(newcomer, { features: [] })).expectSuccess();
        // No UserConnected may have reached `watcher` before this round trip.
        await watcher.expectConnected();
        await boss.request('UserUpdate', { username: watcher.username, requested_permissions: ['user_list'] }).expectSuccess();
        // Now `watcher` must get the UserDisconnected of the newcomer (model comparison).
        await door.close();
        await watcher.expectConnected();
      },
    }),

    check({
      id: 'gaining-user-kick-allows-kick',
      title: 'A session denied UserKick can kick as soon as its account is given user_kick',
      rules: ['GEN-6', 'ADM-KICK-5', 'ADM-KICK-8', 'BC-5'],
      errors: ['E-PERMISSION-DENIED', 'E-KICKED-BY'],
      seed: 'admin.md §Permissions',
      actors: { boss: admin(), mod: user(), victim: user() },
      run: async ({ boss, mod, victim }, t) => {
        await mod.request('UserKick', { nickname: victim.nickname }).expectError('E-PERMISSION-DENIED');
        await boss.request('UserUpdate', { username: mod.username, requested_permissions: ['user_kick'] }).expectSuccess();
        await mod.request('UserKick', { nickname: victim.nickname }).expectSuccess();
        if (t.profile === 'spec') await victim.expectClosed();
      },
    }),

    check({
      id: 'losing-user-edit-denies-at-once',
      title: 'A session that loses user_edit is denied UserEdit on its very next request',
      rules: ['GEN-6', 'ADM-EDIT-3', 'BC-5'],
      errors: ['E-PERMISSION-DENIED'],
      seed: 'admin.md §Permissions',
      actors: { boss: admin(), mod: user({ permissions: ['user_edit'] }), target: user({ login: false }) },
      run: async ({ boss, mod, target }) => {
        await mod.request('UserEdit', { username: target.username }).expectSuccess();
        await boss.request('UserUpdate', { username: mod.username, requested_permissions: [] }).expectSuccess();
        await mod.request('UserEdit', { username: target.username }).expectError('E-PERMISSION-DENIED');
      },
    }),

    check({
      id: 'change-reaches-every-session',
      title: 'A permission change applies to every session of the account: both sessions start receiving UserConnected',
      rules: ['GEN-6', 'BC-5', 'BC-1'],
      seed: 'admin.md §Notes ("PermissionsUpdated is only sent to the affected user\'s sessions")',
      actors: {
        boss: admin(),
        target: user(),
        again: sessionOf('target'),
        newcomer: user({ login: false }),
        door: connection('shaken'),
      },
      run: async ({ boss, target, again, newcomer, door }) => {
        await boss.request('UserUpdate', { username: target.username, requested_permissions: ['user_list'] }).expectSuccess();
        await door.login(credentials(newcomer, { features: [] })).expectSuccess();
        await target.expectConnected();
        await again.expectConnected();
      },
    }),

    check({
      id: 'promotion-and-demotion-are-live',
      title: 'A promoted session passes permission checks at once; demoted again, it is refused at once',
      rules: ['GEN-6', 'GEN-5', 'ADM-UPDATE-14', 'ADM-SINFO-3'],
      errors: ['E-PERMISSION-DENIED', 'E-ADMIN-REQUIRED'],
      seed: 'admin.md §PermissionsUpdated ("Promoted to admin")',
      actors: { boss: admin(), riser: user(), target: user({ login: false }) },
      run: async ({ boss, riser, target }) => {
        await riser.request('UserEdit', { username: target.username }).expectError('E-PERMISSION-DENIED');
        await boss.request('UserUpdate', { username: riser.username, requested_is_admin: true }).expectSuccess();
        await riser.request('UserEdit', { username: target.username }).expectSuccess();
        await boss.request('UserUpdate', { username: riser.username, requested_is_admin: false }).expectSuccess();
        await riser.request('UserEdit', { username: target.username }).expectError('E-PERMISSION-DENIED');
        await riser.request('ServerInfoUpdate', { description: 'not any more' }).expectError('E-ADMIN-REQUIRED');
      },
    }),
  ],
);
