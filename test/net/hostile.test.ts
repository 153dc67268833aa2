// Hostile targets at the connection layer: every wait ends (timeout or close, typed), what one
// connection holds unread of a peer's output is capped (a flood or a huge announced frame closes it with
// reason `overflow`), a dripping peer's frames are reassembled intact. And the runner, driven
// in-process against such targets, leaves no socket or timer behind.
import { describe, expect, it } from 'vitest';
import { ClosedError, TimeoutError, TlsError, type InputCaps, type TransportChoice } from '../../src/net/connection.ts';
import { loadSections } from '../../src/runner/load.ts';
import { runSuite } from '../../src/runner/run.ts';
import {
  drippingServer,
  firstConnectionsServer,
  floodServer,
  hugeFrameServer,
  invalidJsonServer,
  silentServer,
  stallingServer,
  stopsAnsweringServer,
  tlsResetServer,
  twiceServer,
  wrongIdServer,
  type HostileServer,
} from '../support/hostile.ts';
import { RawClient } from '../../src/net/raw-client.ts';
import { seededIds } from '../../src/protocol/ids.ts';
import { perTest } from '../support/per-test.ts';
import { runOptions, targetOf } from '../support/options.ts';

/** Message ids of the test's raw clients (seeded, like the harness's). */
const ids = seededIds(7);

const T = 2000;
const { own } = perTest();

async function connect(
  make: () => Promise<HostileServer>,
  opts: { transport?: TransportChoice; caps?: Partial<InputCaps> } = {},
): Promise<RawClient> {
  const s = await make();
  own(s);
  const c = await RawClient.open(
    {
      host: s.host,
      port: s.port,
      transport: opts.transport ?? 'plain',
      timeoutMs: T,
      ...(opts.caps ? { caps: opts.caps } : {}),
    },
    ids,
  );
  own(c);
  return c;
}

const handshake = (c: RawClient, ms = T) => c.request('Handshake', { version: '0.5.0' }, ms);

