// rules.md §4.5 UserStatus, VAL-STATUS, BC-4; seed users.md §UserStatus, §Validation.
import { admin, check, section, shared, user, NONE, oneOf } from '../../src/runner/api.ts';
import { expectValidatorPastFrameLimit, listEntry, requestAfterRemoval } from '../_lib.ts';

const listener = () => user({ permissions: ['user_list'] });
const deaf = () => user({ permissions: ['user_info'] });

export default section({ id: 'away/status', title: 'UserStatus', seed: 'users.md §Away/Status' }, [
  check({
    id: 'sets-status',
    title: 'UserStatus sets the status message; UserUpdated goes to user_list holders only',
    rules: ['USR-STATUS-2', 'BC-4', 'USR-STATUS-1'],
    seed: 'users.md §UserStatus',
    actors: { a: user(), hears: listener(), boss: admin(), quiet: deaf() },
    run: async ({ a, hears, boss, quiet }, t) => {
      await a.request('UserStatus', { status: 'working on project' }).expectSuccess();
      await quiet.expectConnected();
      await boss.expectConnected();
      const e = await listEntry(hears, a.nickname);
      t.expectBody(e, { status: 'working on project', is_away: false }, 'USR-STATUS-2', 'status shown, not away');
    },
  }),
  check({
    id: 'clear',
    title: 'UserStatus with status null or absent clears the status',
    rules: ['USR-STATUS-2', 'WIRE-JSON-4'],
    seed: 'users.md §UserStatus',
    actors: { a: user(), b: user(), hears: listener() },
    run: async ({ a, b, hears }, t) => {
      await a.request('UserStatus', { status: 'busy' }).expectSuccess();
      await a.request('UserStatus', { status: null }).expectSuccess();
      await b.request('UserStatus', { status: 'busy' }).expectSuccess();
      await b.request('UserStatus', {}).expectSuccess();
      for (const x of [a, b])
        t.expectBody(await listEntry(hears, x.nickname), { status: NONE }, 'USR-STATUS-2', `${x.name}: status cleared`);
    },
  }),
  check({
    id: 'away-flag',
    title: 'UserStatus keeps the away flag in spec ("without changing away state") and clears it in nexusd',
    rules: ['USR-STATUS-3', 'USR-STATUS-2'],
    seed: 'users.md §UserStatus',
    actors: { a: user(), hears: listener() },
    run: async ({ a, hears }, t) => {
      await a.request('UserAway', { message: 'lunch' }).expectSuccess();
      await a.request('UserStatus', { status: 'still lunch' }).expectSuccess();
      const e = await listEntry(hears, a.nickname);
      t.expectBody(e, { is_away: t.profile === 'spec' }, 'USR-STATUS-3', t.profile === 'spec' ? 'still away' : 'away cleared');
      t.expectBody(e, { status: 'still lunch' }, 'USR-STATUS-2', 'the new status is shown');
    },
  }),
  check({
    id: 'empty',
    title: 'UserStatus with "" succeeds; broadcast and later lists show an empty status or none (undetermined)',
    rules: ['USR-STATUS-2', 'UND-4'],
    actors: { a: user(), hears: listener() },
    run: async ({ a, hears }, t) => {
      // UND-4: the runner predicts both outcomes and follows the one the broadcast shows.
      await a.request('UserStatus', { status: '' }).expectSuccess();
      const e = await listEntry(hears, a.nickname);
      t.expectBody(e, { status: oneOf([NONE, '']) }, 'USR-STATUS-2', 'status "" or none');
      // A later session of the account inherits what was stored (SES-ID-3).
      await a.request('UserStatus', { status: 'set again' }).expectSuccess();
      await a.request('UserStatus', { status: '' }).expectSuccess();
      await hears.request('UserList', { all: false }).expectSuccess();
    },
  }),
  check({
    id: 'multibyte-boundary',
    title:
      'nexusd: a status of 128 characters but more than 128 bytes is accepted or refused as too long (unit undetermined); the era frame limit may answer first',
    rules: ['VAL-STATUS', 'UND-2', 'USR-STATUS-1', 'WIRE-LIM-4', 'UND-11'],
    errors: ['E-STATUS-TOO-LONG'],
    seed: 'users.md §Validation',
    needs: { profile: 'nexusd' },
    actors: { a: user(), hears: listener() },
    run: async ({ a, hears }, t) => {
      // 65 two-byte characters: 65 characters, 130 bytes. UND-2: characters (accepted) or bytes
      // (E-STATUS-TOO-LONG); UND-11: the era's exact frame limit (161 bytes) may refuse the frame.
      // The runner predicts every combination and follows the one the target shows.
      const reply = await a.request('UserStatus', { status: 'é'.repeat(65) });
      if (reply === null) {
        await a.expectClosed();
        return;
      }
      t.expectBody(reply, { success: oneOf([true, false]) }, 'UND-2', 'an answer to the status');
      await a.expectConnected();
      await hears.expectConnected();
    },
  }),
  check({
    id: 'shared',
    title: 'A shared session may set a status (no permission needed)',
    rules: ['USR-STATUS-1', 'USR-STATUS-2', 'SES-SHARED-2'],
    actors: { s: shared(), hears: listener() },
    run: async ({ s, hears }, t) => {
      await s.request('UserStatus', { status: 'just browsing' }).expectSuccess();
      t.expectBody(await listEntry(hears, s.nickname), { status: 'just browsing' }, 'USR-STATUS-2', 'shown on the shared session');
    },
  }),
  check({
    id: 'status-max',
    title: 'A 128-character status is accepted',
    rules: ['VAL-STATUS', 'USR-STATUS-1', 'UND-2', 'WIRE-LIM-1'],
    seed: 'users.md §Validation',
    actors: { a: user() },
    run: async ({ a }) => {
      await a.request('UserStatus', { status: 's'.repeat(128) }).expectSuccess();
    },
  }),
  check({
    id: 'status-too-long',
    title: 'A 129-character status is rejected with E-STATUS-TOO-LONG (nexusd: the frame limit may answer first)',
    rules: ['VAL-STATUS', 'USR-STATUS-1', 'UND-2', 'WIRE-LIM-4', 'GEN-9'],
    errors: ['E-STATUS-TOO-LONG'],
    seed: 'users.md §Validation',
    actors: { a: user(), hears: listener() },
    run: async ({ a, hears }) => {
      await expectValidatorPastFrameLimit(a, a.request('UserStatus', { status: 's'.repeat(129) }), 'E-STATUS-TOO-LONG');
      await hears.expectConnected();
    },
  }),
  check({
    id: 'status-newline',
    title: 'A status containing a newline is rejected with E-STATUS-CONTAINS-NEWLINES; the connection stays open',
    rules: ['VAL-STATUS', 'USR-STATUS-1', 'GEN-9'],
    errors: ['E-STATUS-CONTAINS-NEWLINES'],
    seed: 'users.md §Validation',
    actors: { a: user(), hears: listener() },
    run: async ({ a, hears }) => {
      await a.request('UserStatus', { status: 'line\nbreak' }).expectError('E-STATUS-CONTAINS-NEWLINES');
      await a.expectConnected();
      await hears.expectConnected();
    },
  }),
  check({
    id: 'status-control',
    title: 'A status with a control character is rejected with E-STATUS-INVALID-CHARACTERS',
    rules: ['VAL-STATUS', 'USR-STATUS-1'],
    errors: ['E-STATUS-INVALID-CHARACTERS'],
    seed: 'users.md §Validation',
    actors: { a: user() },
    run: async ({ a }) => {
      await a.request('UserStatus', { status: 'esc\u001b[0m' }).expectError('E-STATUS-INVALID-CHARACTERS');
      await a.expectConnected();
    },
  }),
  check({
    id: 'removed-session',
    title: 'UserStatus on a connection whose account was deleted gets E-AUTHENTICATION and a close (or the socket is already closed)',
    rules: ['USR-STATUS-1', 'GEN-2', 'SES-FORCE-1', 'UND-6', 'SES-ERR-4', 'SES-ERR-5'],
    errors: ['E-AUTHENTICATION', 'E-ACCOUNT-DELETED'],
    actors: { victim: user(), boss: admin() },
    run: async ({ victim, boss }) => {
      await boss.request('UserDelete', { username: victim.username }).expectSuccess();
      await requestAfterRemoval(victim, 'UserStatus', { status: 'too late' });
    },
  }),
]);
