// NexusConnection.localAddress: the local IP of the socket, i.e. the address the target sees for the
// harness without a NAT (WIRE-IP-1 counts per IP). Checked against what the reference server
// recorded for the same connection, over plain TCP and TLS, IPv4 and IPv6 loopback.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/server.ts';
import { RawClient } from '../../src/net/raw-client.ts';
import { seededIds } from '../../src/protocol/ids.ts';
import { perTest } from '../support/per-test.ts';

/** Message ids of the test's raw clients (seeded, like the harness's). */
const ids = seededIds(7);

const T = 5000;
const { own } = perTest();

async function ipv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(0, '::1', () => s.close(() => resolve(true)));
  });
}

async function seenByServer(host: string, tls: boolean): Promise<{ local: string; seen: string[] }> {
  const srv = await startServer({ host, port: 0, tls });
  own(srv);
  const c = await RawClient.open({ host, port: srv.port, transport: tls ? 'tls' : 'plain', timeoutMs: T }, ids);
  own(c);
  await c.request('Handshake', { version: '0.5.0' }, T); // a round trip: the server has accepted it
  return { local: c.conn.localAddress, seen: Object.values(srv.state().connections).map((x) => x.ip) };
}

describe('NexusConnection.localAddress', () => {
  it.each([false, true])('is the IPv4 address the server records (tls: %s)', async (tls) => {
    const { local, seen } = await seenByServer('127.0.0.1', tls);
    expect(local).toBe('127.0.0.1');
    expect(seen).toEqual([local]);
  });

  it('is the IPv6 loopback address over IPv6', async (ctx) => {
    if (!(await ipv6Loopback())) ctx.skip();
    const { local, seen } = await seenByServer('::1', false);
    expect(local).toBe('::1');
    expect(seen).toEqual([local]);
  });
});