describe('the connection layer against hostile targets', () => {
  it('a flood nobody reads closes the connection at the frame cap: memory bounded by the cap, not by the peer', async () => {
    const c = await connect(() => floodServer(5000), { caps: { maxFrames: 1000 } });
    const r = await handshake(c);
    expect(r.message?.type).toBe('HandshakeResponse');
    const info = await c.closed;
    expect(info.reason).toBe('overflow');
    expect(info.detail).toBe('the target sent more than 1000 unread frames on one connection (a flood)');
    // The answer was taken; the connection holds the 1000 unread broadcasts and nothing more.
    expect(c.unconsumed()).toHaveLength(1000);
    expect(c.receivedCount).toBe(1001);
  });

  it('the byte cap counts the payloads of all unread frames together', async () => {
    const c = await connect(() => floodServer(5000), { caps: { maxBytes: 50_000 } });
    await handshake(c);
    const info = await c.closed;
    expect(info.reason).toBe('overflow');
    expect(info.detail).toMatch(/more than 50000 bytes of unread frames/);
    expect(c.unconsumed().reduce((n, r) => n + r.raw.payload.length, 0)).toBeLessThanOrEqual(50_000);
  });

  it('the caps count what is unread: a consumer that keeps up receives any number of frames', async () => {
    const c = await connect(() => floodServer(5000), { caps: { maxFrames: 100, maxBytes: 50_000 } });
    const { inbox } = c.conn;
    // A reader of the broadcasts (the answers are the requests' to take).
    inbox.watch((a) => {
      if (a.kind === 'frame' && a.frame.raw.type === 'UserConnected') inbox.remove(a.frame);
    });
    await handshake(c);
    // Answered after the first burst: all 5000 broadcasts have arrived and been read.
    expect((await c.request('Login', { username: 'a', password: 'b', features: [], locale: 'en' }, T)).message?.body.success).toBe(true);
    expect(c.isClosed).toBe(false);
    expect(c.receivedCount).toBeGreaterThanOrEqual(5002);
    expect(c.unconsumed().length).toBeLessThan(100);
  });

  it('a frame announcing more than the cap closes the connection at its header, without waiting for the bytes', async () => {
    const c = await connect(() => hugeFrameServer(2_000_000), { caps: { maxFramePayload: 1_000_000 } });
    const e = await handshake(c).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ClosedError);
    expect((e as ClosedError).info.reason).toBe('overflow');
    expect((e as ClosedError).info.detail).toBe('the target announced a 2000000-byte frame, above the 1000000-byte cap');
  });

  it('a stalled frame and a silent peer end at the timeout; the stall is visible', async () => {
    const stalled = await connect(stallingServer);
    await expect(handshake(stalled, 300)).rejects.toBeInstanceOf(TimeoutError);
    expect(stalled.conn.midFrame).toBe(true);
    const silent = await connect(silentServer);
    await expect(handshake(silent, 300)).rejects.toBeInstanceOf(TimeoutError);
    expect(silent.conn.midFrame).toBe(false);
  });

  it('a dripping peer: frames arrive whole, in order', async () => {
    const c = await connect(() => drippingServer(3, 1));
    expect((await handshake(c)).message?.body).toEqual({ type: 'HandshakeResponse', success: true, version: '0.5.0' });
    const login = await c.request('Login', { username: 'a', password: 'b', features: [], locale: 'en' }, T);
    expect(login.message?.body.success).toBe(true);
  });

  it('an answer twice: the request takes one, the copy stays unconsumed', async () => {
    const c = await connect(twiceServer);
    const r = await handshake(c);
    await c.request('Login', { username: 'a', password: 'b', features: [], locale: 'en' }, T);
    expect(c.unconsumed().map((u) => u.raw.id)).toContain(r.raw.id);
  });

  it('a wrong id: the request is not answered, the frame is kept', async () => {
    const c = await connect(wrongIdServer);
    await expect(handshake(c, 300)).rejects.toBeInstanceOf(TimeoutError);
    expect(c.unconsumed().map((u) => u.raw.type)).toEqual(['HandshakeResponse']);
  });

  it('invalid JSON: the frame arrives with a parse error, no message', async () => {
    const c = await connect(invalidJsonServer);
    const r = await handshake(c);
    expect(r.message).toBeNull();
    expect(r.parseError).toMatch(/not JSON/);
  });

  it('a reset during the TLS handshake is a TlsError', async () => {
    await expect(connect(tlsResetServer, { transport: 'tls' })).rejects.toBeInstanceOf(TlsError);
  });

  it('a target that accepts only its first connections drops the next at once', async () => {
    const s = await firstConnectionsServer(1);
    own(s);
    const open = () => RawClient.open({ host: s.host, port: s.port, transport: 'plain', timeoutMs: T }, ids);
    const first = await open();
    own(first);
    expect((await handshake(first)).message?.type).toBe('HandshakeResponse');
    const second = await open();
    own(second);
    await expect(handshake(second)).rejects.toBeInstanceOf(ClosedError);
  });
});

/** Open sockets and timers of this process, by kind. */
function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of process.getActiveResourcesInfo()) out[k] = (out[k] ?? 0) + 1;
  return out;
}

/** Lets closed handles finish closing: one macrotask turn for each pending close callback. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

describe('the runner against hostile targets leaves nothing behind', () => {
  it.each([
    ['silent', silentServer],
    ['stalling', stallingServer],
    ['wrong ids', wrongIdServer],
    ['stops answering', () => stopsAnsweringServer(40)],
    ['first connections only', () => firstConnectionsServer(3)],
    ['flood', () => floodServer(60_000)],
  ] as const)('%s: no socket or timer outlives the run', async (_name, make) => {
    const sections = await loadSections();
    await settle();
    const before = handles();
    const s = await make();
    const outcome = await runSuite(
      runOptions(s, {
        admin: { username: 'conform', password: 'secret-pw' },
        grep: 'session/handshake/compatible',
        timeoutMs: 300,
        seed: 3,
        sections,
        target: targetOf(s, { embedded: false }),
      }),
    ).then(
      (r) => r.summary.failed > 0,
      (e: Error) => e.message,
    );
    expect(outcome).toBeTruthy(); // failed checks, or a one-line reason the run could not start
    // Timers first, while the target still holds its end open (its close would end ours too).
    await settle();
    expect(handles().Timeout ?? 0, JSON.stringify(handles())).toBeLessThanOrEqual(before.Timeout ?? 0);
    await s.close();
    await settle();
    const after = handles();
    for (const kind of ['TCPSocketWrap', 'TCPServerWrap', 'Timeout'])
      expect(after[kind] ?? 0, `${kind}: ${JSON.stringify(after)}`).toBeLessThanOrEqual(before[kind] ?? 0);
  });
});
