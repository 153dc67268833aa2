// wire.md §10 WIRE-SEQ-8 (pipelining) and §11 ordering (WIRE-ORD-1..4).
import { check, connection, section, user } from '../../src/runner/api.ts';
import { credentials, listEntry, serverVersion } from '../_lib.ts';

export default section({ id: 'wire/ordering', title: 'Pipelining and ordering' }, [
  check({
    id: 'pipeline/handshake-login-list',
    title: 'Handshake, Login and UserList written in one go are processed in order, each answered before the next is read',
    rules: ['WIRE-SEQ-8', 'WIRE-ORD-1', 'WIRE-ORD-4', 'WIRE-FRM-9', 'WIRE-SEQ-1', 'WIRE-SEQ-6'],
    actors: {
      c: connection('new'),
      account: user({ login: false, permissions: ['user_list'] }),
      hears: user({ permissions: ['user_list'] }),
    },
    run: async ({ c, account }, t) => {
      const [hs, login, list] = await c.pipeline([
        { type: 'Handshake', body: { version: serverVersion(t).text } },
        { type: 'Login', body: credentials(account) },
        { type: 'UserList', body: { all: false } },
      ]);
      t.expectBody(hs, { type: 'HandshakeResponse', success: true }, 'WIRE-SEQ-8', 'the Handshake succeeded');
      t.expectBody(login, { type: 'LoginResponse', success: true }, 'WIRE-ORD-4', 'the Login succeeded');
      t.expectBody(list, { type: 'UserListResponse', success: true }, 'WIRE-ORD-1', 'the UserList was answered after the Login');
    },
  }),
  check({
    id: 'pipeline/nothing-after-close',
    title: 'Nothing written after a closing error is processed: a Handshake behind a pre-login UserList gets no answer',
    rules: ['WIRE-SEQ-8', 'WIRE-SEQ-3'],
    errors: ['E-NOT-LOGGED-IN'],
    actors: { c: connection('new') },
    run: async ({ c }, t) => {
      const [first, second] = await c.pipeline([
        { type: 'UserList', body: { all: false } },
        { type: 'Handshake', body: { version: serverVersion(t).text } },
      ]);
      t.expectBody(first, { type: 'Error' }, 'WIRE-SEQ-3', 'the UserList gets an Error');
      t.expectEqual(second, null, 'WIRE-SEQ-8', 'the answer to the Handshake (none)');
      await c.expectClosed();
    },
  }),
  check({
    id: 'pipeline/failed-login',
    title: 'After a failed pipelined Login nothing further is processed and no session is announced',
    rules: ['WIRE-SEQ-8', 'SES-BC-5', 'SES-LOGIN-10'],
    errors: ['E-INVALID-CREDENTIALS'],
    actors: { c: connection('new'), account: user({ login: false }), hears: user({ permissions: ['user_list'] }) },
    run: async ({ c, account, hears }, t) => {
      const answers = await c.pipeline([
        { type: 'Handshake', body: { version: serverVersion(t).text } },
        { type: 'Login', body: credentials(account, { password: `${account.password}x` }) },
        { type: 'UserList', body: { all: false } },
      ]);
      t.expectEqual(answers[2], null, 'WIRE-SEQ-8', 'the answer to the UserList after the failed Login (none)');
      await c.expectClosed();
      await hears.expectConnected();
    },
  }),
  check({
    id: 'pipeline/in-order',
    title: 'Ten pipelined UserStatus requests are applied in order: the last one wins',
    rules: ['WIRE-SEQ-8', 'WIRE-ORD-1', 'WIRE-ORD-2', 'USR-STATUS-2'],
    actors: { u: user({ permissions: ['user_list'] }), hears: user({ permissions: ['user_list'] }) },
    run: async ({ u, hears }, t) => {
      const answers = await u.pipeline(
        Array.from({ length: 10 }, (_, i) => ({ type: 'UserStatus' as const, body: { status: `step ${i}` } })),
      );
      const answered = { type: 'UserStatusResponse', body: { success: true } };
      t.expectEqual(
        answers,
        answers.map(() => answered),
        'WIRE-ORD-1',
        'the answers, one per request',
      );
      t.expectBody(await listEntry(hears, u.nickname), { status: 'step 9' }, 'WIRE-SEQ-8', 'the last status is shown');
    },
  }),
  check({
    id: 'cross-connection',
    title: 'Broadcasts to other connections are causal but not ordered against the requester’s response',
    rules: ['WIRE-ORD-3', 'WIRE-ORD-2', 'BC-4', 'WIRE-TCP-2'],
    actors: { u: user({ permissions: ['user_list'] }), hears: user({ permissions: ['user_list'] }) },
    run: async ({ u, hears }) => {
      await u.request('UserAway', { message: 'order' }).expectSuccess();
      // The runner waits for the predicted UserUpdated on both connections with a timeout, not an order.
      await hears.expectConnected();
      await u.expectConnected();
    },
  }),
]);
