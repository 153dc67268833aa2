// wire.md §4 message ids: WIRE-ID-1..4.
import { check, connection, section, user } from '../../src/runner/api.ts';
import { serverVersion } from '../_lib.ts';
import { frame } from './_frames.ts';

export default section({ id: 'wire/ids', title: 'Message ids' }, [
  check({
    id: 'echo-case-preserved',
    title: 'A direct response echoes the request id byte for byte, upper-case and mixed-case ids included',
    rules: ['WIRE-ID-2', 'WIRE-FRM-4', 'WIRE-ID-4'],
    actors: { c: connection('new'), u: user() },
    run: async ({ c, u }, t) => {
      await c.sendRaw(frame('Handshake', { version: serverVersion(t).text }, 'ABCdef012345'));
      await c.expectConnected();
      await u.sendRaw(frame('UserBack', {}, 'FFFFFFFFFFFF'));
      await u.expectConnected();
    },
  }),
  check({
    id: 'echo-on-error',
    title: 'An Error produced while handling a request (here E-NOT-LOGGED-IN) echoes that request’s id',
    rules: ['WIRE-ID-2', 'SES-ERR-2', 'WIRE-SEQ-3'],
    errors: ['E-NOT-LOGGED-IN'],
    actors: { c: connection('new') },
    run: async ({ c }) => {
      await c.sendRaw(frame('UserList', { all: false }, 'DeadBeef0042'));
      await c.expectClosed();
    },
  }),
  check({
    id: 'ids-need-not-be-unique',
    title: 'The server does not require unique ids: the same id used twice gets two answers',
    rules: ['WIRE-ID-1', 'WIRE-ID-2'],
    actors: { u: user() },
    run: async ({ u }) => {
      await u.sendRaw(frame('UserStatus', { status: 'one' }, '000000000000'));
      await u.sendRaw(frame('UserStatus', { status: 'two' }, '000000000000'));
      await u.expectConnected();
    },
  }),
  check({
    id: 'broadcast-fresh-id',
    title: 'A broadcast copy sent to the requester itself carries a fresh lower-case id, not the request id',
    rules: ['WIRE-ID-3', 'WIRE-ID-4', 'BC-4', 'WIRE-ORD-2'],
    actors: { u: user({ permissions: ['user_list'] }) },
    run: async ({ u }) => {
      // An upper-case request id: an echo of it in the UserUpdated copy could not pass as a fresh id.
      await u.sendRaw(frame('UserAway', { message: 'ids' }, 'ABCDEF012345'));
      await u.expectConnected();
    },
  }),
]);
