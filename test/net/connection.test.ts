import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ClosedError,
  ConnectError,
  FingerprintMismatchError,
  TimeoutError,
  TlsError,
  normalizeFingerprint,
  type OpenOptions,
} from '../../src/net/connection.ts';
import { createSelfSignedCert, type ServerCertificate } from '../../src/server/cert.ts';
import {
  closingServer,
  corruptingProxy,
  echoServer,
  garbageServer,
  halfFrameServer,
  httpServer,
  refusedPort,
  scriptedServer,
  serverFrame,
  silentServer,
  type HostileServer,
} from '../support/hostile.ts';
import { RawClient } from '../../src/net/raw-client.ts';
import { seededIds } from '../../src/protocol/ids.ts';

/** Message ids of the test's raw clients (seeded, like the harness's). */
const ids = seededIds(7);

// Every failure path must end in a typed error or close record, never in a stray rejection.
const unhandled: unknown[] = [];
const trap = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeAll(() => {
  process.on('unhandledRejection', trap);
});
afterAll(() => {
  process.off('unhandledRejection', trap);
});

const servers: HostileServer[] = [];
const conns: RawClient[] = [];
afterEach(async () => {
  for (const c of conns.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  // Let pending rejections surface before checking the trap.
  await new Promise((r) => setImmediate(r));
  expect(unhandled).toEqual([]);
});

async function track<S extends HostileServer>(p: Promise<S>): Promise<S> {
  const s = await p;
  servers.push(s);
  return s;
}

async function open(s: HostileServer, transport: OpenOptions['transport'], extra: Partial<OpenOptions> = {}): Promise<RawClient> {
  const c = await RawClient.open({ host: s.host, port: s.port, transport, timeoutMs: 2000, ...extra }, ids);
  conns.push(c);
  return c;
}

async function openErr(s: HostileServer, transport: OpenOptions['transport'], extra: Partial<OpenOptions> = {}): Promise<Error> {
  try {
    const c = await open(s, transport, extra);
    throw new Error(`unexpectedly opened (${c.conn.transport})`);
  } catch (e) {
    return e as Error;
  }
}

let cert: ServerCertificate;
beforeAll(async () => {
  cert = await createSelfSignedCert();
});

describe('NexusConnection against hostile servers', () => {
  it.each(['plain', 'tls', 'auto'] as const)('refused port → ConnectError (%s)', async (transport) => {
    const s = await track(refusedPort());
    const e = await openErr(s, transport);
    expect(e).toBeInstanceOf(ConnectError);
    expect((e as ConnectError).code).toBe('ECONNREFUSED');
    expect(e.message).toBe(`connection to 127.0.0.1:${s.port} refused`);
  });

  it('unresolvable host → ConnectError naming the host', async () => {
    const e = (await RawClient.open({ host: 'no-such-host.invalid', port: 7500, transport: 'plain', timeoutMs: 5000 }, ids).catch(
      (x: unknown) => x,
    )) as Error;
    expect(e).toBeInstanceOf(ConnectError);
    expect(e.message).toMatch(/no-such-host\.invalid/);
  });

  it('HTTP server: tls → TlsError; plain opens and a frame ends in protocol-error; auto falls back to plain', async () => {
    const s = await track(httpServer());
    const e = await openErr(s, 'tls');
    expect(e).toBeInstanceOf(TlsError);
    expect(e.message).not.toContain('\n');

    const c = await open(s, 'plain');
    expect(c.conn.transport).toBe('plain');
    expect(c.conn.fingerprint).toBeUndefined();
    c.send('Handshake', { version: '0.5.0' });
    const info = await c.closed;
    expect(info.reason).toBe('protocol-error');
    expect(info.frameError?.class).toBe('bad-magic');
    await expect(c.take(() => true, 1000)).rejects.toBeInstanceOf(ClosedError);

    const a = await open(s, 'auto');
    expect(a.conn.transport).toBe('plain');
  });

  it('silent server: tls handshake → TimeoutError within the bound; plain take → TimeoutError', async () => {
    const s = await track(silentServer());
    const t0 = Date.now();
    const e = await openErr(s, 'tls', { timeoutMs: 300 });
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).timeoutMs).toBe(300);
    expect(Date.now() - t0).toBeLessThan(2000);

    // auto does not fall back on a timeout: a plain Nexus server would have answered the ClientHello.
    expect(await openErr(s, 'auto', { timeoutMs: 300 })).toBeInstanceOf(TimeoutError);

    const c = await open(s, 'plain');
    const req = c.request('Handshake', { version: '0.5.0' }, 200);
    await expect(req).rejects.toBeInstanceOf(TimeoutError);
    expect(c.isClosed).toBe(false);
  });

  it('garbage bytes: plain → protocol-error bad-magic, tls → TlsError', async () => {
    const s = await track(garbageServer());
    const c = await open(s, 'plain');
    const info = await c.closed;
    expect(info).toMatchObject({ reason: 'protocol-error', frameError: { class: 'bad-magic', rule: 'WIRE-BAD-1' } });
    expect(c.receivedCount).toBe(0);
    expect(await openErr(s, 'tls')).toBeInstanceOf(TlsError);
  });

  it('half a frame then close: protocol-error eof-mid-frame, no frame recorded', async () => {
    const s = await track(halfFrameServer());
    const c = await open(s, 'plain');
    const pending = c.take(() => true, 5000);
    await expect(pending).rejects.toBeInstanceOf(ClosedError);
    const info = await c.closed;
    expect(info).toMatchObject({ reason: 'protocol-error', frameError: { class: 'eof-mid-frame', rule: 'WIRE-BAD-13' } });
    expect(c.receivedCount).toBe(0);
    expect(await openErr(s, 'tls')).toBeInstanceOf(TlsError);
  });

  it('close right after accept: plain → eof, tls → TlsError, auto → plain then eof', async () => {
    const s = await track(closingServer());
    const c = await open(s, 'plain');
    expect((await c.closed).reason).toBe('eof');
    expect(c.isClosed).toBe(true);
    // Writes after close neither throw nor reject (WIRE-LIM-3).
    expect(c.sendRaw(Buffer.from('x'))).toBe(false);
    expect(() => c.send('Handshake', { version: '0.5.0' })).not.toThrow();
    await expect(c.request('Handshake', { version: '0.5.0' }, 1000)).rejects.toBeInstanceOf(ClosedError);

    const e = await openErr(s, 'tls');
    expect(e).toBeInstanceOf(TlsError);
    expect(e.message).toMatch(/closed the connection during the TLS handshake/);

    const a = await open(s, 'auto');
    expect(a.conn.transport).toBe('plain');
    expect((await a.closed).reason).toBe('eof');
  });

  it('writes into a connection the peer dropped end as a close, never as an unhandled error', async () => {
    const s = await track(scriptedServer({ reply: () => Buffer.alloc(0), after: 'destroy' }));
    const c = await open(s, 'plain');
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    // Keep writing until the close is seen; each turn yields to I/O, no fixed delay.
    while (!c.isClosed) {
      c.sendRaw(chunk);
      await new Promise((r) => setImmediate(r));
    }
    expect(['eof', 'reset']).toContain((await c.closed).reason);
  });
});

