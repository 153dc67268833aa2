// The fault hook: a fault bends what the one model does (its step's outputs) or how the shell
// behaves on a frame (crash, hang); without faults the server is the reference.
import { describe, expect, it } from 'vitest';
import { ClosedError } from '../../src/net/connection.ts';
import { startServer, type ReferenceServer } from '../../src/server/server.ts';
import type { ServerFault } from '../../src/server/fault.ts';
import { RawClient } from '../../src/net/raw-client.ts';
import { seededIds } from '../../src/protocol/ids.ts';
import { perTest } from '../support/per-test.ts';

/** Message ids of the test's raw clients (seeded, like the harness's). */
const ids = seededIds(7);

const T = 3000;
const { own } = perTest();

async function loggedIn(s: ReferenceServer): Promise<RawClient> {
  const c = await RawClient.open({ host: s.host, port: s.port, transport: 'plain', timeoutMs: T }, ids);
  own(c);
  await c.request('Handshake', { version: '0.5.0' }, T);
  const r = await c.request('Login', { username: 'admin', password: 'pw', features: [], locale: 'en' }, T);
  expect(r.message?.body.success).toBe(true);
  return c;
}

describe('server faults', () => {
  it('a step fault changes what is written: the ServerInfoUpdate response says success:false', async () => {
    const lie: ServerFault = {
      step: (state, event, next) => {
        const r = next(state, event);
        return {
          ...r,
          outputs: r.outputs.map((o) =>
            o.kind === 'send' && o.message.type === 'ServerInfoUpdateResponse'
              ? { ...o, message: { ...o.message, body: { ...o.message.body, success: false } } }
              : o,
          ),
        };
      },
    };
    const s = await startServer({ port: 0, faults: [lie] });
    own(s);
    const c = await loggedIn(s);
    const r = await c.request('ServerInfoUpdate', { description: 'x' }, T);
    expect(r.message?.body.success).toBe(false);
  });

  it('a crash on one frame takes the whole server down; a hang never answers', async () => {
    const s = await startServer({
      port: 0,
      faults: [{ onFrame: (f) => (f.type === 'UserList' ? 'crash' : f.type === 'UserInfo' ? 'hang' : undefined) }],
    });
    own(s);
    const a = await loggedIn(s);
    await expect(a.request('UserInfo', { nickname: 'admin' }, 300)).rejects.toThrow();
    const b = await RawClient.open({ host: s.host, port: s.port, transport: 'plain', timeoutMs: T }, ids);
    own(b);
    await b.request('Handshake', { version: '0.5.0' }, T);
    await expect(b.request('UserList', {}, T)).rejects.toBeInstanceOf(ClosedError);
    await expect(RawClient.open({ host: s.host, port: s.port, transport: 'plain', timeoutMs: T }, ids)).rejects.toThrow(/refused/i);
  });
});
