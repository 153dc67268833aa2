// wire.md §10: the connection state machine NEW → SHAKEN → AUTH — messages before Handshake or
// Login, a second Handshake, a second Login.
import { check, connection, section, user } from '../../src/runner/api.ts';
import type { ClientType } from '../../src/protocol/types.ts';
import { credentials, loginBody } from '../_lib.ts';

const listener = () => user({ permissions: ['user_list'] });
const deaf = () => user({ permissions: ['user_info'] });

/**
 * One well-typed request per in-scope type other than Handshake, Login and ServerInfoUpdate. Values
 * that a validator would reject are used on purpose: before Login no validation result is revealed
 * (GEN-1), the answer is E-NOT-LOGGED-IN.
 */
const BEFORE_LOGIN: Array<{ type: ClientType; body: Record<string, unknown>; rules: string[] }> = [
  { type: 'UserList', body: { all: false }, rules: ['USR-LIST-1'] },
  { type: 'UserInfo', body: { nickname: 'bad nick' }, rules: ['USR-INFO-1'] },
  { type: 'UserAway', body: { message: 'line\nbreak' }, rules: ['USR-AWAY-1'] },
  { type: 'UserBack', body: {}, rules: ['USR-BACK-1'] },
  { type: 'UserStatus', body: { status: 'tab\there' }, rules: ['USR-STATUS-1'] },
  {
    type: 'UserCreate',
    body: { username: 'bad name', password: '', is_admin: true, enabled: true, permissions: ['zz_not_a_permission'] },
    rules: ['ADM-CREATE-1'],
  },
  { type: 'UserEdit', body: { username: 'bad name' }, rules: [] },
  { type: 'UserUpdate', body: { username: 'bad name' }, rules: ['ADM-UPDATE-1'] },
  { type: 'UserDelete', body: { username: 'bad name' }, rules: ['ADM-DELETE-1'] },
  { type: 'UserKick', body: { nickname: 'bad nick' }, rules: ['ADM-KICK-1'] },
  { type: 'ConnectionMonitor', body: {}, rules: ['CM-1'] },
];

const notLoggedIn = BEFORE_LOGIN.map(({ type, body, rules }) =>
  check({
    id: `not-logged-in/${type}`,
    title: `${type} before Login (with or without Handshake) gets E-NOT-LOGGED-IN and the connection closes`,
    rules: ['WIRE-SEQ-3', 'GEN-1', 'SES-ERR-2', 'WIRE-ID-2', ...rules],
    errors: ['E-NOT-LOGGED-IN'],
    actors: { fresh: connection('new'), shaken: connection('shaken') },
    run: async ({ fresh, shaken }) => {
      await fresh.request(type, body).expectError('E-NOT-LOGGED-IN');
      await fresh.expectClosed();
      await shaken.request(type, body).expectError('E-NOT-LOGGED-IN');
      await shaken.expectClosed();
    },
  }),
);

