// seed admin.md §UserCreate, §Permission Merging, §Username Validation; rules.md §4.6 (ADM-CREATE-*).
// Who may create which account, what is validated in which order, and that creating is silent.
import { ANY, admin, check, connection, section, setOf, shared, user } from '../../src/runner/api.ts';
import { ALL_PERMISSIONS } from '../../src/model/permissions.ts';
import { accountBody, CREATED_PASSWORD, loginBody, noStoredAccount, storedAccount, usersOf } from '../_lib.ts';

export default section({ id: 'admin/create', title: 'UserCreate', seed: 'admin.md §UserCreate' }, [
  check({
    id: 'requires-login',
    title: 'UserCreate before Login is refused with "Not logged in" and the connection is closed',
    rules: ['ADM-CREATE-1', 'GEN-1'],
    errors: ['E-NOT-LOGGED-IN'],
    seed: 'users.md §Error Handling',
    actors: { fresh: connection('new'), shaken: connection('shaken') },
    run: async ({ fresh, shaken }, t) => {
      await fresh.request('UserCreate', accountBody(t.name('never'))).expectError('E-NOT-LOGGED-IN');
      await fresh.expectClosed();
      await shaken.request('UserCreate', accountBody(t.name('never'))).expectError('E-NOT-LOGGED-IN');
      await shaken.expectClosed();
    },
  }),

  check({
    id: 'admin-creates-account',
    title: 'An admin creates an account; the reply echoes the username as sent and UserEdit shows exactly what was requested',
    rules: ['ADM-CREATE-12', 'MERGE-3', 'GEN-5', 'GEN-7'],
    seed: 'admin.md §UserCreate',
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      const name = t.name('NewMixedCase');
      t.created(name);
      const reply = await boss
        .request('UserCreate', accountBody(name, { permissions: ['chat_send', 'user_list', 'news_create'] }))
        .expectSuccess();
      t.expectBody(reply, { username: name }, 'ADM-CREATE-12', 'the reply echoes the username as sent');
      const edit = await storedAccount(t.admin, name.toLowerCase());
      t.expectBody(edit, { username: name }, 'GEN-7', 'the stored casing is the casing given at creation');
      t.expectBody(edit, { is_admin: false, is_shared: false, enabled: true }, 'ADM-CREATE-12', 'flags as requested');
      t.expectBody(
        edit,
        { permissions: setOf(['chat_send', 'user_list', 'news_create']) },
        'MERGE-3',
        'an admin grants exactly the requested names',
      );
    },
  }),

  check({
    id: 'creation-is-silent',
    title: 'Creating an account broadcasts nothing and has no other visible effect; the new account is offline',
    rules: ['ADM-CREATE-13', 'ADM-CREATE-14'],
    seed: 'admin.md §UserCreate',
    actors: { boss: admin(), watcher: user({ permissions: ['user_list'] }), bystander: user() },
    run: async ({ boss, watcher, bystander }, t) => {
      const name = t.name('quiet');
      t.created(name);
      await boss.request('UserCreate', accountBody(name, { permissions: ['user_list'] })).expectSuccess();
      // Round trips prove that no UserConnected/UserUpdated arrived before them.
      await watcher.expectConnected();
      await bystander.expectConnected();
      const list = await watcher.request('UserList', { all: false }).expectSuccess();
      const online = usersOf(list).filter((u) => String(u.username).toLowerCase() === name.toLowerCase());
      t.expectEqual(online, [], 'ADM-CREATE-13', 'the UserList entries of the new account (it is not online)');
    },
  }),

  check({
    id: 'disabled-account-cannot-log-in',
    title: 'An account created with enabled:false exists but its Login fails with "Account is disabled"',
    rules: ['ADM-CREATE-13', 'ADM-CREATE-12'],
    errors: ['E-ACCOUNT-DISABLED'],
    seed: 'admin.md §UserCreate',
    actors: { boss: admin(), door: connection('shaken') },
    run: async ({ boss, door }, t) => {
      const name = t.name('off');
      t.created(name);
      await boss.request('UserCreate', accountBody(name, { enabled: false })).expectSuccess();
      t.expectBody(await storedAccount(t.admin, name), { enabled: false }, 'ADM-CREATE-12', 'the account is stored disabled');
      await door.login(loginBody(name, CREATED_PASSWORD, { features: [] })).expectError('E-ACCOUNT-DISABLED');
      await door.expectClosed();
    },
  }),

  check({
    id: 'requires-user-create',
    title: 'UserCreate needs user_create: holding every other permission is not enough, holding it alone is',
    rules: ['ADM-CREATE-5', 'GEN-4', 'GEN-9'],
    errors: ['E-PERMISSION-DENIED', 'E-USER-NOT-FOUND'],
    seed: 'admin.md §Permissions',
    actors: {
      without: user({ permissions: ALL_PERMISSIONS.filter((p) => p !== 'user_create') }),
      holder: user({ permissions: ['user_create'] }),
    },
    run: async ({ without, holder }, t) => {
      const denied = t.name('denied');
      await without.request('UserCreate', accountBody(denied)).expectError('E-PERMISSION-DENIED');
      await noStoredAccount(t.admin, denied);
      const allowed = t.name('allowed');
      t.created(allowed);
      const reply = await holder.request('UserCreate', accountBody(allowed)).expectSuccess();
      t.expectBody(reply, { username: allowed }, 'ADM-CREATE-12', 'the reply names the created account');
      await without.expectConnected();
    },
  }),

  check({
    id: 'username-validation',
    title: 'UserCreate refuses an empty, a 33-character and a whitespace username; 32 characters are accepted',
    rules: ['ADM-CREATE-2', 'VAL-USERNAME'],
    errors: ['E-USERNAME-EMPTY', 'E-USERNAME-TOO-LONG', 'E-USERNAME-INVALID'],
    seed: 'admin.md §Username Validation',
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      await boss.request('UserCreate', accountBody('')).expectError('E-USERNAME-EMPTY');
      await boss.request('UserCreate', accountBody('u'.repeat(33))).expectError('E-USERNAME-TOO-LONG');
      await boss.request('UserCreate', accountBody('has space')).expectError('E-USERNAME-INVALID');
      await boss.request('UserCreate', accountBody('tab\tname')).expectError('E-USERNAME-INVALID');
      const longest = (t.name('b') + 'x'.repeat(32)).slice(0, 32);
      t.created(longest);
      await boss.request('UserCreate', accountBody(longest)).expectSuccess();
    },
  }),

  check({
    id: 'username-path-characters',
    title: 'Usernames with path-sensitive characters may be accepted or refused as invalid (undetermined)',
    rules: ['VAL-PATHCHARS', 'UND-3', 'ADM-CREATE-2'],
    seed: 'admin.md §Username Validation',
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      // VAL-PATHCHARS: either outcome is allowed; the runner predicts both for each name (success,
      // or E-USERNAME-INVALID) and fails anything else (another error, a close).
      for (const ch of ['/', '.', ':', '#']) {
        const name = `${t.name('p').slice(0, 28)}${ch}x`;
        const reply = await boss.request('UserCreate', accountBody(name));
        if (reply !== null && reply.body.success === true) t.created(name);
        t.expectEqual(reply, ANY, 'VAL-PATHCHARS', `the answer to "${name}"`);
      }
    },
  }),

  check({
    id: 'password-validation',
    title: 'UserCreate refuses an empty and a 257-character password; 256 characters are accepted',
    rules: ['ADM-CREATE-3', 'VAL-PASSWORD'],
    errors: ['E-PASSWORD-EMPTY', 'E-PASSWORD-TOO-LONG'],
    seed: 'admin.md §UserCreate Errors',
    actors: { boss: admin(), door: connection('shaken') },
    run: async ({ boss, door }, t) => {
      await boss.request('UserCreate', accountBody(t.name('pw0'), { password: '' })).expectError('E-PASSWORD-EMPTY');
      await boss.request('UserCreate', accountBody(t.name('pw257'), { password: 'p'.repeat(257) })).expectError('E-PASSWORD-TOO-LONG');
      const name = t.name('pw256');
      t.created(name);
      await boss.request('UserCreate', accountBody(name, { password: 'p'.repeat(256) })).expectSuccess();
      await door.login(loginBody(name, 'p'.repeat(256), { features: [] })).expectSuccess();
    },
  }),

  check({
    id: 'password-counts-characters',
    title: 'spec: the password limit counts characters, so 200 two-byte characters are accepted and log in',
    rules: ['VAL-PASSWORD', 'ADM-CREATE-3', 'SES-LOGIN-5'],
    seed: 'admin.md §UserCreate ("1-256 characters")',
    needs: { profile: 'spec' },
    actors: { boss: admin(), door: connection('shaken') },
    run: async ({ boss, door }, t) => {
      const name = t.name('pwchars');
      const password = 'é'.repeat(200); // 200 characters, 400 bytes
      t.created(name);
      await boss.request('UserCreate', accountBody(name, { password })).expectSuccess();
      await door.login(loginBody(name, password, { features: [] })).expectSuccess();
    },
  }),

  check({
    id: 'password-counts-bytes',
    title: 'nexusd: the password limit counts bytes, so 200 two-byte characters (400 bytes) are too long',
    rules: ['VAL-PASSWORD', 'ADM-CREATE-3'],
    errors: ['E-PASSWORD-TOO-LONG'],
    seed: 'admin.md §UserCreate',
    needs: { profile: 'nexusd' },
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      await boss.request('UserCreate', accountBody(t.name('pwbytes'), { password: 'é'.repeat(200) })).expectError('E-PASSWORD-TOO-LONG');
      const name = t.name('pw128');
      t.created(name);
      await boss.request('UserCreate', accountBody(name, { password: 'é'.repeat(128) })).expectSuccess(); // 256 bytes
    },
  }),

  check({
    id: 'permissions-validation',
    title: 'UserCreate validates the permissions array: count, empty names, length, newlines, control characters',
    rules: ['ADM-CREATE-4', 'VAL-PERMISSIONS'],
    errors: [
      'E-PERMISSIONS-TOO-MANY',
      'E-PERMISSIONS-EMPTY-PERMISSION',
      'E-PERMISSIONS-PERMISSION-TOO-LONG',
      'E-PERMISSIONS-CONTAINS-NEWLINES',
      'E-PERMISSIONS-INVALID-CHARACTERS',
      'E-UNKNOWN-PERMISSION',
    ],
    seed: 'admin.md §UserCreate',
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      const create = (permissions: string[]) => boss.request('UserCreate', accountBody(t.name('perm'), { permissions }));
      // The count is taken on the raw array, duplicates included; 81 exceeds every build's catalogue.
      await create(Array.from({ length: 81 }, () => 'user_list')).expectError('E-PERMISSIONS-TOO-MANY');
      await create(['chat_send', '']).expectError('E-PERMISSIONS-EMPTY-PERMISSION');
      await create(['z'.repeat(33)]).expectError('E-PERMISSIONS-PERMISSION-TOO-LONG');
      await create(['chat\nsend']).expectError('E-PERMISSIONS-CONTAINS-NEWLINES');
      await create(['chat\rsend']).expectError('E-PERMISSIONS-CONTAINS-NEWLINES');
      await create(['chat\u0007send']).expectError('E-PERMISSIONS-INVALID-CHARACTERS');
      await create(['chat\tsend']).expectError('E-PERMISSIONS-INVALID-CHARACTERS');
      // 32 bytes passes the format check and then fails as an unknown name (ADM-CREATE-9).
      await create(['z'.repeat(32)]).expectError('E-UNKNOWN-PERMISSION');
    },
  }),

  check({
    id: 'cannot-create-admin',
    title: 'A non-admin holding user_create cannot create an admin account, and nothing is created',
    rules: ['ADM-CREATE-6', 'MERGE-6', 'ADMP-4', 'GEN-9'],
    errors: ['E-CANNOT-CREATE-ADMIN', 'E-USER-NOT-FOUND'],
    seed: 'admin.md §Permissions ("Only admins can grant admin status")',
    actors: { mod: user({ permissions: ['user_create', 'user_list'] }) },
    run: async ({ mod }, t) => {
      const name = t.name('boss');
      // nexusd closes the requester here (E!); spec allows T or E with an optional close. The
      // runner checks the connection effect; `mod` is not used afterwards.
      await mod.request('UserCreate', accountBody(name, { is_admin: true })).expectError('E-CANNOT-CREATE-ADMIN');
      await noStoredAccount(t.admin, name);
    },
  }),

  check({
    id: 'shared-cannot-be-admin',
    title: 'Not even an admin can create a shared admin account',
    rules: ['ADM-CREATE-7', 'SHARED-1', 'GEN-9'],
    errors: ['E-SHARED-CANNOT-BE-ADMIN', 'E-USER-NOT-FOUND'],
    seed: 'admin.md §Shared Account Restrictions ("Shared accounts can never be admins")',
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      const name = t.name('shadm');
      await boss.request('UserCreate', accountBody(name, { is_admin: true, is_shared: true })).expectError('E-SHARED-CANNOT-BE-ADMIN');
      await noStoredAccount(t.admin, name);
    },
  }),

  check({
    id: 'unknown-permission',
    title: 'UserCreate with a permission name the server does not know fails with "Unknown permission"',
    rules: ['ADM-CREATE-9', 'MERGE-4', 'PERM-2', 'GEN-9'],
    errors: ['E-UNKNOWN-PERMISSION', 'E-USER-NOT-FOUND'],
    seed: 'admin.md §UserCreate',
    actors: { boss: admin() },
    run: async ({ boss }, t) => {
      const name = t.name('unk');
      // PERM-2: only obviously bogus names; the first unknown one is reported.
      await boss
        .request('UserCreate', accountBody(name, { permissions: ['chat_send', 'zz_not_a_permission', 'zz_also_not_one'] }))
        .expectError('E-UNKNOWN-PERMISSION');
      await noStoredAccount(t.admin, name);
    },
  }),

  check({
    id: 'username-taken',
    title: 'UserCreate of a name that exists in any casing, including guest and a shared account, fails with "Username already exists"',
    rules: ['ADM-CREATE-11', 'GEN-7', 'GUEST-1', 'UND-15'],
    errors: ['E-USERNAME-EXISTS'],
    seed: 'admin.md §UserCreate Errors, §Guest Account',
    actors: { boss: admin(), other: user({ login: false }), crowd: shared({ login: false }) },
    run: async ({ boss, other, crowd }) => {
      await boss.request('UserCreate', accountBody(other.username.toUpperCase())).expectError('E-USERNAME-EXISTS');
      await boss.request('UserCreate', accountBody(other.username)).expectError('E-USERNAME-EXISTS');
      await boss.request('UserCreate', accountBody(crowd.username.toLowerCase())).expectError('E-USERNAME-EXISTS');
      await boss.request('UserCreate', accountBody('GUEST')).expectError('E-USERNAME-EXISTS');
      // UND-15 (a name equal to a live shared session's *nickname*) is deliberately never
      // created by the suite: either acceptance or E-USERNAME-EXISTS is allowed there.
    },
  }),

  check({
    id: 'check-order',
    title: 'UserCreate checks in order: username, password, permission format, user_create, shared-admin, unknown names, name taken',
    rules: ['GEN-3', 'ADM-CREATE-2', 'ADM-CREATE-3', 'ADM-CREATE-4', 'ADM-CREATE-5', 'ADM-CREATE-7', 'ADM-CREATE-9', 'ADM-CREATE-11'],
    errors: [
      'E-USERNAME-EMPTY',
      'E-PASSWORD-EMPTY',
      'E-PERMISSIONS-EMPTY-PERMISSION',
      'E-PERMISSION-DENIED',
      'E-SHARED-CANNOT-BE-ADMIN',
      'E-UNKNOWN-PERMISSION',
      'E-USERNAME-EXISTS',
    ],
    seed: 'admin.md §UserCreate Errors',
    actors: { nobody: user(), boss: admin(), other: user({ login: false }) },
    run: async ({ nobody, boss, other }, t) => {
      // Validation precedes the permission check: a requester without user_create learns the input error.
      await nobody.request('UserCreate', accountBody('', { password: '' })).expectError('E-USERNAME-EMPTY');
      await nobody.request('UserCreate', accountBody(t.name('o1'), { password: '', permissions: [''] })).expectError('E-PASSWORD-EMPTY');
      await nobody.request('UserCreate', accountBody(t.name('o2'), { permissions: [''] })).expectError('E-PERMISSIONS-EMPTY-PERMISSION');
      await nobody
        .request('UserCreate', accountBody(other.username, { permissions: ['zz_not_a_permission'] }))
        .expectError('E-PERMISSION-DENIED');
      // Shared-admin before unknown names, unknown names before the name-taken check.
      await boss
        .request('UserCreate', accountBody(other.username, { is_admin: true, is_shared: true, permissions: ['zz_not_a_permission'] }))
        .expectError('E-SHARED-CANNOT-BE-ADMIN');
      await boss
        .request('UserCreate', accountBody(other.username, { permissions: ['zz_not_a_permission'] }))
        .expectError('E-UNKNOWN-PERMISSION');
      await boss.request('UserCreate', accountBody(other.username)).expectError('E-USERNAME-EXISTS');
    },
  }),

  check({
    id: 'removed-session',
    title: 'UserCreate on a connection whose session was kicked gets "Authentication error" and a close (or the socket is already closed)',
    rules: ['ADM-CREATE-5', 'GEN-2', 'SES-KICK-3', 'UND-6'],
    errors: ['E-KICKED-BY', 'E-AUTHENTICATION', 'E-USER-NOT-FOUND'],
    seed: 'users.md §Error Handling ("Authentication error / Invalid session")',
    actors: { boss: admin(), victim: user({ permissions: ['user_create'] }) },
    run: async ({ boss, victim }, t) => {
      await boss.request('UserKick', { nickname: victim.nickname }).expectSuccess();
      const name = t.name('late');
      // spec: the kick closed the socket; nexusd may keep it open until this request (UND-6).
      await victim.request('UserCreate', accountBody(name));
      await victim.expectClosed();
      await noStoredAccount(t.admin, name);
    },
  }),
]);
