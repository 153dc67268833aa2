// rules.md §4.1 UserList; seed users.md §UserList, §Multi-Session Handling, §Sorting.
import { admin, check, section, sessionOf, shared, user, ANY, including, oneOf, setOf, where } from '../../src/runner/api.ts';
import { PNG, entriesFor, kick, requestAfterRemoval, usersOf, CASE_INSENSITIVE_ORDER } from '../_lib.ts';

export default section({ id: 'users/list', title: 'UserList', seed: 'users.md §UserList' }, [
  // --- permissions (USR-LIST-2) ----------------------------------------------------------------
  check({
    id: 'online/permission-denied',
    title: 'UserList all:false without user_list is refused with E-PERMISSION-DENIED; the connection stays open',
    rules: ['USR-LIST-2', 'GEN-4', 'SES-ERR-3'],
    errors: ['E-PERMISSION-DENIED'],
    seed: 'users.md §UserList Errors',
    actors: { u: user({ permissions: ['user_info', 'user_create'] }) },
    run: async ({ u }) => {
      await u.request('UserList', { all: false }).expectError('E-PERMISSION-DENIED');
      await u.expectConnected();
    },
  }),
  check({
    id: 'online/default-is-online',
    title: 'UserList without "all" means all:false: a user_create holder without user_list is refused',
    rules: ['USR-LIST-2', 'WIRE-JSON-4'],
    errors: ['E-PERMISSION-DENIED'],
    seed: 'users.md §UserList',
    actors: { u: user({ permissions: ['user_create'] }) },
    run: async ({ u }) => {
      await u.request('UserList', {}).expectError('E-PERMISSION-DENIED');
      await u.expectConnected();
    },
  }),
  check({
    id: 'online/success',
    title: 'UserList all:false with user_list lists the online users, the requester included',
    rules: ['USR-LIST-2', 'USR-LIST-3', 'SES-ID-1', 'WIRE-FRM-10'],
    seed: 'users.md §UserList',
    actors: { u: user({ permissions: ['user_list'] }), other: user(), boss: admin() },
    run: async ({ u, other, boss }, t) => {
      const list = usersOf(await u.request('UserList', { all: false }).expectSuccess());
      for (const a of [u, other, boss]) {
        const entry = { username: a.username, is_shared: false, session_ids: including([a.sessionId]) };
        t.expectEqual(entriesFor(list, a.nickname), [entry], 'USR-LIST-3', `the entries of ${a.name}`);
      }
      t.expectEqual(entriesFor(list, boss.nickname), [{ is_admin: true }], 'USR-LIST-3', 'the admin is marked is_admin');
    },
  }),
  check({
    id: 'online/admin-implicit',
    title: 'An admin without stored permissions may list online users',
    rules: ['USR-LIST-2', 'GEN-5'],
    actors: { boss: admin() },
    run: async ({ boss }) => {
      await boss.request('UserList', { all: false }).expectSuccess();
    },
  }),
  check({
    id: 'all/permission-denied',
    title: 'UserList all:true with only user_list is refused with E-PERMISSION-DENIED',
    rules: ['USR-LIST-2', 'GEN-4'],
    errors: ['E-PERMISSION-DENIED'],
    seed: 'users.md §Permissions',
    actors: { u: user({ permissions: ['user_list', 'user_info', 'user_kick'] }) },
    run: async ({ u }) => {
      await u.request('UserList', { all: true }).expectError('E-PERMISSION-DENIED');
      await u.expectConnected();
    },
  }),
  check({
    id: 'all/any-management-permission',
    title: 'UserList all:true is allowed with any one of user_create, user_edit, user_delete (user_list not needed)',
    rules: ['USR-LIST-2', 'USR-LIST-4'],
    seed: 'users.md §Permissions',
    actors: {
      creator: user({ permissions: ['user_create'] }),
      editor: user({ permissions: ['user_edit'] }),
      deleter: user({ permissions: ['user_delete'] }),
    },
    run: async ({ creator, editor, deleter }) => {
      await creator.request('UserList', { all: true }).expectSuccess();
      await editor.request('UserList', { all: true }).expectSuccess();
      await deleter.request('UserList', { all: true }).expectSuccess();
    },
  }),
  check({
    id: 'all/includes-offline-accounts',
    title: 'UserList all:true includes accounts that are offline and disabled, shared accounts and guest',
    rules: ['USR-LIST-4', 'USR-LIST-5'],
    seed: 'users.md §UserListResponse',
    actors: {
      boss: admin(),
      offline: user({ login: false }),
      disabled: user({ login: false, enabled: false }),
      acct: shared({ login: false }),
    },
    run: async ({ boss, offline, disabled, acct }, t) => {
      const list = usersOf(await boss.request('UserList', { all: true }).expectSuccess());
      const byUsername = (name: string) => list.filter((u) => u.username.toLowerCase() === name.toLowerCase());
      for (const a of [offline, disabled]) t.expectEqual(byUsername(a.username), [ANY], 'USR-LIST-4', `the entries of account ${a.name}`);
      t.expectEqual(byUsername(acct.username), [{ is_shared: true }], 'USR-LIST-4', 'the entries of the shared account');
      t.expectEqual(
        byUsername('guest').length,
        where('at least 1', (n) => Number(n) >= 1),
        'USR-LIST-4',
        'entries of the guest account',
      );
      t.expectEqual(
        list.map((u) => u.nickname),
        CASE_INSENSITIVE_ORDER,
        'USR-LIST-5',
        'the nicknames in list order',
      );
    },
  }),

  // --- multi-session and sorting (SES-ID-2, USR-LIST-3, USR-LIST-5) ----------------------------
  check({
    id: 'aggregated-sessions',
    title: 'A regular account with two sessions is listed once, with both session ids and the latest login’s avatar',
    rules: ['USR-LIST-3', 'SES-ID-2', 'UND-14', 'SES-BC-1'],
    seed: 'users.md §Multi-Session Handling',
    actors: { viewer: user({ permissions: ['user_list'] }), a: user(), later: sessionOf('a', { avatar: PNG, locale: 'en' }) },
    run: async ({ viewer, a, later }, t) => {
      const e = entriesFor(usersOf(await viewer.request('UserList', { all: false }).expectSuccess()), a.nickname);
      t.expectEqual(e, [ANY], 'USR-LIST-3', 'the entries of the account');
      t.expectBody(e[0], { session_ids: setOf([a.sessionId, later.sessionId]) }, 'SES-ID-2', 'session_ids holds both sessions');
      t.expectBody(e[0], { avatar: PNG }, 'SES-ID-2', 'avatar comes from the latest login');
    },
  }),
  check({
    id: 'aggregated-locale',
    title: 'A regular account whose two sessions have different locales is listed with the locale of one of them (undetermined which)',
    rules: ['USR-LIST-3', 'SES-ID-2', 'UND-14'],
    actors: { viewer: user({ permissions: ['user_list', 'user_info'] }), a: user(), later: sessionOf('a', { locale: 'en-ZZ' }) },
    run: async ({ viewer, a, later }, t) => {
      // UND-14: any of the sessions' locales is accepted (the comparison checks every entry and
      // UserInfo); the reference shows the latest login's.
      const e = entriesFor(usersOf(await viewer.request('UserList', { all: false }).expectSuccess()), a.nickname);
      t.expectEqual(e, [{ locale: oneOf(['en', 'en-ZZ']) }], 'UND-14', 'the entry of the account: the locale of one of its sessions');
      await viewer.request('UserInfo', { nickname: a.nickname }).expectSuccess();
      await later.request('UserAway', { message: 'both sessions still listed' }).expectSuccess();
      await viewer.expectConnected();
    },
  }),
  check({
    id: 'shared-sessions-separate',
    title: 'Sessions of a shared account are listed separately, each under its own nickname and never as admin',
    rules: ['USR-LIST-3', 'SES-SHARED-2', 'SES-ID-2'],
    seed: 'users.md §Multi-Session Handling',
    actors: { viewer: user({ permissions: ['user_list'] }), s1: shared(), s2: sessionOf('s1') },
    run: async ({ viewer, s1, s2 }, t) => {
      const list = usersOf(await viewer.request('UserList', { all: false }).expectSuccess());
      for (const s of [s1, s2]) {
        const e = entriesFor(list, s.nickname);
        t.expectEqual(e, [{ username: s1.username }], 'SES-SHARED-2', `${s.name} has its own entry under the shared account`);
        t.expectBody(e[0], { is_admin: false, is_shared: true }, 'USR-LIST-3', `${s.name}: is_admin false, is_shared true`);
        t.expectBody(e[0], { session_ids: [s.sessionId] }, 'SES-SHARED-2', `${s.name}: only its own session id`);
      }
    },
  }),
  check({
    id: 'sorted',
    title: 'Online users are sorted by nickname, case-insensitively (mixed-case names interleave)',
    rules: ['USR-LIST-5', 'GEN-7'],
    seed: 'users.md §Sorting',
    actors: {
      viewer: user({ permissions: ['user_list'], name: 'mango' }),
      b: user({ name: 'Banana' }),
      a: user({ name: 'apple' }),
      c: user({ name: 'Cherry' }),
      s: shared({ nickname: 'dATE' }),
    },
    run: async ({ viewer, a, b, c, s }, t) => {
      const names = usersOf(await viewer.request('UserList', { all: false }).expectSuccess()).map((u) => u.nickname);
      t.expectEqual(names, CASE_INSENSITIVE_ORDER, 'USR-LIST-5', 'the nicknames in list order');
      const ours = [a, b, c, s, viewer].map((x) => x.nickname);
      const seen = names.filter((n) => ours.includes(n));
      const sorted = [...ours].sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : 1));
      t.expectEqual(seen, sorted, 'USR-LIST-5', "the check's own nicknames in list order");
    },
  }),

  // --- removed session (GEN-2) -----------------------------------------------------------------
  check({
    id: 'removed-session',
    title: 'UserList on a connection whose session was kicked gets E-AUTHENTICATION and a close (or the socket is already closed)',
    rules: ['USR-LIST-1', 'GEN-2', 'SES-KICK-1', 'SES-KICK-3', 'UND-6', 'SES-ERR-2', 'SES-ERR-4', 'SES-ERR-5'],
    errors: ['E-AUTHENTICATION', 'E-KICKED-BY'],
    seed: 'users.md §UserList Errors',
    actors: { victim: user({ permissions: ['user_list'] }), boss: admin() },
    run: async ({ victim, boss }) => {
      await kick(boss, victim);
      await requestAfterRemoval(victim, 'UserList', { all: false });
    },
  }),
]);