export default section({ id: 'session/sequencing', title: 'Message sequencing (NEW → SHAKEN → AUTH)' }, [
  check({
    id: 'login-before-handshake',
    title: 'Login before Handshake gets E-HANDSHAKE-REQUIRED (command "Login") and the connection closes',
    rules: ['WIRE-SEQ-2', 'SES-LOGIN-2', 'SES-ERR-2'],
    errors: ['E-HANDSHAKE-REQUIRED'],
    actors: { c: connection('new'), account: user({ login: false }) },
    run: async ({ c, account }) => {
      await c.login(credentials(account)).expectError('E-HANDSHAKE-REQUIRED');
      await c.expectClosed();
    },
  }),
  check({
    id: 'login-before-handshake-invalid-fields',
    title: 'The handshake requirement is checked before any Login field: an invalid username still gets E-HANDSHAKE-REQUIRED',
    rules: ['SES-LOGIN-2', 'SES-LOGIN-4', 'WIRE-SEQ-2'],
    errors: ['E-HANDSHAKE-REQUIRED'],
    actors: { c: connection('new') },
    run: async ({ c }) => {
      await c.login(loginBody('bad name', 'p'.repeat(300), { locale: 'x'.repeat(40) })).expectError('E-HANDSHAKE-REQUIRED');
      await c.expectClosed();
    },
  }),
  ...notLoggedIn,
  check({
    id: 'not-logged-in/ServerInfoUpdate',
    title: 'ServerInfoUpdate before Login gets E-NOT-LOGGED-IN (nexusd keeps the connection open; spec allows either)',
    rules: ['WIRE-SEQ-4', 'GEN-1', 'ADM-SINFO-1'],
    errors: ['E-NOT-LOGGED-IN'],
    actors: { c: connection('shaken') },
    run: async ({ c }, t) => {
      await c.request('ServerInfoUpdate', { name: 'x' }).expectError('E-NOT-LOGGED-IN');
      if (t.profile === 'nexusd') await c.expectConnected();
    },
  }),
  check({
    id: 'second-handshake/shaken',
    title: 'A second Handshake gets HandshakeResponse failure E-HANDSHAKE-ALREADY-COMPLETED and the connection closes',
    rules: ['SES-HS-7', 'WIRE-SEQ-5', 'SES-HS-5'],
    errors: ['E-HANDSHAKE-ALREADY-COMPLETED'],
    actors: { c: connection('shaken') },
    run: async ({ c }, t) => {
      const reply = await c.handshake().expectError('E-HANDSHAKE-ALREADY-COMPLETED');
      t.expectBody(reply, { type: 'HandshakeResponse' }, 'SES-HS-7', 'the failure is a HandshakeResponse');
      await c.expectClosed();
    },
  }),
  check({
    id: 'second-handshake/logged-in',
    title: 'A Handshake after Login fails with E-HANDSHAKE-ALREADY-COMPLETED, closes, and ends the session (UserDisconnected)',
    rules: ['SES-HS-7', 'WIRE-SEQ-5', 'SES-BC-3', 'BC-2'],
    errors: ['E-HANDSHAKE-ALREADY-COMPLETED'],
    actors: { u: user(), hears: listener(), quiet: deaf() },
    run: async ({ u, hears, quiet }) => {
      await u.handshake().expectError('E-HANDSHAKE-ALREADY-COMPLETED');
      await u.expectClosed();
      await hears.expectConnected();
      await quiet.expectConnected();
    },
  }),
  check({
    id: 'second-login',
    title: 'A second Login on a logged-in connection gets E-ALREADY-LOGGED-IN, closes, and ends the session (UserDisconnected)',
    rules: ['WIRE-SEQ-7', 'SES-LOGIN-3', 'WIRE-TCP-2', 'SES-ERR-2', 'SES-BC-3', 'BC-2'],
    errors: ['E-ALREADY-LOGGED-IN'],
    actors: { u: user(), hears: listener(), quiet: deaf() },
    run: async ({ u, hears, quiet }) => {
      await u.login(credentials(u)).expectError('E-ALREADY-LOGGED-IN');
      await u.expectClosed();
      await hears.expectConnected();
      await quiet.expectConnected();
    },
  }),
  check({
    id: 'second-login-before-validation',
    title: 'The already-logged-in check precedes field validation: an invalid second Login still gets E-ALREADY-LOGGED-IN',
    rules: ['SES-LOGIN-3', 'SES-LOGIN-4', 'WIRE-SEQ-7'],
    errors: ['E-ALREADY-LOGGED-IN'],
    actors: { u: user() },
    run: async ({ u }) => {
      await u.login(loginBody('bad name', 'x')).expectError('E-ALREADY-LOGGED-IN');
      await u.expectClosed();
    },
  }),
  check({
    id: 'second-login-other-account',
    title: 'One connection carries at most one session: a Login as another account is E-ALREADY-LOGGED-IN too',
    rules: ['WIRE-TCP-2', 'SES-LOGIN-3', 'WIRE-SEQ-7'],
    errors: ['E-ALREADY-LOGGED-IN'],
    actors: { u: user(), other: user({ login: false }) },
    run: async ({ u, other }) => {
      await u.login(credentials(other)).expectError('E-ALREADY-LOGGED-IN');
      await u.expectClosed();
      await other.login(credentials(other)).expectSuccess();
    },
  }),
]);
