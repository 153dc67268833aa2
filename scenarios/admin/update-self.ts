// seed admin.md §Self-Operations; rules.md §4.8 ADM-UPDATE-4, ADM-UPDATE-19, §5 SELF-1.
// A UserUpdate naming the requester's own account: only a password change, proven by the current one.
import { admin, check, connection, section, sessionOf, user } from '../../src/runner/api.ts';
import { credentials, loginBody, expectStored } from '../_lib.ts';

const NEW_PASSWORD = 'Self-New-Pa55word';

export default section({ id: 'admin/update-self', title: "UserUpdate of one's own account", seed: 'admin.md §Self-Operations' }, [
  check({
    id: 'password-change',
    title: 'A user without any permission changes its own password with the current one; live sessions stay, later Logins need the new one',
    rules: ['ADM-UPDATE-4', 'ADM-UPDATE-19', 'SELF-1', 'ADM-UPDATE-14'],
    errors: ['E-INVALID-CREDENTIALS'],
    seed: 'admin.md §Self-Operations ("Password Change")',
    actors: {
      me: user(),
      again: sessionOf('me'),
      oldDoor: connection('shaken'),
      newDoor: connection('shaken'),
    },
    run: async ({ me, again, oldDoor, newDoor }, t) => {
      const r = await me
        .request('UserUpdate', { username: me.username, current_password: me.password, requested_password: NEW_PASSWORD })
        .expectSuccess();
      t.expectBody(r, { username: me.username }, 'ADM-UPDATE-14', 'the reply names the account');
      await me.expectConnected();
      await again.expectConnected();
      await oldDoor.login(credentials(me, { features: [] })).expectError('E-INVALID-CREDENTIALS');
      await oldDoor.expectClosed();
      await newDoor.login(loginBody(me.username, NEW_PASSWORD, { features: [] })).expectSuccess();
    },
  }),

  check({
    id: 'current-password-required',
    title: 'A self-update without current_password fails with "Current password is required", even with no change field',
    rules: ['ADM-UPDATE-4', 'ADM-UPDATE-13a', 'SELF-1'],
    errors: ['E-CURRENT-PASSWORD-REQUIRED'],
    seed: 'admin.md §Self-Operations ("current_password is required for self-updates")',
    actors: { me: user(), boss: admin() },
    run: async ({ me, boss }) => {
      await me
        .request('UserUpdate', { username: me.username, requested_password: NEW_PASSWORD })
        .expectError('E-CURRENT-PASSWORD-REQUIRED');
      await me.request('UserUpdate', { username: me.username }).expectError('E-CURRENT-PASSWORD-REQUIRED');
      // Admins are no exception for their own account.
      await boss
        .request('UserUpdate', { username: boss.username, requested_password: NEW_PASSWORD })
        .expectError('E-CURRENT-PASSWORD-REQUIRED');
    },
  }),

  check({
    id: 'current-password-incorrect',
    title: 'A self-update with a wrong current_password fails with "Incorrect current password" and changes nothing',
    rules: ['ADM-UPDATE-4', 'GEN-9'],
    errors: ['E-CURRENT-PASSWORD-INCORRECT'],
    seed: 'admin.md §UserUpdate Errors ("Incorrect current password")',
    actors: { me: user(), door: connection('shaken') },
    run: async ({ me, door }) => {
      await me
        .request('UserUpdate', { username: me.username, current_password: `${me.password}-wrong`, requested_password: NEW_PASSWORD })
        .expectError('E-CURRENT-PASSWORD-INCORRECT');
      await me.request('UserUpdate', { username: me.username, current_password: 'x' }).expectError('E-CURRENT-PASSWORD-INCORRECT');
      await door.login(credentials(me, { features: [] })).expectSuccess();
    },
  }),

  check({
    id: 'no-other-self-changes',
    title: 'Nobody can rename, demote, disable or re-permission themselves, not even an admin with the right password',
    rules: ['ADM-UPDATE-4', 'SELF-1', 'ADMP-6', 'GEN-7', 'GEN-9'],
    errors: ['E-CANNOT-EDIT-SELF'],
    seed: 'admin.md §Self-Operations ("Users cannot … Demote themselves from admin")',
    actors: { boss: admin(), mod: user({ permissions: ['user_edit', 'user_list'] }) },
    run: async ({ boss, mod }, t) => {
      const self = { username: boss.username.toUpperCase(), current_password: boss.password };
      await boss.request('UserUpdate', { ...self, requested_is_admin: false }).expectError('E-CANNOT-EDIT-SELF');
      await boss.request('UserUpdate', { ...self, requested_enabled: false }).expectError('E-CANNOT-EDIT-SELF');
      await boss.request('UserUpdate', { ...self, requested_username: t.name('self') }).expectError('E-CANNOT-EDIT-SELF');
      await boss.request('UserUpdate', { ...self, requested_permissions: ['chat_send'] }).expectError('E-CANNOT-EDIT-SELF');
      await boss
        .request('UserUpdate', { ...self, requested_password: NEW_PASSWORD, requested_is_admin: true })
        .expectError('E-CANNOT-EDIT-SELF');
      await mod
        .request('UserUpdate', {
          username: mod.username,
          current_password: mod.password,
          requested_permissions: ['user_edit', 'user_kick'],
        })
        .expectError('E-CANNOT-EDIT-SELF');
      // Nothing changed: the admin is still an enabled admin.
      await expectStored(t, boss.username, { is_admin: true, enabled: true }, 'GEN-9', 'the admin is still an enabled admin');
    },
  }),

  check({
    id: 'no-op-with-current-password',
    title: 'A self-update carrying only the correct current_password succeeds',
    rules: ['ADM-UPDATE-13a', 'ADM-UPDATE-4', 'ADM-UPDATE-14'],
    seed: 'admin.md §UserUpdate',
    actors: { me: user() },
    run: async ({ me }, t) => {
      const r = await me.request('UserUpdate', { username: me.username, current_password: me.password }).expectSuccess();
      t.expectBody(r, { username: me.username }, 'ADM-UPDATE-14', 'the reply names the account');
    },
  }),
]);
