// seed admin.md §UserUpdate, §Admin Protection Rules, §Permissions; rules.md §4.8 (ADM-UPDATE-*).
// Updating someone else's account: permission, protection, validation, the apply step and its order.
// Self-updates: update-self.ts; broadcasts and live effects: update-broadcasts.ts.
import { admin, check, connection, section, user, setOf, ANY, oneOf } from '../../src/runner/api.ts';
import { ALL_PERMISSIONS } from '../../src/model/permissions.ts';
import { credentials, loginBody, noStoredAccount, storedAccount, expectStored } from '../_lib.ts';

const NEW_PASSWORD = 'Updated-Pa55word';

export default section({ id: 'admin/update', title: 'UserUpdate of another account', seed: 'admin.md §UserUpdate' }, [
  check({
    id: 'requires-login',
    title: 'UserUpdate before Login is refused with "Not logged in" and the connection is closed',
    rules: ['ADM-UPDATE-1', 'GEN-1'],
    errors: ['E-NOT-LOGGED-IN'],
    seed: 'users.md §Error Handling',
    actors: { shaken: connection('shaken'), target: user({ login: false }) },
    run: async ({ shaken, target }) => {
      await shaken.request('UserUpdate', { username: target.username, requested_enabled: false }).expectError('E-NOT-LOGGED-IN');
      await shaken.expectClosed();
    },
  }),

  check({
    id: 'target-username-validation',
    title: 'UserUpdate validates the target username: empty, invalid characters, more than 32 characters',
    rules: ['ADM-UPDATE-2', 'VAL-USERNAME'],
    errors: ['E-USERNAME-EMPTY', 'E-USERNAME-INVALID', 'E-USERNAME-TOO-LONG'],
    seed: 'admin.md §Username Validation',
    actors: { boss: admin() },
    run: async ({ boss }) => {
      await boss.request('UserUpdate', { username: '', requested_enabled: true }).expectError('E-USERNAME-EMPTY');
      await boss.request('UserUpdate', { username: 'has space', requested_enabled: true }).expectError('E-USERNAME-INVALID');
      await boss.request('UserUpdate', { username: 'u'.repeat(33), requested_enabled: true }).expectError('E-USERNAME-TOO-LONG');
    },
  }),

  check({
    id: 'requires-user-edit',
    title: 'Updating another account needs user_edit: holding every other permission is not enough, holding it is',
    rules: ['ADM-UPDATE-5', 'GEN-4', 'GEN-9', 'MERGE-2'],
    errors: ['E-PERMISSION-DENIED'],
    seed: 'admin.md §UserUpdate Errors',
    actors: {
      without: user({ permissions: ALL_PERMISSIONS.filter((p) => p !== 'user_edit') }),
      holder: user({ permissions: ['user_edit', 'chat_send'] }),
      target: user({ login: false }),
    },
    run: async ({ without, holder, target }, t) => {
      await without
        .request('UserUpdate', { username: target.username, requested_permissions: ['chat_send'] })
        .expectError('E-PERMISSION-DENIED');
      await expectStored(t, target.username, { permissions: setOf([]) }, 'GEN-9', 'the refused update changed nothing');
      await holder.request('UserUpdate', { username: target.username, requested_permissions: ['chat_send'] }).expectSuccess();
      await expectStored(
        t,
        target.username,
        { permissions: setOf(['chat_send']) },
        'ADM-UPDATE-5',
        'the holder of user_edit changed the permissions',
      );
    },
  }),

  check({
    id: 'unknown-account',
    title: 'UserUpdate of an account that does not exist fails with "User not found", for non-admins and admins',
    rules: ['ADM-UPDATE-5', 'ADM-UPDATE-10'],
    errors: ['E-USER-NOT-FOUND'],
    seed: 'admin.md §UserUpdate Errors',
    actors: { mod: user({ permissions: ['user_edit'] }), boss: admin() },
    run: async ({ mod, boss }, t) => {
      await mod.request('UserUpdate', { username: t.name('nobody'), requested_enabled: false }).expectError('E-USER-NOT-FOUND');
      await boss.request('UserUpdate', { username: t.name('nobody'), requested_enabled: false }).expectError('E-USER-NOT-FOUND');
    },
  }),

  check({
    id: 'cannot-edit-admin',
    title: 'A non-admin holding user_edit cannot update an admin account; another admin can',
    rules: ['ADM-UPDATE-5', 'ADMP-3', 'GEN-3', 'ADM-UPDATE-13'],
    errors: ['E-CANNOT-EDIT-ADMIN'],
    seed: 'admin.md §Admin Protection Rules ("Only admins can edit admins")',
    actors: {
      mod: user({ permissions: ['user_edit'] }),
      boss: admin(),
      peer: admin({ login: false }),
      door: connection('shaken'),
    },
    run: async ({ mod, boss, peer, door }) => {
      await mod.request('UserUpdate', { username: peer.username, requested_password: NEW_PASSWORD }).expectError('E-CANNOT-EDIT-ADMIN');
      // Admin protection (ADM-UPDATE-5) answers before the admin-flag check (ADM-UPDATE-9).
      await mod.request('UserUpdate', { username: peer.username, requested_is_admin: false }).expectError('E-CANNOT-EDIT-ADMIN');
      await boss.request('UserUpdate', { username: peer.username, requested_password: NEW_PASSWORD }).expectSuccess();
      await door.login(loginBody(peer.username, NEW_PASSWORD, { features: [] })).expectSuccess();
    },
  }),

  check({
    id: 'requested-username-validation',
    title: 'A requested new username is validated like any username, and a refused rename changes nothing',
    rules: ['ADM-UPDATE-6', 'VAL-USERNAME', 'GEN-9'],
    errors: ['E-USERNAME-EMPTY', 'E-USERNAME-INVALID', 'E-USERNAME-TOO-LONG'],
    seed: 'admin.md §Username Validation',
    actors: { boss: admin(), target: user({ login: false }) },
    run: async ({ boss, target }, t) => {
      await boss.request('UserUpdate', { username: target.username, requested_username: '' }).expectError('E-USERNAME-EMPTY');
      await boss.request('UserUpdate', { username: target.username, requested_username: 'has space' }).expectError('E-USERNAME-INVALID');
      await boss
        .request('UserUpdate', { username: target.username, requested_username: 'u'.repeat(33) })
        .expectError('E-USERNAME-TOO-LONG');
      await expectStored(t, target.username, { username: target.username }, 'GEN-9', 'the account keeps its name');
    },
  }),

  check({
    id: 'cannot-grant-admin',
    title: 'Only an admin may send requested_is_admin, whatever its value; an admin can grant it',
    rules: ['ADM-UPDATE-9', 'MERGE-6', 'ADMP-4', 'ADM-UPDATE-13a', 'GEN-4', 'GEN-9'],
    errors: ['E-PERMISSION-DENIED'],
    seed: 'admin.md §Permissions ("Only admins can grant admin status")',
    actors: { mod: user({ permissions: ['user_edit'] }), boss: admin(), target: user({ login: false }) },
    run: async ({ mod, boss, target }, t) => {
      await mod.request('UserUpdate', { username: target.username, requested_is_admin: true }).expectError('E-PERMISSION-DENIED');
      // Even the unchanged value is refused (ADM-UPDATE-13a).
      await mod.request('UserUpdate', { username: target.username, requested_is_admin: false }).expectError('E-PERMISSION-DENIED');
      await expectStored(t, target.username, { is_admin: false }, 'GEN-9', 'the account is still not admin');
      await boss.request('UserUpdate', { username: target.username, requested_is_admin: true }).expectSuccess();
      await expectStored(t, target.username, { is_admin: true }, 'ADMP-4', 'an admin granted admin status');
    },
  }),

  check({
    id: 'permissions-validation',
    title: 'requested_permissions is validated: count, empty names, length, newlines, control characters',
    rules: ['ADM-UPDATE-11', 'VAL-PERMISSIONS'],
    errors: [
      'E-PERMISSIONS-TOO-MANY',
      'E-PERMISSIONS-EMPTY-PERMISSION',
      'E-PERMISSIONS-PERMISSION-TOO-LONG',
      'E-PERMISSIONS-CONTAINS-NEWLINES',
      'E-PERMISSIONS-INVALID-CHARACTERS',
    ],
    seed: 'admin.md §UserUpdate',
    actors: { boss: admin(), target: user({ login: false }) },
    run: async ({ boss, target }) => {
      const update = (requested_permissions: string[]) => boss.request('UserUpdate', { username: target.username, requested_permissions });
      await update(Array.from({ length: 81 }, () => 'user_list')).expectError('E-PERMISSIONS-TOO-MANY');
      await update(['']).expectError('E-PERMISSIONS-EMPTY-PERMISSION');
      await update(['z'.repeat(33)]).expectError('E-PERMISSIONS-PERMISSION-TOO-LONG');
      await update(['chat\nsend']).expectError('E-PERMISSIONS-CONTAINS-NEWLINES');
      await update(['chat\u0000send']).expectError('E-PERMISSIONS-INVALID-CHARACTERS');
    },
  }),

  check({
    id: 'unknown-permissions-ignored',
    title: 'Unknown names in requested_permissions are silently dropped',
    rules: ['MERGE-4', 'ADM-UPDATE-11', 'PERM-2'],
    seed: 'admin.md §UserUpdate',
    actors: { boss: admin(), target: user({ login: false }) },
    run: async ({ boss, target }, t) => {
      await boss
        .request('UserUpdate', { username: target.username, requested_permissions: ['chat_send', 'zz_not_a_permission'] })
        .expectSuccess();
      await expectStored(t, target.username, { permissions: setOf(['chat_send']) }, 'MERGE-4', 'the stored permissions');
    },
  }),

  check({
    id: 'password-validation',
    title: 'A new password of more than 256 characters is refused; a blank one means "no change"; 256 characters are accepted',
    rules: ['ADM-UPDATE-12', 'VAL-PASSWORD', 'ADM-UPDATE-13a'],
    errors: ['E-PASSWORD-TOO-LONG'],
    seed: 'admin.md §UserUpdate',
    actors: {
      boss: admin(),
      target: user({ login: false }),
      oldDoor: connection('shaken'),
      newDoor: connection('shaken'),
    },
    run: async ({ boss, target, oldDoor, newDoor }) => {
      await boss
        .request('UserUpdate', { username: target.username, requested_password: 'p'.repeat(257) })
        .expectError('E-PASSWORD-TOO-LONG');
      await boss.request('UserUpdate', { username: target.username, requested_password: '' }).expectSuccess();
      await boss.request('UserUpdate', { username: target.username, requested_password: '   ' }).expectSuccess();
      // Neither blank request changed the password.
      await oldDoor.login(credentials(target, { features: [] })).expectSuccess();
      await boss.request('UserUpdate', { username: target.username, requested_password: 'p'.repeat(256) }).expectSuccess();
      await newDoor.login(loginBody(target.username, 'p'.repeat(256), { features: [] })).expectSuccess();
    },
  }),

  check({
    id: 'rename',
    title: 'An admin renames an account; the reply carries the new name as sent and the old name is gone',
    rules: ['ADM-UPDATE-13', 'ADM-UPDATE-14', 'GEN-7'],
    errors: ['E-USER-NOT-FOUND'],
    seed: 'admin.md §UserUpdate ("Rename user")',
    actors: { boss: admin(), target: user({ login: false }) },
    run: async ({ boss, target }, t) => {
      const renamed = t.name('Renamed');
      t.created(renamed);
      const r = await boss.request('UserUpdate', { username: target.username, requested_username: renamed }).expectSuccess();
      t.expectBody(r, { username: renamed }, 'ADM-UPDATE-14', 'the reply names the new account name');
      await noStoredAccount(t.admin, target.username);
      await expectStored(t, renamed.toLowerCase(), { username: renamed }, 'GEN-7', 'the new name is stored with the casing sent');
      await boss.request('UserUpdate', { username: renamed, requested_username: target.username }).expectSuccess();
    },
  }),

  check({
    id: 'rename-case-only',
    title: 'Renaming an account to a case variant of its own name succeeds or fails with "Username already exists" (undetermined)',
    rules: ['ADM-UPDATE-13', 'ADM-UPDATE-14', 'ADM-UPDATE-16', 'GEN-7'],
    errors: ['E-USERNAME-EXISTS'],
    actors: { boss: admin(), target: user(), watcher: user({ permissions: ['user_list'] }) },
    run: async ({ boss, target, watcher }, t) => {
      // The runner predicts both outcomes (renamed, with its broadcasts; or E-USERNAME-EXISTS and
      // nothing else) and follows the one the target shows; UserEdit then reports the stored casing.
      const variant = target.username.toUpperCase();
      const r = await boss.request('UserUpdate', { username: target.username, requested_username: variant });
      t.expectEqual(r, ANY, 'ADM-UPDATE-13', 'the answer to the case-only rename');
      const e = await storedAccount(t.admin, target.username);
      const stored = r?.body.success === true ? variant : target.username;
      t.expectBody(e, { username: stored }, 'ADM-UPDATE-13', 'the stored casing follows the answer');
      await target.expectConnected();
      await watcher.expectConnected();
    },
  }),

  check({
    id: 'rename-to-existing',
    title: 'Renaming to a name another account holds, in any casing, or to guest fails with "Username already exists"',
    rules: ['ADM-UPDATE-13', 'GEN-7', 'GUEST-1', 'GEN-9'],
    errors: ['E-USERNAME-EXISTS'],
    seed: 'admin.md §UserUpdate Errors',
    actors: { boss: admin(), target: user({ login: false }), other: user({ login: false }) },
    run: async ({ boss, target, other }, t) => {
      await boss
        .request('UserUpdate', { username: target.username, requested_username: other.username.toUpperCase() })
        .expectError('E-USERNAME-EXISTS');
      await boss.request('UserUpdate', { username: target.username, requested_username: 'Guest' }).expectError('E-USERNAME-EXISTS');
      await expectStored(t, target.username, { username: target.username }, 'GEN-9', 'the account keeps its name');
    },
  }),

  check({
    id: 'no-change-update',
    title: 'A UserUpdate with no change field, or only current values, succeeds and names the account (as sent, or stored in spec)',
    rules: ['ADM-UPDATE-13a', 'ADM-UPDATE-14', 'ADM-UPDATE-16', 'BC-3', 'BC-5', 'UND-16'],
    seed: 'admin.md §UserUpdate ("Only include fields you want to change")',
    actors: { boss: admin(), target: user({ permissions: ['chat_send'] }), watcher: user({ permissions: ['user_list'] }) },
    run: async ({ boss, target, watcher }, t) => {
      const asSent = target.username.toUpperCase();
      const r = await boss.request('UserUpdate', { username: asSent }).expectSuccess();
      // ADM-UPDATE-14: nexusd echoes the name as sent; UND-16: spec may also answer the stored name.
      const allowed = t.profile === 'spec' ? [asSent, target.username] : [asSent];
      t.expectBody(r, { username: oneOf(allowed) }, 'ADM-UPDATE-14', 'the reply names the account');
      // Same values again: allowed; PermissionsUpdated/UserUpdated follow the profile (model).
      await boss
        .request('UserUpdate', {
          username: target.username,
          requested_enabled: true,
          requested_is_admin: false,
          requested_permissions: ['chat_send'],
        })
        .expectSuccess();
      await target.expectConnected();
      await watcher.expectConnected();
    },
  }),

  check({
    id: 'admin-ignores-current-password',
    title: "An admin changing another account's password needs no current_password; a wrong one is ignored",
    rules: ['ADM-UPDATE-5', 'ADM-UPDATE-13'],
    seed: 'admin.md §Self-Operations ("Admins updating other users don\'t need current_password")',
    actors: { boss: admin(), target: user({ login: false }), door: connection('shaken') },
    run: async ({ boss, target, door }) => {
      await boss
        .request('UserUpdate', { username: target.username, current_password: 'certainly-wrong', requested_password: NEW_PASSWORD })
        .expectSuccess();
      await door.login(loginBody(target.username, NEW_PASSWORD, { features: [] })).expectSuccess();
    },
  }),

  check({
    id: 'refused-update-changes-nothing',
    title: 'A UserUpdate refused by a late check applies none of its other fields',
    rules: ['GEN-9', 'ADM-UPDATE-11', 'ADM-UPDATE-12'],
    errors: ['E-PERMISSIONS-PERMISSION-TOO-LONG', 'E-PASSWORD-TOO-LONG'],
    seed: 'admin.md §UserUpdate',
    actors: { boss: admin(), target: user({ login: false, permissions: ['news_list'] }) },
    run: async ({ boss, target }, t) => {
      const renamed = t.name('never');
      await boss
        .request('UserUpdate', {
          username: target.username,
          requested_username: renamed,
          requested_enabled: false,
          requested_permissions: ['z'.repeat(33)],
        })
        .expectError('E-PERMISSIONS-PERMISSION-TOO-LONG');
      await boss
        .request('UserUpdate', {
          username: target.username,
          requested_username: renamed,
          requested_enabled: false,
          requested_permissions: ['chat_send'],
          requested_password: 'p'.repeat(257),
        })
        .expectError('E-PASSWORD-TOO-LONG');
      await noStoredAccount(t.admin, renamed);
      const r = await storedAccount(t.admin, target.username);
      t.expectBody(r, { enabled: true }, 'GEN-9', 'still enabled');
      t.expectBody(r, { permissions: setOf(['news_list']) }, 'GEN-9', 'permissions unchanged');
    },
  }),

  check({
    id: 'check-order',
    title:
      'UserUpdate checks in order: permission, new username, guest rename, guest password, admin flag, target, permissions, password, apply',
    rules: [
      'GEN-3',
      'ADM-UPDATE-5',
      'ADM-UPDATE-6',
      'ADM-UPDATE-7',
      'ADM-UPDATE-8',
      'ADM-UPDATE-9',
      'ADM-UPDATE-10',
      'ADM-UPDATE-11',
      'ADM-UPDATE-12',
      'ADM-UPDATE-13',
    ],
    errors: [
      'E-PERMISSION-DENIED',
      'E-USERNAME-INVALID',
      'E-CANNOT-RENAME-GUEST',
      'E-CANNOT-CHANGE-GUEST-PASSWORD',
      'E-USER-NOT-FOUND',
      'E-PERMISSIONS-EMPTY-PERMISSION',
      'E-PASSWORD-TOO-LONG',
    ],
    seed: 'admin.md §UserUpdate Errors',
    actors: {
      nobody: user(),
      mod: user({ permissions: ['user_edit'] }),
      boss: admin(),
      target: user({ login: false }),
      other: user({ login: false }),
    },
    run: async ({ nobody, mod, boss, target, other }, t) => {
      const ghost = t.name('ghost');
      // ADM-UPDATE-5 (permission) before ADM-UPDATE-6 (new username).
      await nobody.request('UserUpdate', { username: target.username, requested_username: 'bad name' }).expectError('E-PERMISSION-DENIED');
      // ADM-UPDATE-6 before ADM-UPDATE-7 (guest rename) and before ADM-UPDATE-10 (target exists).
      await boss.request('UserUpdate', { username: 'guest', requested_username: 'bad name' }).expectError('E-USERNAME-INVALID');
      await boss.request('UserUpdate', { username: ghost, requested_username: 'bad name' }).expectError('E-USERNAME-INVALID');
      // ADM-UPDATE-7 before ADM-UPDATE-8, ADM-UPDATE-8 before ADM-UPDATE-12.
      await boss
        .request('UserUpdate', { username: 'guest', requested_username: t.name('g'), requested_password: 'x' })
        .expectError('E-CANNOT-RENAME-GUEST');
      await boss
        .request('UserUpdate', { username: 'guest', requested_password: 'p'.repeat(257) })
        .expectError('E-CANNOT-CHANGE-GUEST-PASSWORD');
      // Non-admins meet "not found" in ADM-UPDATE-5, before the admin-flag check of ADM-UPDATE-9 ...
      await mod.request('UserUpdate', { username: ghost, requested_is_admin: true }).expectError('E-USER-NOT-FOUND');
      // ... and ADM-UPDATE-9 comes before the permission list of ADM-UPDATE-11.
      await mod
        .request('UserUpdate', { username: target.username, requested_is_admin: true, requested_permissions: [''] })
        .expectError('E-PERMISSION-DENIED');
      // ADM-UPDATE-10 before ADM-UPDATE-11; ADM-UPDATE-11 before ADM-UPDATE-12; ADM-UPDATE-12 before the apply step.
      await boss.request('UserUpdate', { username: ghost, requested_permissions: [''] }).expectError('E-USER-NOT-FOUND');
      await boss
        .request('UserUpdate', { username: target.username, requested_permissions: [''], requested_password: 'p'.repeat(257) })
        .expectError('E-PERMISSIONS-EMPTY-PERMISSION');
      await boss
        .request('UserUpdate', { username: target.username, requested_password: 'p'.repeat(257), requested_username: other.username })
        .expectError('E-PASSWORD-TOO-LONG');
    },
  }),

  check({
    id: 'removed-session',
    title:
      'UserUpdate on a connection whose account was disabled gets "Authentication error" and a close (or the socket is already closed)',
    rules: ['ADM-UPDATE-3', 'GEN-2', 'SES-FORCE-2', 'UND-6', 'GEN-9'],
    errors: ['E-ACCOUNT-DISABLED-BY-ADMIN', 'E-AUTHENTICATION'],
    seed: 'users.md §Error Handling ("Authentication error / Invalid session")',
    actors: { boss: admin(), victim: user({ permissions: ['user_edit'] }), target: user({ login: false }) },
    run: async ({ boss, victim, target }, t) => {
      await boss.request('UserUpdate', { username: victim.username, requested_enabled: false }).expectSuccess();
      await victim.request('UserUpdate', { username: target.username, requested_enabled: false });
      await victim.expectClosed();
      await expectStored(t, target.username, { enabled: true }, 'GEN-9', 'the removed session changed nothing');
    },
  }),
]);
