// wire.md §1 WIRE-TLS-1, WIRE-TLS-5: the BBS port of a TLS server speaks nothing before TLS.
import { check, section } from '../../src/runner/api.ts';
import { frame } from './_frames.ts';

/** True when `bytes` holds the start of a Nexus frame (application data in clear). */
const looksLikeFrame = (bytes: Buffer): boolean => bytes.includes(Buffer.from('NX|'));

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
      t.assert(
        !looksLikeFrame(probe.received),
        'WIRE-TLS-5',
        `the server answered in clear: ${JSON.stringify(probe.received.toString('latin1').slice(0, 120))}`,
      );
      t.assert(probe.closed, 'WIRE-TLS-5', 'the server kept the socket open after a failed TLS handshake');
    },
  }),
]);
