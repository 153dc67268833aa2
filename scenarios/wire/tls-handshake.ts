// wire.md §1 WIRE-TLS-1, WIRE-TLS-5: the BBS port of a TLS server speaks nothing before TLS.
import { check, section, where } from '../../src/runner/api.ts';
import { frame } from './_frames.ts';

/** Bytes without the start of a Nexus frame (no application data in clear). */
const NO_FRAME = where('no Nexus frame ("NX|")', (text) => !String(text).includes('NX|'));

export default section({ id: 'wire/tls-handshake', title: 'A failed TLS handshake' }, [
  check({
    id: 'plaintext-to-tls-port',
    title: 'A plaintext Handshake sent to the TLS port fails the TLS handshake: the socket closes without any application data',
    rules: ['WIRE-TLS-5', 'WIRE-TLS-1', 'WIRE-BAD-1'],
    needs: { tls: true },
    run: async (_actors, t) => {
      const hello = frame('Handshake', { version: '0.5.0' });
      const probe = await t.plaintextProbe(hello);
      // A TLS alert record may come back; a Nexus frame (an Error or a HandshakeResponse) may not.
      t.expectEqual(probe.received.toString('latin1'), NO_FRAME, 'WIRE-TLS-5', 'what the server answered in clear');
      t.expectEqual(probe.closed, true, 'WIRE-TLS-5', 'the socket is closed after the failed TLS handshake');
    },
  }),
]);
