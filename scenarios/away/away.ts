// rules.md §4.3 UserAway, VAL-STATUS, BC-4, SES-ID-2..4; seed users.md §Away/Status.
// Every UserUpdated broadcast has a listener that must receive it (user_list) and one that must not.
import { admin, check, connection, guest, section, sessionOf, shared, user, NONE, oneOf } from '../../src/runner/api.ts';
import { credentials, expectValidatorPastFrameLimit, listEntry, requestAfterRemoval, sharedLogin } from '../_lib.ts';

const listener = () => user({ permissions: ['user_list'] });
const deaf = () => user({ permissions: ['user_info'] });

export default section({ id: 'away/away', title: 'UserAway', seed: 'users.md §Away/Status' }, [
  check({
    id: 'sets-away',
    title: 'UserAway with a message marks the session away with that status; UserUpdated goes to user_list holders only',
    rules: ['USR-AWAY-1', 'USR-AWAY-4', 'USR-AWAY-5', 'BC-4', 'WIRE-ID-3'],
    seed: 'users.md §Away/Status Behavior',
    actors: { a: user(), hears: listener(), boss: admin(), quiet: deaf() },
    run: async ({ a, hears, boss, quiet }, t) => {
      await a.request('UserAway', { message: 'grabbing lunch' }).expectSuccess();
      await quiet.expectConnected();
      await boss.expectConnected();
      const e = await listEntry(hears, a.nickname);
      t.expectBody(e, { is_away: true, status: 'grabbing lunch' }, 'USR-AWAY-4', 'listed as away with the message');
    },
  }),
  check({
    id: 'own-copy',
    title: 'A requester holding user_list also receives its own UserUpdated (before or after the response)',
    rules: ['BC-4', 'USR-AWAY-5', 'WIRE-ORD-2', 'WIRE-ORD-1'],
    seed: 'users.md §Away/Status Behavior',
    actors: { a: listener() },
    run: async ({ a }) => {
      await a.request('UserAway', { message: 'brb' }).expectSuccess();
      await a.expectConnected();
    },
  }),
  check({
    id: 'without-message',
    title: 'UserAway with message null or absent marks the session away without a status',
    rules: ['USR-AWAY-4', 'WIRE-JSON-4', 'WIRE-JSON-5'],
    seed: 'users.md §UserAway',
    actors: { a: user(), b: user(), hears: listener() },
    run: async ({ a, b, hears }, t) => {
      await a.request('UserAway', { message: null }).expectSuccess();
      await b.request('UserAway', {}).expectSuccess();
      for (const x of [a, b]) {
        const e = await listEntry(hears, x.nickname);
        t.expectBody(e, { is_away: true, status: NONE }, 'USR-AWAY-4', `${x.name} is away without a status`);
      }
    },
  }),
  check({
    id: 'empty-message',
    title: 'UserAway with message "" succeeds; broadcast, lists and UserInfo show it stored as an empty status or as none (undetermined)',
    rules: ['USR-AWAY-4', 'UND-4', 'USR-INFO-6'],
    actors: { a: user(), hears: listener(), asks: user({ permissions: ['user_info'] }) },
    run: async ({ a, hears, asks }, t) => {
      // UND-4: the runner predicts both outcomes; the listener's UserUpdated tells which one the
      // target took, and every later answer must follow it.
      await a.request('UserAway', { message: '' }).expectSuccess();
      const e = await listEntry(hears, a.nickname);
      t.expectBody(e, { is_away: true, status: oneOf([NONE, '']) }, 'USR-AWAY-4', 'listed as away, status "" or none');
      await asks.request('UserInfo', { nickname: a.nickname }).expectSuccess();
    },
  }),
  check({
    id: 'repeat',
    title: 'UserAway may be repeated; the latest message wins',
    rules: ['USR-AWAY-4', 'USR-AWAY-5'],
    actors: { a: user(), hears: listener() },
    run: async ({ a, hears }, t) => {
      await a.request('UserAway', { message: 'first' }).expectSuccess();
      await a.request('UserAway', { message: 'second' }).expectSuccess();
      const e = await listEntry(hears, a.nickname);
      t.expectBody(e, { is_away: true, status: 'second' }, 'USR-AWAY-4', 'the second message is shown');
    },
  }),
  check({
    id: 'shared-and-guest',
    title: 'Shared and guest sessions may go away too (no permission needed); only that session changes',
    rules: ['USR-AWAY-1', 'USR-AWAY-4', 'SES-SHARED-2', 'BC-4'],
    seed: 'users.md §Away/Status',
    actors: { s1: shared(), s2: sessionOf('s1'), g: guest(), hears: listener(), quiet: deaf() },
    run: async ({ s1, s2, g, hears, quiet }, t) => {
      await s1.request('UserAway', { message: 'visiting' }).expectSuccess();
      await g.request('UserAway', {}).expectSuccess();
      await quiet.expectConnected();
      t.expectBody(await listEntry(hears, s1.nickname), { is_away: true }, 'USR-AWAY-4', 'the shared session is away');
      t.expectBody(await listEntry(hears, s2.nickname), { is_away: false }, 'SES-SHARED-2', 'the other shared session is not');
      t.expectBody(await listEntry(hears, g.nickname), { is_away: true }, 'USR-AWAY-1', 'the guest session is away');
    },
  }),
  check({
    id: 'unicode-message',
    title: 'A message with multi-byte characters is stored and listed intact (frames count bytes)',
    rules: ['USR-AWAY-4', 'VAL-STATUS', 'WIRE-FRM-10'],
    actors: { a: user(), hears: listener() },
    run: async ({ a, hears }, t) => {
      const message = 'café ☕ 漢字';
      await a.request('UserAway', { message }).expectSuccess();
      t.expectBody(await listEntry(hears, a.nickname), { status: message }, 'WIRE-FRM-10', 'the message round-trips byte-exact');
    },
  }),

  // --- validation (USR-AWAY-2, VAL-STATUS) ---------------------------------------------------------
  check({
    id: 'message-max',
    title: 'A 128-character message is accepted',
    rules: ['VAL-STATUS', 'USR-AWAY-2', 'UND-2', 'WIRE-LIM-1'],
    seed: 'users.md §Validation',
    actors: { a: user(), hears: listener() },
    run: async ({ a }) => {
      await a.request('UserAway', { message: 'm'.repeat(128) }).expectSuccess();
    },
  }),
  check({
    id: 'message-too-long',
    title: 'A 129-character message is rejected with E-STATUS-TOO-LONG and nothing changes (nexusd: the frame limit may answer first)',
    rules: ['VAL-STATUS', 'USR-AWAY-2', 'UND-2', 'WIRE-LIM-4', 'GEN-9'],
    errors: ['E-STATUS-TOO-LONG'],
    seed: 'users.md §Validation',
    actors: { a: user(), hears: listener() },
    run: async ({ a, hears }) => {
      await expectValidatorPastFrameLimit(a, a.request('UserAway', { message: 'm'.repeat(129) }), 'E-STATUS-TOO-LONG');
      await hears.expectConnected();
    },
  }),
  check({
    id: 'message-multibyte-max',
    title: 'The limit counts characters: 128 two-byte characters are accepted',
    rules: ['VAL-STATUS', 'USR-AWAY-2', 'WIRE-LIM-4'],
    seed: 'users.md §Away/Status',
    // `spec` only: the unit is firm there ("max 128 characters"); `nexusd` is UND-2 and its era frame limit rejects the frame.
    needs: { profile: 'spec' },
    actors: { a: user() },
    run: async ({ a }) => {
      await a.request('UserAway', { message: 'é'.repeat(128) }).expectSuccess();
    },
  }),
  check({
    id: 'message-newline',
    title: 'A message containing \\n or \\r is rejected with E-STATUS-CONTAINS-NEWLINES; the connection stays open',
    rules: ['VAL-STATUS', 'USR-AWAY-2', 'GEN-9'],
    errors: ['E-STATUS-CONTAINS-NEWLINES'],
    seed: 'users.md §Validation',
    actors: { a: user(), hears: listener() },
    run: async ({ a, hears }) => {
      await a.request('UserAway', { message: 'two\nlines' }).expectError('E-STATUS-CONTAINS-NEWLINES');
      await a.request('UserAway', { message: 'carriage\rreturn' }).expectError('E-STATUS-CONTAINS-NEWLINES');
      await a.expectConnected();
      await hears.expectConnected();
    },
  }),
  check({
    id: 'message-control',
    title: 'A message with another control character is rejected with E-STATUS-INVALID-CHARACTERS',
    rules: ['VAL-STATUS', 'USR-AWAY-2'],
    errors: ['E-STATUS-INVALID-CHARACTERS'],
    seed: 'users.md §Validation',
    actors: { a: user() },
    run: async ({ a }) => {
      await a.request('UserAway', { message: 'tab\there' }).expectError('E-STATUS-INVALID-CHARACTERS');
      await a.request('UserAway', { message: 'del\u007f' }).expectError('E-STATUS-INVALID-CHARACTERS');
      await a.expectConnected();
    },
  }),

  // --- sessions (SES-ID-2..4, USR-AWAY-6) ---------------------------------------------------------
  check({
    id: 'inherited-by-new-session',
    title: 'A new session of a regular account inherits away/status from its latest session (UserConnected may show either)',
    rules: ['SES-ID-3', 'SES-BC-2', 'SES-ID-2', 'BC-1'],
    seed: 'users.md §Away/Status Behavior',
    actors: { a: user(), c: connection('shaken'), hears: listener() },
    run: async ({ a, c, hears }, t) => {
      await a.request('UserAway', { message: 'in a meeting' }).expectSuccess();
      await c.login(credentials(a)).expectSuccess();
      const e = await listEntry(hears, a.nickname);
      t.expectBody(e, { is_away: true, status: 'in a meeting' }, 'SES-ID-3', 'the account is still away with its message');
    },
  }),
  check({
    id: 'shared-not-inherited',
    title: 'A new shared session starts neither away nor with a status',
    rules: ['SES-ID-3', 'SES-SHARED-2'],
    seed: 'users.md §Away/Status Behavior',
    actors: { s1: shared(), c: connection('shaken'), hears: listener() },
    run: async ({ s1, c, hears }, t) => {
      await s1.request('UserAway', { message: 'away' }).expectSuccess();
      const nickname = t.name('fresh');
      await c.login(sharedLogin(s1, nickname)).expectSuccess();
      const e = await listEntry(hears, nickname);
      t.expectBody(e, { is_away: false, status: NONE }, 'SES-ID-3', 'the new shared session is clear');
    },
  }),
  check({
    id: 'vanishes-with-session',
    title: 'Away/status are not persisted: after the only session ends, a new login starts clear',
    rules: ['SES-ID-4', 'SES-ID-3'],
    seed: 'users.md §Away/Status Behavior',
    actors: { a: user(), c: connection('shaken'), hears: listener() },
    run: async ({ a, c, hears }, t) => {
      await a.request('UserAway', { message: 'gone' }).expectSuccess();
      await a.close();
      await c.login(credentials(a)).expectSuccess();
      const e = await listEntry(hears, a.nickname);
      t.expectBody(e, { is_away: false, status: NONE }, 'SES-ID-4', 'the new session is not away');
    },
  }),
  check({
    id: 'older-session',
    title: 'UserAway on the older of two sessions succeeds; lists show the latest session’s state',
    rules: ['USR-AWAY-6', 'SES-ID-2', 'BC-4'],
    actors: { a: user(), later: sessionOf('a'), hears: listener() },
    run: async ({ a, hears }) => {
      await a.request('UserAway', { message: 'old one' }).expectSuccess();
      await hears.request('UserList', { all: false }).expectSuccess();
    },
  }),
  check({
    id: 'removed-session',
    title: 'UserAway on a connection whose account was disabled gets E-AUTHENTICATION and a close (or the socket is already closed)',
    rules: ['USR-AWAY-3', 'GEN-2', 'SES-FORCE-2', 'UND-6', 'SES-ERR-4', 'SES-ERR-5'],
    errors: ['E-AUTHENTICATION', 'E-ACCOUNT-DISABLED-BY-ADMIN'],
    actors: { victim: user(), boss: admin() },
    run: async ({ victim, boss }) => {
      await boss.request('UserUpdate', { username: victim.username, requested_enabled: false }).expectSuccess();
      await requestAfterRemoval(victim, 'UserAway', { message: 'too late' });
    },
  }),
]);
