// seed admin.md §UserDelete, §Admin Protection Rules, §Guest Account; rules.md §4.9 (ADM-DELETE-*),
// session.md SES-FORCE-1/3.
import { admin, check, connection, section, sessionOf, user } from '../../src/runner/api.ts';
import { ALL_PERMISSIONS } from '../../src/model/permissions.ts';
import { expectValidatorPastFrameLimit, credentials, noStoredAccount, storedAccount } from '../_lib.ts';

export default section({ id: 'admin/delete', title: 'UserDelete', seed: 'admin.md §UserDelete' }, [
  check({
    id: 'requires-login',
    title: 'UserDelete before Login is refused with "Not logged in" and the connection is closed',
    rules: ['ADM-DELETE-1', 'GEN-1'],
    errors: ['E-NOT-LOGGED-IN'],
    seed: 'users.md §Error Handling',
    actors: { shaken: connection('shaken'), target: user({ login: false }) },
    run: async ({ shaken, target }, t) => {
      await shaken.request('UserDelete', { username: target.username }).expectError('E-NOT-LOGGED-IN');
      await shaken.expectClosed();
      await storedAccount(t.admin, target.username);
    },
  }),

  check({
    id: 'username-validation',
    title: 'UserDelete validates the username: empty, invalid characters, more than 32 characters',
    rules: ['ADM-DELETE-2', 'VAL-USERNAME', 'WIRE-LIM-4'],
    errors: ['E-USERNAME-EMPTY', 'E-USERNAME-INVALID', 'E-USERNAME-TOO-LONG'],
    seed: 'admin.md §Username Validation',
    actors: { boss: admin() },
    run: async ({ boss }) => {
      await boss.request('UserDelete', { username: '' }).expectError('E-USERNAME-EMPTY');
      await boss.request('UserDelete', { username: 'has space' }).expectError('E-USERNAME-INVALID');
      // Last: `nexusd`'s exact frame limit may answer with a framing error and a close (WIRE-LIM-4).
      await expectValidatorPastFrameLimit(boss, boss.request('UserDelete', { username: 'u'.repeat(33) }), 'E-USERNAME-TOO-LONG');
    },
  }),

  check({
    id: 'cannot-delete-self',
    title: 'Nobody can delete their own account, in any casing; the self check comes before the permission',
    rules: ['ADM-DELETE-4', 'SELF-1', 'GEN-3', 'GEN-7'],
    errors: ['E-CANNOT-DELETE-SELF'],
    seed: 'admin.md §Self-Operations ("Users cannot: Delete their own account")',
    actors: { boss: admin(), plain: user() },
    run: async ({ boss, plain }, t) => {
      await boss.request('UserDelete', { username: boss.username }).expectError('E-CANNOT-DELETE-SELF');
      await boss.request('UserDelete', { username: boss.username.toUpperCase() }).expectError('E-CANNOT-DELETE-SELF');
      await plain.request('UserDelete', { username: plain.username }).expectError('E-CANNOT-DELETE-SELF');
      await boss.expectConnected();
      await plain.expectConnected();
      await storedAccount(t.admin, boss.username);
    },
  }),

  check({
    id: 'cannot-delete-guest',
    title: 'The guest account cannot be deleted, in any casing; this answer comes before the permission check',
    rules: ['ADM-DELETE-5', 'GUEST-1', 'GEN-3'],
    errors: ['E-CANNOT-DELETE-GUEST'],
    seed: 'admin.md §Guest Account ("Deletable: No")',
    actors: { boss: admin(), plain: user() },
    run: async ({ boss, plain }, t) => {
      await boss.request('UserDelete', { username: 'guest' }).expectError('E-CANNOT-DELETE-GUEST');
      await boss.request('UserDelete', { username: 'GUEST' }).expectError('E-CANNOT-DELETE-GUEST');
      await plain.request('UserDelete', { username: 'Guest' }).expectError('E-CANNOT-DELETE-GUEST');
      await storedAccount(t.admin, 'guest');
    },
  }),

  check({
    id: 'requires-user-delete',
    title: 'UserDelete needs user_delete: holding every other permission is not enough, holding it alone is',
    rules: ['ADM-DELETE-6', 'ADM-DELETE-11', 'GEN-9'],
    errors: ['E-PERMISSION-DENIED', 'E-USER-NOT-FOUND'],
    seed: 'admin.md §Permissions',
    actors: {
      without: user({ permissions: ALL_PERMISSIONS.filter((p) => p !== 'user_delete') }),
      holder: user({ permissions: ['user_delete'] }),
      target: user({ login: false }),
    },
    run: async ({ without, holder, target }, t) => {
      await without.request('UserDelete', { username: target.username }).expectError('E-PERMISSION-DENIED');
      await storedAccount(t.admin, target.username);
      const r = await holder.request('UserDelete', { username: target.username }).expectSuccess();
      t.expectBody(r, { username: target.username }, 'ADM-DELETE-11', 'the reply names the deleted account');
      await noStoredAccount(t.admin, target.username);
    },
  }),

  check({
    id: 'unknown-account',
    title: 'UserDelete of an account that does not exist fails with "User not found"',
    rules: ['ADM-DELETE-7'],
    errors: ['E-USER-NOT-FOUND'],
    seed: 'admin.md §UserDelete Errors',
    actors: { boss: admin(), mod: user({ permissions: ['user_delete'] }) },
    run: async ({ boss, mod }, t) => {
      await boss.request('UserDelete', { username: t.name('nobody') }).expectError('E-USER-NOT-FOUND');
      await mod.request('UserDelete', { username: t.name('nobody') }).expectError('E-USER-NOT-FOUND');
    },
  }),

  check({
    id: 'cannot-delete-admin',
    title: 'A non-admin holding user_delete cannot delete an admin; an admin can',
    rules: ['ADM-DELETE-8', 'ADMP-2', 'ADM-DELETE-10', 'ADM-DELETE-11'],
    errors: ['E-CANNOT-DELETE-ADMIN', 'E-USER-NOT-FOUND'],
    seed: 'admin.md §Admin Protection Rules ("Only admins can delete admins")',
    actors: { mod: user({ permissions: ['user_delete'] }), boss: admin(), peer: admin({ login: false }) },
    run: async ({ mod, boss, peer }, t) => {
      await mod.request('UserDelete', { username: peer.username }).expectError('E-CANNOT-DELETE-ADMIN');
      await mod.request('UserDelete', { username: boss.username }).expectError('E-CANNOT-DELETE-ADMIN');
      await storedAccount(t.admin, peer.username);
      await boss.request('UserDelete', { username: peer.username }).expectSuccess();
      await noStoredAccount(t.admin, peer.username);
    },
  }),

  check({
    id: 'delete-online-account',
    title:
      'Deleting an online account ends every session with "Your account has been deleted"; user_list holders see them go; Login then fails',
    rules: ['ADM-DELETE-9', 'ADM-DELETE-11', 'SES-FORCE-1', 'SES-FORCE-3', 'BC-7', 'BC-2', 'UND-6', 'SES-KICK-3', 'GEN-7'],
    errors: ['E-ACCOUNT-DELETED', 'E-INVALID-CREDENTIALS'],
    seed: 'admin.md §UserDelete',
    actors: {
      boss: admin(),
      target: user({ name: 'DoomedUser' }),
      again: sessionOf('target'),
      watcher: user({ permissions: ['user_list'] }),
      bystander: user(),
      door: connection('shaken'),
    },
    run: async ({ boss, target, again, watcher, bystander, door }, t) => {
      const r = await boss.request('UserDelete', { username: target.username.toLowerCase() }).expectSuccess();
      t.expectBody(r, { username: target.username }, 'ADM-DELETE-11', 'the reply names the stored username');
      if (t.profile === 'spec') {
        await target.expectClosed();
        await again.expectClosed();
      }
      await watcher.expectConnected();
      await bystander.expectConnected();
      await door.login(credentials(target, { features: [] })).expectError('E-INVALID-CREDENTIALS');
      await door.expectClosed();
    },
  }),

  check({
    id: 'delete-offline-account',
    title: 'Deleting an offline account broadcasts nothing',
    rules: ['ADM-DELETE-10', 'ADM-DELETE-11'],
    seed: 'admin.md §UserDelete',
    actors: { boss: admin(), target: user({ login: false }), watcher: user({ permissions: ['user_list'] }), bystander: user() },
    run: async ({ boss, target, watcher, bystander }) => {
      await boss.request('UserDelete', { username: target.username }).expectSuccess();
      await watcher.expectConnected();
      await bystander.expectConnected();
    },
  }),

  check({
    id: 'removed-session',
    title: 'UserDelete on a connection whose session was kicked gets "Authentication error" and a close (or the socket is already closed)',
    rules: ['ADM-DELETE-3', 'GEN-2', 'SES-KICK-3', 'UND-6', 'GEN-9'],
    errors: ['E-KICKED-BY', 'E-AUTHENTICATION'],
    seed: 'users.md §Error Handling ("Authentication error / Invalid session")',
    actors: { boss: admin(), victim: user({ permissions: ['user_delete'] }), target: user({ login: false }) },
    run: async ({ boss, victim, target }, t) => {
      await boss.request('UserKick', { nickname: victim.nickname }).expectSuccess();
      await victim.request('UserDelete', { username: target.username });
      await victim.expectClosed();
      await storedAccount(t.admin, target.username);
    },
  }),
]);
