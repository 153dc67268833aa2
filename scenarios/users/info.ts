// rules.md §4.2 UserInfo; seed users.md §UserInfo, §UserInfo Errors, §UserInfoDetailed.
import { admin, check, section, sessionOf, shared, user, NONE, including, setOf, ofLength } from '../../src/runner/api.ts';
import { PATH_CHARACTERS, PNG, expectValidatorPastFrameLimit, requestAfterRemoval } from '../_lib.ts';

const asker = () => user({ permissions: ['user_info'] });

export default section({ id: 'users/info', title: 'UserInfo', seed: 'users.md §UserInfo' }, [
  check({
    id: 'permission-denied',
    title: 'UserInfo without user_info is refused with E-PERMISSION-DENIED; the connection stays open',
    rules: ['USR-INFO-4', 'GEN-4', 'SES-ERR-3'],
    errors: ['E-PERMISSION-DENIED'],
    seed: 'users.md §UserInfo Errors',
    actors: { u: user({ permissions: ['user_list'] }), target: user() },
    run: async ({ u, target }) => {
      await u.request('UserInfo', { nickname: target.nickname }).expectError('E-PERMISSION-DENIED');
      await u.expectConnected();
    },
  }),
  check({
    id: 'nickname-empty',
    title: 'An empty nickname is rejected with E-NICKNAME-EMPTY — before the permission check; the connection stays open',
    rules: ['USR-INFO-2', 'VAL-NICKNAME'],
    errors: ['E-NICKNAME-EMPTY'],
    seed: 'users.md §UserInfo Errors',
    actors: { u: user() },
    run: async ({ u }) => {
      await u.request('UserInfo', { nickname: '' }).expectError('E-NICKNAME-EMPTY');
      await u.expectConnected();
    },
  }),
  check({
    id: 'nickname-invalid',
    title: 'A nickname with a space or a control character is rejected with E-NICKNAME-INVALID, before the permission check',
    rules: ['USR-INFO-2', 'VAL-NICKNAME'],
    errors: ['E-NICKNAME-INVALID'],
    seed: 'users.md §UserInfo Errors',
    actors: { u: user() },
    run: async ({ u }) => {
      await u.request('UserInfo', { nickname: 'two words' }).expectError('E-NICKNAME-INVALID');
      await u.request('UserInfo', { nickname: 'nul\u0000' }).expectError('E-NICKNAME-INVALID');
      await u.expectConnected();
    },
  }),
  check({
    id: 'nickname-too-long',
    title:
      'A 33-character nickname is rejected with E-NICKNAME-TOO-LONG and the connection stays open (nexusd: the frame limit may answer first)',
    rules: ['USR-INFO-2', 'VAL-NICKNAME', 'WIRE-LIM-4', 'UND-11'],
    errors: ['E-NICKNAME-TOO-LONG'],
    seed: 'users.md §UserInfo Errors',
    actors: { u: asker() },
    run: async ({ u }) => {
      await expectValidatorPastFrameLimit(u, u.request('UserInfo', { nickname: 'n'.repeat(33) }), 'E-NICKNAME-TOO-LONG');
    },
  }),
  check({
    id: 'path-characters',
    title: 'Nicknames with path-sensitive characters are either accepted (then not online) or rejected as invalid',
    rules: ['VAL-PATHCHARS', 'UND-3', 'USR-INFO-2', 'USR-INFO-5'],
    actors: { u: asker() },
    run: async ({ u }, t) => {
      // UND-3: the seed era accepts them (E-NICKNAME-NOT-ONLINE), later builds refuse them
      // (E-NICKNAME-INVALID); the runner predicts both outcomes for each name and nothing else.
      for (const ch of PATH_CHARACTERS) {
        const r = await u.request('UserInfo', { nickname: `a${ch}b` });
        t.expectEqual(r, { type: 'UserInfoResponse', body: { success: false } }, 'VAL-PATHCHARS', `the answer to "a${ch}b" (not found)`);
      }
      await u.expectConnected();
    },
  }),
  check({
    id: 'not-online',
    title: 'UserInfo for an offline account or an unknown name gets E-NICKNAME-NOT-ONLINE (nickname as typed)',
    rules: ['USR-INFO-5'],
    errors: ['E-NICKNAME-NOT-ONLINE'],
    seed: 'users.md §UserInfoResponse',
    actors: { u: asker(), offline: user({ login: false }) },
    run: async ({ u, offline }, t) => {
      await u.request('UserInfo', { nickname: offline.username }).expectError('E-NICKNAME-NOT-ONLINE');
      await u.request('UserInfo', { nickname: t.name('Nobody') }).expectError('E-NICKNAME-NOT-ONLINE');
      await u.expectConnected();
    },
  }),
  check({
    id: 'validation-before-lookup',
    title: 'Validation precedes the permission and lookup: without user_info an invalid nickname still gets E-NICKNAME-INVALID',
    rules: ['USR-INFO-2', 'USR-INFO-4', 'GEN-3'],
    errors: ['E-NICKNAME-INVALID'],
    actors: { u: user({ permissions: ['user_list'] }) },
    run: async ({ u }) => {
      await u.request('UserInfo', { nickname: 'no such user' }).expectError('E-NICKNAME-INVALID');
    },
  }),
  check({
    id: 'success/non-admin',
    title: 'A user_info holder gets the detailed view of an online user, without addresses',
    rules: ['USR-INFO-6', 'USR-INFO-7', 'USR-INFO-8', 'SES-ID-1'],
    seed: 'users.md §UserInfoResponse',
    actors: { u: asker(), target: user({ features: ['chat', 'news'] }) },
    run: async ({ u, target }, t) => {
      const r = await u.request('UserInfo', { nickname: target.nickname }).expectSuccess();
      const info = r.body.user as Record<string, unknown>;
      t.expectBody(info, { username: target.username, nickname: target.nickname }, 'USR-INFO-6', 'username and nickname of the target');
      t.expectBody(info, { session_ids: setOf([target.sessionId]) }, 'USR-INFO-6', 'session_ids of the target');
      t.expectBody(info, { addresses: NONE }, 'USR-INFO-8', 'no addresses for a non-admin requester');
      // USR-INFO-7 [DIVERGENT]: `spec` shows is_admin to admins only; `nexusd` always.
      if (t.profile === 'spec') t.expectBody(info, { is_admin: NONE }, 'USR-INFO-7', 'no is_admin for a non-admin requester');
    },
  }),
  check({
    id: 'success/admin',
    title: 'An admin (no stored permissions) gets is_admin and one address per live session',
    rules: ['USR-INFO-4', 'USR-INFO-7', 'USR-INFO-8', 'GEN-5'],
    seed: 'users.md §UserInfoResponse',
    actors: { boss: admin(), target: user(), second: sessionOf('target') },
    run: async ({ boss, target }, t) => {
      const r = await boss.request('UserInfo', { nickname: target.nickname }).expectSuccess();
      const info = r.body.user as Record<string, unknown>;
      t.expectBody(info, { is_admin: false }, 'USR-INFO-7', 'is_admin is present for an admin requester');
      t.expectBody(info, { addresses: ofLength(2) }, 'USR-INFO-8', 'one address per live session');
    },
  }),
  check({
    id: 'self',
    title: 'Looking oneself up is allowed',
    rules: ['USR-INFO-6'],
    actors: { u: asker() },
    run: async ({ u }) => {
      await u.request('UserInfo', { nickname: u.nickname }).expectSuccess();
    },
  }),
  check({
    id: 'case-insensitive',
    title: 'The nickname is matched case-insensitively; the answer carries the stored casing',
    rules: ['USR-INFO-5', 'USR-INFO-6', 'GEN-7'],
    seed: 'admin.md §Username Validation',
    actors: { u: asker(), target: user() },
    run: async ({ u, target }, t) => {
      const r = await u.request('UserInfo', { nickname: target.nickname.toUpperCase() }).expectSuccess();
      t.expectBody(r, { user: { username: target.username } }, 'GEN-7', 'stored casing');
    },
  }),
  check({
    id: 'aggregated',
    title: 'A multi-session account is shown once: all session ids, union of features, latest avatar',
    rules: ['USR-INFO-6', 'SES-ID-2', 'UND-14'],
    seed: 'users.md §Multi-Session Handling',
    actors: { u: asker(), target: user({ features: ['chat'] }), later: sessionOf('target', { features: ['news'], avatar: PNG }) },
    run: async ({ u, target, later }, t) => {
      const info = (await u.request('UserInfo', { nickname: target.nickname }).expectSuccess()).body.user as Record<string, unknown>;
      t.expectBody(info, { session_ids: setOf([target.sessionId, later.sessionId]) }, 'SES-ID-2', 'both session ids');
      t.expectBody(info, { features: including(['chat', 'news']) }, 'SES-ID-2', 'features are the union');
      t.expectBody(info, { avatar: PNG }, 'SES-ID-2', 'avatar from the latest login');
    },
  }),
  check({
    id: 'shared-session',
    title: 'UserInfo on a shared session’s nickname shows that session only, with the shared account as username',
    rules: ['USR-INFO-6', 'SES-ID-1', 'SES-SHARED-2'],
    seed: 'users.md §Username vs Nickname',
    actors: { u: asker(), s1: shared(), s2: sessionOf('s1') },
    run: async ({ u, s1, s2 }, t) => {
      const info = (await u.request('UserInfo', { nickname: s2.nickname }).expectSuccess()).body.user as Record<string, unknown>;
      t.expectBody(info, { username: s1.username, nickname: s2.nickname, is_shared: true }, 'SES-ID-1', 'shared account, session nickname');
      t.expectBody(info, { session_ids: setOf([s2.sessionId]) }, 'SES-SHARED-2', 'only that session');
    },
  }),
  check({
    id: 'removed-session',
    title: 'UserInfo on a connection whose account was deleted gets E-AUTHENTICATION and a close (or the socket is already closed)',
    rules: ['USR-INFO-3', 'GEN-2', 'SES-FORCE-1', 'UND-6', 'SES-ERR-4', 'SES-ERR-5'],
    errors: ['E-AUTHENTICATION', 'E-ACCOUNT-DELETED'],
    seed: 'users.md §UserInfo Errors',
    actors: { victim: asker(), boss: admin() },
    run: async ({ victim, boss }) => {
      await boss.request('UserDelete', { username: victim.username }).expectSuccess();
      await requestAfterRemoval(victim, 'UserInfo', { nickname: boss.nickname });
    },
  }),
]);
