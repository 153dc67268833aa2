// A bare TCP exchange outside the protocol: for transport probes (plaintext sent to a TLS port,
// WIRE-TLS-5) where no frame codec, TLS or model may be in the way.
import net from 'node:net';

export interface PlaintextProbeResult {
  /** Every byte the server sent back. */
  received: Buffer;
  /** The server closed the connection (EOF or reset) before the timeout. */
  closed: boolean;
}

/** Writes `bytes` and collects what comes back until the server closes or `timeoutMs` passes. */
export function plaintextProbe(host: string, port: number, bytes: Uint8Array | string, timeoutMs: number): Promise<PlaintextProbeResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const sock = net.connect({ host, port, noDelay: true });
    const finish = (closed: boolean): void => {
      clearTimeout(timer);
      sock.removeAllListeners();
      sock.on('error', () => undefined);
      sock.destroy();
      resolve({ received: Buffer.concat(chunks), closed });
    };
    // The deadline is the verdict "still open", not a sleep: the probe ends at the first close.
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.on('connect', () => sock.write(bytes));
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('end', () => finish(true));
    sock.on('close', () => finish(true));
    sock.on('error', () => finish(true));
  });
}
