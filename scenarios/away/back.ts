// rules.md §4.4 UserBack, BC-4; seed users.md §UserBack.
import { admin, check, section, shared, user, NONE } from '../../src/runner/api.ts';
import { kick, listEntry, requestAfterRemoval } from '../_lib.ts';

const listener = () => user({ permissions: ['user_list'] });
const deaf = () => user({ permissions: ['user_info'] });

export default section({ id: 'away/back', title: 'UserBack', seed: 'users.md §Away/Status' }, [
  check({
    id: 'clears-away',
    title: 'UserBack clears the away flag and the status; UserUpdated goes to user_list holders only',
    rules: ['USR-BACK-2', 'BC-4', 'USR-BACK-1'],
    seed: 'users.md §UserBack',
    actors: { a: user(), hears: listener(), quiet: deaf() },
    run: async ({ a, hears, quiet }, t) => {
      await a.request('UserAway', { message: 'lunch' }).expectSuccess();
      await a.request('UserBack', {}).expectSuccess();
      await quiet.expectConnected();
      const e = await listEntry(hears, a.nickname);
      t.expectBody(e, { is_away: false, status: NONE }, 'USR-BACK-2', 'no longer away, no status');
    },
  }),
  check({
    id: 'clears-status-only',
    title: 'UserBack also clears a status set without being away',
    rules: ['USR-BACK-2'],
    seed: 'users.md §UserBack',
    actors: { a: user(), hears: listener() },
    run: async ({ a, hears }, t) => {
      await a.request('UserStatus', { status: 'coding' }).expectSuccess();
      await a.request('UserBack', {}).expectSuccess();
      t.expectBody(await listEntry(hears, a.nickname), { status: NONE }, 'USR-BACK-2', 'status cleared');
    },
  }),
  check({
    id: 'when-not-away',
    title: 'UserBack succeeds when the session was not away (a broadcast is optional in spec)',
    rules: ['USR-BACK-2'],
    actors: { a: listener(), hears: listener() },
    run: async ({ a, hears }) => {
      await a.request('UserBack', {}).expectSuccess();
      await a.expectConnected();
      await hears.expectConnected();
    },
  }),
  check({
    id: 'shared',
    title: 'A shared session may use UserBack (no permission needed)',
    rules: ['USR-BACK-1', 'USR-BACK-2'],
    actors: { s: shared(), hears: listener() },
    run: async ({ s, hears }, t) => {
      await s.request('UserAway', {}).expectSuccess();
      await s.request('UserBack', {}).expectSuccess();
      t.expectBody(await listEntry(hears, s.nickname), { is_away: false }, 'USR-BACK-2', 'the shared session is back');
    },
  }),
  check({
    id: 'removed-session',
    title: 'UserBack on a connection whose session was kicked gets E-AUTHENTICATION and a close (or the socket is already closed)',
    rules: ['USR-BACK-1', 'GEN-2', 'SES-KICK-1', 'SES-KICK-3', 'UND-6', 'SES-ERR-4', 'SES-ERR-5'],
    errors: ['E-AUTHENTICATION', 'E-KICKED-BY'],
    actors: { victim: user(), boss: admin() },
    run: async ({ victim, boss }) => {
      await kick(boss, victim);
      await requestAfterRemoval(victim, 'UserBack', {});
    },
  }),
]);