describe('the inbox, read by a raw client', () => {
  it('records frames in order with increasing seq, parse failures included, then the close after them', async () => {
    const frames = Buffer.concat([
      serverFrame('UserConnected', { session_id: 1 }, 'aaaaaaaaaaaa'),
      Buffer.from('NX|5|Error|bbbbbbbbbbbb|8|not json\n'),
      Buffer.from('NX|5|Error|cccccccccccc|2|[]\n'),
      Buffer.from('NX|5|Error|dddddddddddd|3|"\xff"\n', 'latin1'),
      serverFrame('UserDisconnected', { session_id: 1 }, 'eeeeeeeeeeee'),
    ]);
    const s = await track(scriptedServer({ onConnect: frames }));
    const c = await open(s, 'plain');
    const last = await c.take((r) => r.raw.id === 'eeeeeeeeeeee', 2000);
    // The take left the other four where they were, in arrival order.
    const all = [...c.unconsumed(), last];
    expect(all.map((r) => r.raw.id)).toEqual(['aaaaaaaaaaaa', 'bbbbbbbbbbbb', 'cccccccccccc', 'dddddddddddd', 'eeeeeeeeeeee']);
    for (let i = 1; i < all.length; i++) expect(all[i]!.seq).toBeGreaterThan(all[i - 1]!.seq);
    expect(all[0]!.message).toEqual({ type: 'UserConnected', id: 'aaaaaaaaaaaa', body: { type: 'UserConnected', session_id: 1 } });
    expect(all[1]).toMatchObject({ message: null, parseError: expect.stringMatching(/not JSON/) });
    expect(all[2]).toMatchObject({ message: null, parseError: 'payload is not a JSON object' });
    expect(all[3]).toMatchObject({ message: null, parseError: 'payload is not valid UTF-8' });
    expect(c.receivedCount).toBe(5);
    expect(c.unconsumed().map((r) => r.raw.id)).toEqual(['aaaaaaaaaaaa', 'bbbbbbbbbbbb', 'cccccccccccc', 'dddddddddddd']);

    // take consumes: the same predicate yields the next match, buffered ones first.
    const isError = (r: { raw: { type: string } }): boolean => r.raw.type === 'Error';
    expect((await c.take(isError, 100)).raw.id).toBe('bbbbbbbbbbbb');
    expect((await c.take(isError, 100)).raw.id).toBe('cccccccccccc');
    expect(c.unconsumed().map((r) => r.raw.id)).toEqual(['aaaaaaaaaaaa', 'dddddddddddd']);

    await c.close();
    const info = await c.closed;
    expect(info.reason).toBe('local');
    expect(info.seq).toBeGreaterThan(last.seq);
    // A buffered match is still served after the close; a missing one rejects with ClosedError.
    expect((await c.take(isError, 100)).raw.id).toBe('dddddddddddd');
    await expect(c.take(isError, 100)).rejects.toBeInstanceOf(ClosedError);
  });

  it('request correlates by id and leaves pushes for later takes; a throwing predicate rejects only its take', async () => {
    const s = await track(echoServer());
    const c = await open(s, 'plain');
    const seen: string[] = [];
    // Watchers see every arrival, taken or not; they never take anything.
    const off = c.conn.inbox.watch((a) => {
      if (a.kind === 'frame') seen.push(a.frame.raw.type);
    });
    const [a, b] = await Promise.all([
      c.request('UserList', { all: false }, 2000),
      c.request('UserInfo', { nickname: 'x' }, 2000, 'ABCDEF012345'),
    ]);
    expect(a.message?.type).toBe('UserListResponse');
    expect(b.raw.id).toBe('ABCDEF012345');
    expect(b.message?.body).toEqual({ type: 'UserInfoResponse', success: true });
    expect(seen).toEqual(['UserListResponse', 'UserInfoResponse']);
    off();

    const bad = c.take(() => {
      throw new Error('boom');
    }, 2000);
    const good = c.take((r) => r.raw.type === 'UserBackResponse', 2000);
    c.send('UserBack', {});
    await expect(bad).rejects.toThrow('boom');
    expect((await good).raw.type).toBe('UserBackResponse');
    expect(seen).toHaveLength(2);
  });

  it('send puts "type" first and lets the body override its value', async () => {
    const captured: Buffer[] = [];
    const s = await track(
      scriptedServer({
        reply: (chunk) => {
          captured.push(chunk);
          return serverFrame('Ack', {}, 'ffffffffffff');
        },
      }),
    );
    const c = new RawClient((await open(s, 'plain')).conn, seededIds(42));
    const id = c.send('UserAway', { message: 'brb' });
    expect(id).toBe(seededIds(42)()); // the id source's first id: reproducible from the seed (WIRE-ID-1 form)
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    await c.take((r) => r.raw.type === 'Ack', 2000);
    const payload = '{"type":"UserAway","message":"brb"}';
    expect(Buffer.concat(captured).toString()).toBe(`NX|8|UserAway|${id}|${payload.length}|${payload}\n`);
  });
});

