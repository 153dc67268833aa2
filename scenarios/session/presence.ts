// session.md §5, rules.md §6 BC-1/BC-2: UserConnected / UserDisconnected and who receives them.
// Each check has a listener that must receive the broadcast (holds user_list, or is admin) and one
// that must not (lacks user_list). The runner compares every actor's inbox with the model; the
// closing round trips (`expectConnected`) prove that nothing else arrived.
import { admin, check, connection, section, sessionOf, shared, user } from '../../src/runner/api.ts';
import { credentials, sharedLogin } from '../_lib.ts';
import { frameWithPayload } from '../wire/_frames.ts';

const listener = () => user({ permissions: ['user_list'] });
const deaf = () => user({ permissions: ['user_info', 'chat_send'] });

export default section({ id: 'session/presence', title: 'Presence broadcasts', seed: 'users.md §User Presence Broadcasts' }, [
  check({
    id: 'connected/audience',
    title: 'A login is announced with UserConnected to user_list holders and admins, not to others nor to the new session',
    rules: ['SES-BC-1', 'BC-1', 'SES-LOGIN-17', 'GEN-5', 'WIRE-ID-3', 'WIRE-ID-4', 'WIRE-ORD-3', 'WIRE-ORD-4', 'WIRE-TCP-2'],
    seed: 'users.md §Notes',
    actors: { newcomer: user({ login: false }), hears: listener(), boss: admin(), quiet: deaf() },
    run: async ({ newcomer, hears, boss, quiet }) => {
      await newcomer.login(credentials(newcomer)).expectSuccess();
      await newcomer.expectConnected();
      await hears.expectConnected();
      await boss.expectConnected();
      await quiet.expectConnected();
    },
  }),
  check({
    id: 'connected/second-session',
    title: 'A second session of an account already online is announced too, also to that account’s first session',
    rules: ['SES-BC-1', 'BC-1', 'SES-AUTH-1'],
    seed: 'users.md §Multi-Session Handling',
    actors: { first: listener(), c: connection('shaken'), quiet: deaf() },
    run: async ({ first, c, quiet }) => {
      await c.login(credentials(first)).expectSuccess();
      await first.expectConnected();
      await quiet.expectConnected();
    },
  }),
  check({
    id: 'connected/shared-session',
    title: 'A shared session is announced with its own nickname and is_shared:true',
    rules: ['SES-BC-1', 'BC-1', 'SES-ID-1', 'SES-SHARED-1'],
    seed: 'users.md §UserConnected',
    actors: { acct: shared({ login: false }), hears: listener(), quiet: deaf() },
    run: async ({ acct, hears, quiet }, t) => {
      await acct.login(sharedLogin(acct, t.name('Visitor'))).expectSuccess();
      await hears.expectConnected();
      await quiet.expectConnected();
    },
  }),
  check({
    id: 'disconnected/close',
    title: 'A client closing its connection is announced with UserDisconnected to user_list holders only',
    rules: ['SES-BC-3', 'BC-2', 'WIRE-BAD-14', 'SES-ID-4'],
    seed: 'users.md §Notes',
    actors: { leaver: user(), hears: listener(), boss: admin(), quiet: deaf() },
    run: async ({ leaver, hears, boss, quiet }) => {
      await leaver.close();
      await hears.expectConnected();
      await boss.expectConnected();
      await quiet.expectConnected();
    },
  }),
  check({
    id: 'disconnected/one-of-two-sessions',
    title: 'Ending one of two sessions sends one UserDisconnected for that session, also to the remaining session',
    rules: ['SES-BC-3', 'BC-2', 'SES-BC-4', 'SES-ID-2'],
    seed: 'users.md §Multi-Session Handling',
    actors: { first: listener(), second: sessionOf('first'), quiet: deaf() },
    run: async ({ first, second, quiet }) => {
      await second.close();
      await first.expectConnected();
      await quiet.expectConnected();
    },
  }),
  check({
    id: 'disconnected/error-close',
    title: 'A session ended by a framing error is announced with UserDisconnected like any other logout',
    rules: ['SES-BC-3', 'BC-2', 'WIRE-BAD-3', 'SES-ERR-1'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    actors: { leaver: user(), hears: listener(), quiet: deaf() },
    run: async ({ leaver, hears, quiet }) => {
      await leaver.sendRaw(frameWithPayload('ZzNotAType', '{}'));
      await leaver.expectClosed();
      await hears.expectConnected();
      await quiet.expectConnected();
    },
  }),
  check({
    id: 'no-broadcast-before-login',
    title: 'Handshakes, failed Logins and pre-login disconnects cause no broadcast',
    rules: ['SES-BC-5', 'SES-BC-3', 'BC-1', 'BC-2'],
    errors: ['E-INVALID-CREDENTIALS'],
    actors: { hears: listener(), boss: admin(), fresh: connection('new'), failing: connection('shaken'), account: user({ login: false }) },
    run: async ({ hears, boss, fresh, failing, account }) => {
      await fresh.handshake().expectSuccess();
      await failing.login(credentials(account, { password: `${account.password}x` })).expectError('E-INVALID-CREDENTIALS');
      await failing.expectClosed();
      await fresh.close();
      await account.close();
      await hears.expectConnected();
      await boss.expectConnected();
    },
  }),
]);
