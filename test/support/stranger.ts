// A stranger on the target: a session the run did not open (alice, logged in before the run starts),
// which the run must leave untouched. Opened with the test's seeded ids and handed to `own` (per-test.ts)
// so that it ends with the test.
import { expect } from 'vitest';
import type { IdSource } from '../../src/protocol/ids.ts';
import { RawClient } from '../../src/net/raw-client.ts';
import type { ReferenceServer } from '../../src/server/server.ts';

export async function loginStranger(srv: ReferenceServer, ids: IdSource, own: (c: RawClient) => RawClient): Promise<RawClient> {
  const c = own(await RawClient.open({ host: srv.host, port: srv.port, transport: 'plain', timeoutMs: 3000 }, ids));
  await c.request('Handshake', { version: '0.5.0' }, 3000);
  const r = await c.request('Login', { username: 'alice', password: 'pw-alice', features: ['chat'], locale: 'en' }, 3000);
  expect(r.message?.body.success).toBe(true);
  return c;
}
