// wire.md §1–§2 transport and ports: WIRE-TLS-*, WIRE-TCP-*, WIRE-PORT-1, and WIRE-BAD-15.
import { check, connection, section, user } from '../../src/runner/api.ts';
import { serverVersion } from '../_lib.ts';
import { frame } from './_frames.ts';

export default section({ id: 'wire/transport', title: 'Transport' }, [
  check({
    id: 'tls-session',
    title: 'Over TLS (self-signed certificate, TOFU fingerprint, TLS 1.2+), the BBS protocol runs unchanged inside the TLS session',
    rules: ['WIRE-TLS-1', 'WIRE-TLS-2', 'WIRE-TLS-3', 'WIRE-TLS-4', 'WIRE-PORT-1', 'SES-HS-4'],
    needs: { tls: true },
    actors: { c: connection('new') },
    run: async ({ c }) => {
      // The harness accepted the certificate by fingerprint (WIRE-TLS-3) before this point.
      await c.handshake().expectSuccess();
      await c.expectConnected();
    },
  }),
  check({
    id: 'garbage-inside-tls',
    title: 'Bytes that are not a frame inside an established session are a framing error (WIRE-BAD-1), not a TLS failure',
    rules: ['WIRE-BAD-1', 'WIRE-TLS-5', 'WIRE-TCP-1'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    actors: { c: connection('shaken') },
    run: async ({ c }) => {
      await c.sendRaw('\x16\x03\x01\x00\x05hello');
      await c.expectClosed();
    },
  }),
  check({
    id: 'full-duplex',
    title: 'After login the server pushes broadcasts at any time, interleaved with the responses on the same connection',
    rules: ['WIRE-TCP-2', 'WIRE-ORD-2', 'BC-1', 'BC-4'],
    actors: { u: user({ permissions: ['user_list'] }), other: user({ login: false }) },
    run: async ({ u, other }) => {
      await other.login().expectSuccess();
      await u.request('UserStatus', { status: 'duplex' }).expectSuccess();
      await other.close();
      await u.expectConnected();
    },
  }),
  check({
    id: 'transfer-port-type',
    title: 'A transfer-port message type on the BBS port is refused (an Error and/or a close; never processed)',
    rules: ['WIRE-BAD-15', 'WIRE-FRM-8'],
    actors: { c: connection('new'), u: user() },
    run: async ({ c, u }, t) => {
      // WIRE-BAD-15 [UNDETERMINED]: the type rejected at the framing layer (optional E-INVALID-MESSAGE-FORMAT,
      // close), or read and refused: "Message type not supported" or E-INVALID-MESSAGE-FORMAT, with or
      // without a close. The runner predicts exactly these outcomes (src/runner/outcomes.ts).
      const bytes = frame('FileStart', { path: '/', version: serverVersion(t).text });
      await c.sendRaw(bytes);
      // The same after login: never processed, whatever the session.
      await u.sendRaw(bytes);
      if (u.sessionId !== undefined) await u.expectConnected();
    },
  }),
]);
