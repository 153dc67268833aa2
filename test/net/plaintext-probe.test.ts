// WIRE-TLS-5 probe: plaintext to a TLS port ends in a close with no frame; a plain server answers
// in clear (what the check reports as a violation on a TLS target).
import { describe, expect, it } from 'vitest';
import { plaintextProbe } from '../../src/net/plaintext-probe.ts';
import { encodeFrame } from '../../src/protocol/frame.ts';
import { perTest } from '../support/per-test.ts';

const { serve } = perTest('nc-test-');

const hello = encodeFrame('Handshake', '0a1b2c3d4e5f', JSON.stringify({ type: 'Handshake', version: '0.5.0' }));

describe('plaintextProbe', () => {
  it('sees a TLS port close the socket without application data (WIRE-TLS-5)', async () => {
    const s = await serve({ port: 0, tls: true });
    const r = await plaintextProbe(s.host, s.port, hello, 5000);
    expect(r.closed).toBe(true);
    expect(r.received.includes(Buffer.from('NX|'))).toBe(false);
  });

  it('sees a plain server answer in clear (what the check reports on a TLS target)', async () => {
    const s = await serve({ port: 0, tls: false });
    const r = await plaintextProbe(s.host, s.port, hello, 500);
    expect(r.received.toString('utf8')).toContain('NX|17|HandshakeResponse|0a1b2c3d4e5f|');
  });
});
