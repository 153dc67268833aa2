// seed admin.md §PermissionsUpdated, §UserUpdated, §Notes; rules.md ADM-UPDATE-14..18, BC-3, BC-5,
// session.md SES-FORCE-2/3. What a successful UserUpdate tells whom. The runner compares every frame on
// every actor's connection with the model, so each check sets up the recipients that must get a
// broadcast and the bystanders that must not; the round trips at the end prove the absences.
import { admin, check, connection, section, sessionOf, user, where } from '../../src/runner/api.ts';
import { credentials, expectStored } from '../_lib.ts';

export default section(
  { id: 'admin/update-broadcasts', title: 'UserUpdate broadcasts and live effects', seed: 'admin.md §UserUpdated, §PermissionsUpdated' },
  [
    check({
      id: 'permissions-updated-only-to-target',
      title: 'PermissionsUpdated goes to every live session of the updated account and to nobody else',
      rules: ['BC-5', 'ADM-UPDATE-14', 'GEN-6', 'ADM-UPDATE-16', 'BC-3'],
      seed: 'admin.md §Notes ("PermissionsUpdated is only sent to the affected user\'s sessions")',
      actors: {
        boss: admin(),
        target: user({ permissions: ['chat_send'] }),
        again: sessionOf('target'),
        watcher: user({ permissions: ['user_list'] }),
        bystander: user(),
      },
      run: async ({ boss, target, again, watcher, bystander }) => {
        await boss.request('UserUpdate', { username: target.username, requested_permissions: ['chat_send', 'news_list'] }).expectSuccess();
        await target.expectConnected();
        await again.expectConnected();
        await watcher.expectConnected();
        await bystander.expectConnected();
      },
    }),

    check({
      id: 'promotion-and-demotion',
      title:
        'Promotion to admin sends PermissionsUpdated with is_admin:true to the target and UserUpdated per profile; demotion reverses it',
      rules: ['ADM-UPDATE-14', 'ADM-UPDATE-16', 'BC-3', 'BC-5', 'MERGE-6', 'GEN-6'],
      seed: 'admin.md §PermissionsUpdated ("Promoted to admin")',
      actors: {
        boss: admin(),
        target: user({ permissions: ['chat_topic'] }),
        watcher: user({ permissions: ['user_list'] }),
        bystander: user(),
      },
      run: async ({ boss, target, watcher, bystander }, t) => {
        await boss.request('UserUpdate', { username: target.username, requested_is_admin: true }).expectSuccess();
        await expectStored(t, target.username, { is_admin: true }, 'ADM-UPDATE-14', 'the account is admin now');
        await boss.request('UserUpdate', { username: target.username, requested_is_admin: false }).expectSuccess();
        await target.expectConnected();
        await watcher.expectConnected();
        await bystander.expectConnected();
      },
    }),

    check({
      id: 'rename-online-account',
      title:
        'Renaming an online account sends UserUpdated with previous_username (spec: everyone; nexusd: user_list holders); lists show either nickname',
      rules: ['ADM-UPDATE-16', 'ADM-UPDATE-18', 'UND-7', 'BC-3', 'ADM-UPDATE-14'],
      seed: 'admin.md §UserUpdated',
      actors: {
        boss: admin(),
        target: user(),
        watcher: user({ permissions: ['user_list'] }),
        bystander: user(),
      },
      run: async ({ boss, target, watcher, bystander }, t) => {
        const renamed = t.name('Robert');
        t.created(renamed);
        const r = await boss.request('UserUpdate', { username: target.username, requested_username: renamed }).expectSuccess();
        t.expectBody(r, { username: renamed }, 'ADM-UPDATE-14', 'the reply carries the new name');
        await bystander.expectConnected();
        // UND-7: the renamed session may be listed under its old or its new nickname (model accepts both).
        const list = await watcher.request('UserList', { all: false }).expectSuccess();
        const underNewName = where(
          `an entry with username ${JSON.stringify(renamed)} (any casing)`,
          (users) =>
            Array.isArray(users) && users.some((u: { username?: unknown }) => String(u?.username).toLowerCase() === renamed.toLowerCase()),
        );
        t.expectBody(list, { users: underNewName }, 'ADM-UPDATE-18', 'the online list shows the account under its new username');
        await target.expectConnected();
        await boss.request('UserUpdate', { username: renamed, requested_username: target.username }).expectSuccess();
      },
    }),

    check({
      id: 'password-only-change-online',
      title: 'A password-only change of an online account: spec sends UserUpdated to everyone, nexusd sends nothing',
      rules: ['ADM-UPDATE-16', 'BC-3', 'ADM-UPDATE-14'],
      seed: 'users.md §Notes ("UserUpdated is sent when an admin modifies a user account")',
      actors: { boss: admin(), target: user(), watcher: user({ permissions: ['user_list'] }), bystander: user() },
      run: async ({ boss, target, watcher, bystander }) => {
        await boss.request('UserUpdate', { username: target.username, requested_password: 'Another-Pa55word' }).expectSuccess();
        await target.expectConnected();
        await watcher.expectConnected();
        await bystander.expectConnected();
      },
    }),

    check({
      id: 'offline-account-update',
      title: 'Renaming an offline account: spec sends no UserUpdated, nexusd sends it to user_list holders with no sessions',
      rules: ['ADM-UPDATE-16', 'BC-3'],
      seed: 'admin.md §Notes ("UserUpdated is only broadcast if the user is online")',
      actors: { boss: admin(), target: user({ login: false }), watcher: user({ permissions: ['user_list'] }), bystander: user() },
      run: async ({ boss, target, watcher, bystander }, t) => {
        const renamed = t.name('offl');
        t.created(renamed);
        await boss.request('UserUpdate', { username: target.username, requested_username: renamed }).expectSuccess();
        await watcher.expectConnected();
        await bystander.expectConnected();
        await boss.request('UserUpdate', { username: renamed, requested_username: target.username }).expectSuccess();
      },
    }),

    check({
      id: 'disable-online-account',
      title: 'Disabling an online account removes all its sessions with "Account disabled by admin"; its next Login is refused',
      rules: ['ADM-UPDATE-15', 'SES-FORCE-2', 'SES-FORCE-3', 'BC-7', 'BC-2', 'UND-6', 'SES-KICK-3', 'ADM-UPDATE-16'],
      errors: ['E-ACCOUNT-DISABLED-BY-ADMIN', 'E-ACCOUNT-DISABLED'],
      seed: 'admin.md §UserUpdate ("Disable account")',
      actors: {
        boss: admin(),
        target: user(),
        again: sessionOf('target'),
        watcher: user({ permissions: ['user_list'] }),
        bystander: user(),
        door: connection('shaken'),
      },
      run: async ({ boss, target, again, watcher, bystander, door }, t) => {
        await boss.request('UserUpdate', { username: target.username, requested_enabled: false }).expectSuccess();
        // spec: the server disconnects them; nexusd may keep the socket until the next request (UND-6),
        // which the model accepts.
        if (t.profile === 'spec') {
          await target.expectClosed();
          await again.expectClosed();
        }
        await watcher.expectConnected();
        await bystander.expectConnected();
        await door.login(credentials(target, { features: [] })).expectError('E-ACCOUNT-DISABLED');
        await door.expectClosed();
      },
    }),

    check({
      id: 're-enable-account',
      title: 'Enabling a disabled account lets it log in again',
      rules: ['ADM-UPDATE-13', 'SES-FORCE-3', 'ADM-UPDATE-16'],
      errors: ['E-ACCOUNT-DISABLED'],
      seed: 'admin.md §UserCreate ("enabled")',
      actors: {
        boss: admin(),
        target: user({ login: false, enabled: false }),
        before: connection('shaken'),
        after: connection('shaken'),
      },
      run: async ({ boss, target, before, after }) => {
        await before.login(credentials(target, { features: [] })).expectError('E-ACCOUNT-DISABLED');
        await boss.request('UserUpdate', { username: target.username, requested_enabled: true }).expectSuccess();
        await after.login(credentials(target, { features: [] })).expectSuccess();
      },
    }),
  ],
);
