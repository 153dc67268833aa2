// seed admin.md §UserEdit, §Admin Protection Rules; rules.md §4.7 (ADM-EDIT-*).
// Fetching an account for editing: who may, whom, and what comes back.
import { admin, check, connection, section, setOf, shared, user, where } from '../../src/runner/api.ts';
import type { Observed } from '../../src/runner/api.ts';
import { ALL_PERMISSIONS } from '../../src/model/permissions.ts';
import { expectValidatorPastFrameLimit, requestAfterRemoval, storedAccount, expectStored } from '../_lib.ts';

/** What every refusal shares, whatever its carrier (typed response or Error). */
const REFUSED = where('an Error or a typed response with success:false', (r) => {
  const o = r as Observed | null;
  return o !== null && (o.type === 'Error' || o.body.success === false);
});

export default section({ id: 'admin/edit', title: 'UserEdit', seed: 'admin.md §UserEdit' }, [
  check({
    id: 'requires-login',
    title: 'UserEdit before Login is refused with "Not logged in" and the connection is closed',
    rules: ['ADM-EDIT-1', 'GEN-1'],
    errors: ['E-NOT-LOGGED-IN'],
    seed: 'users.md §Error Handling',
    actors: { shaken: connection('shaken'), target: user({ login: false }) },
    run: async ({ shaken, target }) => {
      await shaken.request('UserEdit', { username: target.username }).expectError('E-NOT-LOGGED-IN');
      await shaken.expectClosed();
    },
  }),

  check({
    id: 'returns-account',
    title: 'UserEdit returns the stored username, the flags and the stored permissions, looked up case-insensitively',
    rules: ['ADM-EDIT-6', 'GEN-7', 'GEN-8'],
    seed: 'admin.md §UserEditResponse',
    actors: {
      target: user({ name: 'EditMe', permissions: ['chat_send', 'user_info'] }),
      off: user({ login: false, enabled: false, permissions: ['news_list'] }),
      crowd: shared({ login: false, permissions: ['chat_receive'] }),
    },
    run: async ({ target, off, crowd }, t) => {
      const a = await storedAccount(t.admin, target.username.toUpperCase());
      t.expectBody(a, { username: target.username }, 'GEN-7', 'the stored casing is reported');
      t.expectBody(a, { is_admin: false, is_shared: false, enabled: true }, 'ADM-EDIT-6', 'regular, enabled, not admin');
      t.expectBody(a, { permissions: setOf(['chat_send', 'user_info']) }, 'ADM-EDIT-6', 'the stored permissions');
      await expectStored(
        t,
        off.username.toLowerCase(),
        { enabled: false, permissions: setOf(['news_list']) },
        'ADM-EDIT-6',
        'a disabled, offline account',
      );
      await expectStored(t, crowd.username, { is_shared: true, is_admin: false }, 'ADM-EDIT-6', 'a shared account');
      await target.expectConnected();
    },
  }),

  check({
    id: 'fetches-admin',
    title: 'An admin may fetch another admin account; it is reported with is_admin:true',
    rules: ['ADM-EDIT-6', 'ADMP-3', 'GEN-5'],
    seed: 'admin.md §Admin Protection Rules',
    actors: { boss: admin(), peer: admin({ login: false }) },
    run: async ({ boss, peer }, t) => {
      t.expectBody(await storedAccount(boss, peer.username), { is_admin: true }, 'ADM-EDIT-6', 'another admin');
    },
  }),

  check({
    id: 'cannot-edit-self',
    title: 'Nobody can fetch their own account with UserEdit, not even an admin; the self check comes before the permission',
    rules: ['ADM-EDIT-2', 'SELF-1', 'GEN-3', 'GEN-7'],
    errors: ['E-CANNOT-EDIT-SELF'],
    seed: 'admin.md §Self-Operations',
    actors: { boss: admin(), plain: user() },
    run: async ({ boss, plain }) => {
      await boss.request('UserEdit', { username: boss.username }).expectError('E-CANNOT-EDIT-SELF');
      await boss.request('UserEdit', { username: boss.username.toUpperCase() }).expectError('E-CANNOT-EDIT-SELF');
      // `plain` lacks user_edit, yet the self check answers first.
      await plain.request('UserEdit', { username: plain.username }).expectError('E-CANNOT-EDIT-SELF');
    },
  }),

  check({
    id: 'requires-user-edit',
    title: 'UserEdit needs user_edit: holding every other permission is not enough, holding it alone is',
    rules: ['ADM-EDIT-3', 'ADM-EDIT-6'],
    errors: ['E-PERMISSION-DENIED'],
    seed: 'admin.md §Permissions',
    actors: {
      without: user({ permissions: ALL_PERMISSIONS.filter((p) => p !== 'user_edit') }),
      holder: user({ permissions: ['user_edit'] }),
      target: user({ login: false, permissions: ['chat_send'] }),
    },
    run: async ({ without, holder, target }, t) => {
      await without.request('UserEdit', { username: target.username }).expectError('E-PERMISSION-DENIED');
      const r = await storedAccount(holder, target.username);
      t.expectBody(r, { permissions: setOf(['chat_send']) }, 'ADM-EDIT-6', 'a holder of user_edit sees the stored permissions');
    },
  }),

  check({
    id: 'unknown-account',
    title: 'UserEdit of an account that does not exist fails with "User not found", for admins and non-admins',
    rules: ['ADM-EDIT-4'],
    errors: ['E-USER-NOT-FOUND'],
    seed: 'admin.md §UserEditResponse',
    actors: { boss: admin(), mod: user({ permissions: ['user_edit'] }) },
    run: async ({ boss, mod }, t) => {
      await boss.request('UserEdit', { username: t.name('nobody') }).expectError('E-USER-NOT-FOUND');
      await mod.request('UserEdit', { username: t.name('nobody') }).expectError('E-USER-NOT-FOUND');
    },
  }),

  check({
    id: 'cannot-fetch-admin',
    title: 'A non-admin holding user_edit cannot fetch an admin account',
    rules: ['ADM-EDIT-5', 'ADMP-3'],
    errors: ['E-CANNOT-EDIT-ADMIN'],
    seed: 'admin.md §Admin Protection Rules ("Only admins can fetch admin details")',
    actors: { mod: user({ permissions: ['user_edit'] }), boss: admin() },
    run: async ({ mod, boss }) => {
      await mod.request('UserEdit', { username: boss.username }).expectError('E-CANNOT-EDIT-ADMIN');
      await mod.request('UserEdit', { username: boss.username.toLowerCase() }).expectError('E-CANNOT-EDIT-ADMIN');
    },
  }),

  check({
    id: 'username-validation',
    title: 'UserEdit validates the username; with several faults either documented check order is accepted',
    rules: ['ADM-EDIT-1', 'UND-1', 'VAL-USERNAME', 'WIRE-LIM-4'],
    errors: ['E-USERNAME-EMPTY', 'E-USERNAME-INVALID', 'E-USERNAME-TOO-LONG'],
    seed: 'admin.md §Username Validation',
    actors: { boss: admin(), nobody: user() },
    run: async ({ boss, nobody }, t) => {
      await boss.request('UserEdit', { username: '' }).expectError('E-USERNAME-EMPTY');
      await boss.request('UserEdit', { username: 'has space' }).expectError('E-USERNAME-INVALID');
      // UND-1: variant A validates first (E-USERNAME-EMPTY), variant B checks the permission
      // first (E-PERMISSION-DENIED). Both refuse; the model comparison accepts either.
      const r = await nobody.request('UserEdit', { username: '' });
      t.expectEqual(r, REFUSED, 'ADM-EDIT-1', 'an invalid username from a requester without user_edit');
      // Last: in `nexusd` the era's exact frame limit may answer this one with a framing error and
      // a close instead (WIRE-LIM-4); `spec` must reach the validator.
      await expectValidatorPastFrameLimit(boss, boss.request('UserEdit', { username: 'u'.repeat(33) }), 'E-USERNAME-TOO-LONG');
    },
  }),

  check({
    id: 'removed-session-invalid-username',
    title:
      'UserEdit with an invalid username on a removed session: either check order (E-USERNAME-EMPTY, or E-AUTHENTICATION and a close) is accepted',
    rules: ['ADM-EDIT-1', 'UND-1', 'GEN-2', 'SES-KICK-3', 'UND-6'],
    errors: ['E-USERNAME-EMPTY', 'E-AUTHENTICATION'],
    actors: { boss: admin(), victim: user({ permissions: ['user_edit'] }) },
    run: async ({ boss, victim }) => {
      // UND-1: variant A validates first, variant B answers GEN-2 first; in `nexusd` the socket may
      // still be open (SES-KICK-3). The runner predicts every allowed outcome; the connection ends either way.
      await boss.request('UserDelete', { username: victim.username }).expectSuccess();
      await requestAfterRemoval(victim, 'UserEdit', { username: '' });
    },
  }),

  check({
    id: 'removed-session',
    title: 'UserEdit on a connection whose account was deleted gets "Authentication error" and a close (or the socket is already closed)',
    rules: ['ADM-EDIT-1', 'GEN-2', 'SES-FORCE-1', 'UND-6'],
    errors: ['E-ACCOUNT-DELETED', 'E-AUTHENTICATION'],
    seed: 'users.md §Error Handling ("Authentication error / Invalid session")',
    actors: { boss: admin(), victim: user({ permissions: ['user_edit'] }), target: user({ login: false }) },
    run: async ({ boss, victim, target }) => {
      await boss.request('UserDelete', { username: victim.username }).expectSuccess();
      await victim.request('UserEdit', { username: target.username });
      await victim.expectClosed();
    },
  }),
]);