describe('NexusConnection TLS', () => {
  let tlsServer: HostileServer;
  beforeAll(async () => {
    tlsServer = await echoServer({ tls: cert });
  });
  afterAll(async () => {
    await tlsServer.close();
  });

  it('records the SHA-256 fingerprint of the peer certificate and talks frames over TLS', async () => {
    const c = await open(tlsServer, 'tls');
    expect(c.conn.transport).toBe('tls');
    expect(c.conn.fingerprint).toBe(cert.fingerprint);
    expect(c.conn.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(c.conn.remoteAddress).toBe('127.0.0.1');
    expect(c.conn.localPort).toBeGreaterThan(0);
    const r = await c.request('Handshake', { version: '0.5.0' }, 2000);
    expect(r.message?.type).toBe('HandshakeResponse');
    await c.close();
    expect((await c.closed).reason).toBe('local');
  });

  it('a matching pin (any case, with or without colons) opens', async () => {
    const bare = cert.fingerprint.replace(/:/g, '').toLowerCase();
    const c = await open(tlsServer, 'tls', { fingerprint: bare });
    expect(c.conn.fingerprint).toBe(cert.fingerprint);
  });

  it('a different pin fails with FingerprintMismatchError carrying both values', async () => {
    const wrong = normalizeFingerprint('00'.repeat(32));
    for (const transport of ['tls', 'auto'] as const) {
      const e = await openErr(tlsServer, transport, { fingerprint: wrong });
      expect(e).toBeInstanceOf(FingerprintMismatchError);
      expect((e as FingerprintMismatchError).expected).toBe(wrong);
      expect((e as FingerprintMismatchError).actual).toBe(cert.fingerprint);
      expect(e.message).toContain(cert.fingerprint);
    }
  });

  it('a TLS failure after the handshake closes with tls-error', async () => {
    const proxy = await track(corruptingProxy(tlsServer));
    const c = await open(proxy, 'tls');
    expect(c.conn.fingerprint).toBe(cert.fingerprint);
    const pending = c.take(() => true, 5000);
    proxy.corrupt();
    await expect(pending).rejects.toBeInstanceOf(ClosedError);
    const info = await c.closed;
    expect(info.reason).toBe('tls-error');
    expect(info.detail).toMatch(/^ERR_SSL_/);
  });

  it('a malformed pin is rejected before connecting', async () => {
    await expect(
      RawClient.open({ host: '127.0.0.1', port: tlsServer.port, transport: 'tls', fingerprint: 'AB:CD', timeoutMs: 1000 }, ids),
    ).rejects.toThrow(/32 hex byte pairs/);
  });

  it('auto picks tls against a TLS server and plain against a plain Nexus-style server', async () => {
    const t = await open(tlsServer, 'auto');
    expect(t.conn.transport).toBe('tls');
    expect(t.conn.fingerprint).toBe(cert.fingerprint);

    // The plain server answers the ClientHello with an Error frame and closes (wire.md §7).
    const p = await track(echoServer());
    const c = await open(p, 'auto');
    expect(c.conn.transport).toBe('plain');
    expect((await c.request('Handshake', { version: '0.5.0' }, 2000)).message?.type).toBe('HandshakeResponse');
    expect(p.accepted).toBe(2);

    // With a pin, auto never downgrades to plain.
    expect(await openErr(p, 'auto', { fingerprint: cert.fingerprint })).toBeInstanceOf(TlsError);
  });
});
