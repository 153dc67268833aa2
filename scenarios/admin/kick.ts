// seed admin.md §UserKick, §Kick Behavior, §Admin Protection Rules; rules.md §4.10 (ADM-KICK-*),
// session.md SES-KICK-1..3.
import { admin, check, connection, section, sessionOf, shared, user } from '../../src/runner/api.ts';
import { ALL_PERMISSIONS } from '../../src/model/permissions.ts';
import { expectValidatorPastFrameLimit } from '../_lib.ts';

export default section({ id: 'admin/kick', title: 'UserKick', seed: 'admin.md §UserKick' }, [
  check({
    id: 'requires-login',
    title: 'UserKick before Login is refused with "Not logged in" and the connection is closed',
    rules: ['ADM-KICK-1', 'GEN-1'],
    errors: ['E-NOT-LOGGED-IN'],
    seed: 'users.md §Error Handling',
    actors: { shaken: connection('shaken'), target: user() },
    run: async ({ shaken, target }) => {
      await shaken.request('UserKick', { nickname: target.nickname }).expectError('E-NOT-LOGGED-IN');
      await shaken.expectClosed();
      await target.expectConnected();
    },
  }),

  check({
    id: 'nickname-validation',
    title: 'UserKick validates the nickname: empty, invalid characters, more than 32 characters',
    rules: ['ADM-KICK-2', 'VAL-NICKNAME', 'WIRE-LIM-4'],
    errors: ['E-NICKNAME-EMPTY', 'E-NICKNAME-INVALID', 'E-NICKNAME-TOO-LONG'],
    seed: 'admin.md §UserKick',
    actors: { boss: admin() },
    run: async ({ boss }) => {
      await boss.request('UserKick', { nickname: '' }).expectError('E-NICKNAME-EMPTY');
      await boss.request('UserKick', { nickname: 'has space' }).expectError('E-NICKNAME-INVALID');
      // Last: `nexusd`'s exact frame limit may answer with a framing error and a close (WIRE-LIM-4).
      await expectValidatorPastFrameLimit(boss, boss.request('UserKick', { nickname: 'n'.repeat(33) }), 'E-NICKNAME-TOO-LONG');
    },
  }),

  check({
    id: 'cannot-kick-self',
    title: 'Nobody can kick their own nickname, in any casing, not even from another session; this comes before the permission',
    rules: ['ADM-KICK-4', 'SELF-1', 'GEN-3', 'GEN-7'],
    errors: ['E-CANNOT-KICK-SELF'],
    seed: 'admin.md §Self-Operations ("Users cannot: Kick themselves")',
    actors: { plain: user(), twin: sessionOf('plain'), boss: admin() },
    run: async ({ plain, twin, boss }) => {
      await plain.request('UserKick', { nickname: plain.nickname.toUpperCase() }).expectError('E-CANNOT-KICK-SELF');
      await twin.request('UserKick', { nickname: plain.nickname }).expectError('E-CANNOT-KICK-SELF');
      // Before the admin protection (ADM-KICK-7) as well.
      await boss.request('UserKick', { nickname: boss.nickname }).expectError('E-CANNOT-KICK-SELF');
      await plain.expectConnected();
      await twin.expectConnected();
    },
  }),

  check({
    id: 'requires-user-kick',
    title: 'UserKick needs user_kick: holding every other permission is not enough',
    rules: ['ADM-KICK-5'],
    errors: ['E-PERMISSION-DENIED'],
    seed: 'admin.md §Permissions',
    actors: { without: user({ permissions: ALL_PERMISSIONS.filter((p) => p !== 'user_kick') }), target: user() },
    run: async ({ without, target }) => {
      await without.request('UserKick', { nickname: target.nickname }).expectError('E-PERMISSION-DENIED');
      await target.expectConnected();
    },
  }),

  check({
    id: 'nickname-not-online',
    title: 'Kicking a nickname with no live session fails with "User \'<nickname>\' is not online", even for an existing account',
    rules: ['ADM-KICK-6'],
    errors: ['E-NICKNAME-NOT-ONLINE'],
    seed: 'admin.md §UserKickResponse ("User \'unknown\' is not online")',
    actors: { mod: user({ permissions: ['user_kick'] }), offline: user({ login: false }) },
    run: async ({ mod, offline }, t) => {
      await mod.request('UserKick', { nickname: offline.username }).expectError('E-NICKNAME-NOT-ONLINE');
      await mod.request('UserKick', { nickname: t.name('nobody') }).expectError('E-NICKNAME-NOT-ONLINE');
    },
  }),

  check({
    id: 'cannot-kick-admin',
    title: 'Admins can never be kicked, neither by a holder of user_kick nor by another admin',
    rules: ['ADM-KICK-7', 'ADMP-1'],
    errors: ['E-CANNOT-KICK-ADMIN'],
    seed: 'admin.md §Admin Protection Rules ("Kick: Never")',
    actors: { mod: user({ permissions: ['user_kick', 'user_list'] }), boss: admin(), peer: admin() },
    run: async ({ mod, boss, peer }) => {
      await mod.request('UserKick', { nickname: boss.nickname }).expectError('E-CANNOT-KICK-ADMIN');
      await peer.request('UserKick', { nickname: boss.nickname.toUpperCase() }).expectError('E-CANNOT-KICK-ADMIN');
      await boss.expectConnected();
      await peer.expectConnected();
    },
  }),

  check({
    id: 'kick-regular-account',
    title: 'Kicking a regular account ends all its sessions with "You have been kicked by <kicker>"; user_list holders see them go',
    rules: ['ADM-KICK-8', 'ADM-KICK-9', 'SES-KICK-1', 'SES-KICK-2', 'SES-KICK-3', 'UND-6', 'BC-7', 'BC-2', 'GEN-7'],
    errors: ['E-KICKED-BY'],
    seed: 'admin.md §Kick Behavior',
    actors: {
      mod: user({ permissions: ['user_kick'] }),
      target: user({ name: 'KickMe' }),
      again: sessionOf('target'),
      watcher: user({ permissions: ['user_list'] }),
      bystander: user(),
    },
    run: async ({ mod, target, again, watcher, bystander }, t) => {
      // `mod` lacks user_list, so it gets the response but no UserDisconnected (SES-KICK-1).
      const r = await mod.request('UserKick', { nickname: target.nickname.toLowerCase() }).expectSuccess();
      t.expectBody(r, { nickname: target.nickname }, 'ADM-KICK-9', 'the reply names the stored nickname');
      if (t.profile === 'spec') {
        await target.expectClosed();
        await again.expectClosed();
      }
      await watcher.expectConnected();
      await bystander.expectConnected();
      await mod.expectConnected();
    },
  }),

  check({
    id: 'kick-one-shared-session',
    title: 'Kicking a shared session ends only that session; the kicker holding user_list gets the UserDisconnected too',
    rules: ['SES-KICK-2', 'SES-KICK-1', 'ADM-KICK-8', 'ADM-KICK-9', 'SHARED-1', 'SES-SHARED-2', 'BC-7', 'WIRE-ORD-2'],
    errors: ['E-KICKED-BY'],
    seed: 'admin.md §Kick Behavior, §UserKick ("works for both regular and shared accounts")',
    actors: {
      mod: user({ permissions: ['user_kick', 'user_list'] }),
      visitor: shared({ permissions: ['user_list'] }),
      sibling: sessionOf('visitor'),
    },
    run: async ({ mod, visitor, sibling }, t) => {
      const r = await mod.request('UserKick', { nickname: visitor.nickname }).expectSuccess();
      t.expectBody(r, { nickname: visitor.nickname }, 'ADM-KICK-9', 'the reply names the kicked session');
      if (t.profile === 'spec') await visitor.expectClosed();
      await sibling.expectConnected();
      await mod.expectConnected();
    },
  }),

  check({
    id: 'removed-session',
    title: 'UserKick on a connection whose account was deleted gets "Authentication error" and a close (or the socket is already closed)',
    rules: ['ADM-KICK-3', 'GEN-2', 'SES-FORCE-1', 'UND-6'],
    errors: ['E-ACCOUNT-DELETED', 'E-AUTHENTICATION'],
    seed: 'users.md §Error Handling ("Authentication error / Invalid session")',
    actors: { boss: admin(), victim: user({ permissions: ['user_kick'] }), other: user() },
    run: async ({ boss, victim, other }) => {
      await boss.request('UserDelete', { username: victim.username }).expectSuccess();
      // spec: the deletion closed the socket; nexusd may keep it open until this request (UND-6).
      await victim.request('UserKick', { nickname: other.nickname });
      await victim.expectClosed();
      await other.expectConnected();
    },
  }),
]);
