import net from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClosedError, TlsError, type Received } from '../../src/net/connection.ts';
import { encodeFrame } from '../../src/protocol/frame.ts';
import { createSelfSignedCert, type ServerCertificate } from '../../src/server/cert.ts';
import { startServer, type ReferenceServer, type ServerOptions } from '../../src/server/server.ts';
import { RawClient } from '../../src/net/raw-client.ts';
import { seededIds } from '../../src/protocol/ids.ts';
import { perTest } from '../support/per-test.ts';

/** Message ids of the test's raw clients (seeded, like the harness's). */
const ids = seededIds(7);

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

// One certificate for the file: generation costs more than the tests themselves.
let cert: ServerCertificate;
beforeAll(async () => {
  cert = await createSelfSignedCert();
});

// Registered before perTest's: "after" hooks run in reverse order, so this check comes once the
// test's clients are destroyed and its servers closed.
afterEach(async () => {
  await new Promise((r) => setImmediate(r));
  expect(unhandled).toEqual([]);
});
const pt = perTest();
const { own } = pt;

const T = 5000;

async function serve(opts: ServerOptions = {}): Promise<ReferenceServer> {
  return pt.serve({ idSeed: 7, now: () => 1_700_000_000, ...(opts.tls ? { certificate: cert } : {}), ...opts });
}

async function connect(s: ReferenceServer, extra: { fingerprint?: string } = {}): Promise<RawClient> {
  return own(await RawClient.open({ host: s.host, port: s.port, transport: s.tls ? 'tls' : 'plain', timeoutMs: T, ...extra }, ids));
}

/** A raw TCP socket that collects every byte until the server closes it. */
function rawSocket(s: ReferenceServer): Promise<{ sock: net.Socket; bytes: Promise<Buffer> }> {
  return new Promise((resolve, reject) => {
    const sock = own(net.connect({ host: s.host, port: s.port }));
    const chunks: Buffer[] = [];
    const bytes = new Promise<Buffer>((done) => {
      sock.on('data', (c: Buffer) => chunks.push(c));
      sock.on('close', () => done(Buffer.concat(chunks)));
    });
    sock.on('error', () => {});
    sock.once('error', reject);
    sock.once('connect', () => resolve({ sock, bytes }));
  });
}

async function handshake(c: RawClient): Promise<Received> {
  const r = await c.request('Handshake', { version: '0.5.0' }, T);
  expect(r.message?.body).toMatchObject({ type: 'HandshakeResponse', success: true, version: '0.5.0' });
  return r;
}

async function login(c: RawClient, username = 'admin', password = 'pw'): Promise<Received> {
  await handshake(c);
  const r = await c.request('Login', { username, password, features: ['chat'], locale: 'en' }, T);
  expect(r.message?.body).toMatchObject({ type: 'LoginResponse', success: true });
  return r;
}

const types = (rs: Received[]): string[] => rs.map((r) => r.raw.type);

describe('reference server round trips', () => {
  it('plain: Handshake and Login (first user becomes admin), responses echo the request ids', async () => {
    const s = await serve();
    expect(s.tls).toBe(false);
    expect(s.fingerprint).toBeUndefined();
    const c = await connect(s);
    const hs = await c.request('Handshake', { version: '0.5.0' }, T, 'ABCDEF123456');
    expect(hs.raw.id).toBe('ABCDEF123456');
    expect(hs.message?.body).toEqual({ type: 'HandshakeResponse', success: true, version: '0.5.0' });
    const lr = await c.request('Login', { username: 'Admin', password: 'pw', features: ['chat'], locale: 'en' }, T);
    expect(lr.message?.body).toMatchObject({ type: 'LoginResponse', success: true, is_admin: true });
    const st = s.state();
    expect(Object.keys(st.sessions)).toHaveLength(1);
    expect(st.accounts['admin']).toMatchObject({ username: 'Admin', isAdmin: true });
    expect(Object.values(st.connections)).toEqual([expect.objectContaining({ phase: 'auth', ip: '127.0.0.1', port: c.conn.localPort })]);
  });

  it('TLS: same round trip, the client sees the server fingerprint, a pin on it opens', async () => {
    const s = await serve({ tls: true });
    expect(s.tls).toBe(true);
    expect(s.fingerprint).toBe(cert.fingerprint);
    const c = await connect(s, { fingerprint: cert.fingerprint });
    expect(c.conn.transport).toBe('tls');
    expect(c.conn.fingerprint).toBe(s.fingerprint);
    await login(c);
    expect(Object.keys(s.state().sessions)).toHaveLength(1);
  });

  it('TLS without a given certificate generates a self-signed one', async () => {
    const s = own(await startServer({ tls: true }));
    expect(s.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const c = await connect(s);
    expect(c.conn.fingerprint).toBe(s.fingerprint);
  });

  it('pipelined frames are answered strictly in order (WIRE-SEQ-8, WIRE-ORD-1)', async () => {
    const s = await serve();
    const c = await connect(s);
    const frames = [
      encodeFrame('Handshake', '000000000001', JSON.stringify({ type: 'Handshake', version: '0.5.0' })),
      encodeFrame('Login', '000000000002', JSON.stringify({ type: 'Login', username: 'admin', password: 'pw', features: [] })),
      encodeFrame('UserList', '000000000003', JSON.stringify({ type: 'UserList', all: false })),
      encodeFrame('UserInfo', '000000000004', JSON.stringify({ type: 'UserInfo', nickname: 'admin' })),
    ];
    const got: Received[] = [];
    c.conn.inbox.watch((a) => {
      if (a.kind === 'frame') got.push(a.frame);
    });
    c.sendRaw(Buffer.concat(frames));
    await c.take((r) => r.raw.id === '000000000004', T);
    expect(got.map((r) => [r.raw.type, r.raw.id])).toEqual([
      ['HandshakeResponse', '000000000001'],
      ['LoginResponse', '000000000002'],
      ['UserListResponse', '000000000003'],
      ['UserInfoResponse', '000000000004'],
    ]);
  });

  it('frames split across many writes are reassembled (WIRE-FRM-9)', async () => {
    const s = await serve();
    const c = await connect(s);
    const bytes = encodeFrame('Handshake', 'a1b2c3d4e5f6', JSON.stringify({ type: 'Handshake', version: '0.5.0' }));
    const got = c.take((r) => r.raw.id === 'a1b2c3d4e5f6', T);
    for (const b of bytes) c.sendRaw(Buffer.from([b]));
    expect((await got).message?.body).toMatchObject({ success: true });
  });
});

describe('reference server: malformed input and closing errors', () => {
  it.each([false, true])('bad magic → Error (fresh id) then close; the model forgets the connection (tls: %s)', async (tls) => {
    const s = await serve({ tls });
    const c = await connect(s);
    await handshake(c);
    c.sendRaw(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    const err = await c.take((r) => r.raw.type === 'Error', T);
    expect(err.message?.body).toEqual({ type: 'Error', message: 'Invalid message format' });
    expect(err.raw.id).toMatch(/^[0-9a-f]{12}$/);
    const info = await c.closed;
    expect(info.reason).toBe('eof');
    expect(info.seq).toBeGreaterThan(err.seq);
    expect(s.state().connections).toEqual({});
  });

  it('plaintext frames sent to the TLS port fail the TLS handshake: dropped, no frame back (WIRE-TLS-5)', async () => {
    const s = await serve({ tls: true });
    const c = own(await RawClient.open({ host: s.host, port: s.port, transport: 'plain', timeoutMs: T }, ids));
    await expect(c.request('Handshake', { version: '0.5.0' }, T)).rejects.toBeInstanceOf(ClosedError);
    expect(c.receivedCount).toBe(0);
    expect(s.state().connections).toEqual({});
  });

  it('a peer that does not finish after our close is destroyed after lingerMs', async () => {
    const s = await serve({ lingerMs: 200 });
    // allowHalfOpen: this client never answers the server's FIN with its own.
    const sock = own(net.connect({ host: s.host, port: s.port, allowHalfOpen: true }));
    sock.on('error', () => {});
    const events: string[] = [];
    sock.on('data', () => events.push('data'));
    sock.on('end', () => events.push('end'));
    let closed = false;
    sock.on('close', () => (closed = true));
    sock.write('garbage\n');
    await new Promise((r) => sock.once('end', r));
    // A half-open peer only learns of the server's reset by writing: keep writing until it does.
    // (Without the linger the server would keep reading and discarding forever.)
    while (!closed) {
      sock.write('x');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(events).toEqual(['data', 'end']);
    expect(s.state().connections).toEqual({});
  });

  it('a declared length over the per-type limit is refused without reading the body (WIRE-BAD-7)', async () => {
    const s = await serve();
    const c = await connect(s);
    c.sendRaw(Buffer.from('NX|9|Handshake|aaaaaaaaaaaa|999999|'));
    const err = await c.take(() => true, T);
    expect(err.raw.type).toBe('Error');
    expect((await c.closed).reason).toBe('eof');
  });

  it('a server-only type from the client is a framing error (WIRE-BAD-11, reference: at the type field)', async () => {
    const s = await serve();
    const c = await connect(s);
    c.send('LoginResponse', { success: true });
    expect((await c.take(() => true, T)).raw.type).toBe('Error');
    expect((await c.closed).reason).toBe('eof');
  });

  it('input after a closing error is ignored: Login before Handshake, then a pipelined Handshake', async () => {
    const s = await serve();
    const c = await connect(s);
    c.sendRaw(
      Buffer.concat([
        encodeFrame('Login', '00000000000a', JSON.stringify({ type: 'Login', username: 'admin', password: 'pw', features: [] })),
        encodeFrame('Handshake', '00000000000b', JSON.stringify({ type: 'Handshake', version: '0.5.0' })),
      ]),
    );
    await c.closed;
    expect(c.receivedCount).toBe(1);
    const got = c.unconsumed();
    expect(got).toHaveLength(1);
    expect(got[0]!.raw.id).toBe('00000000000a');
    expect(got[0]!.message?.body).toMatchObject({ type: 'Error', message: 'Handshake required', command: 'Login' });
    expect(s.state().accounts['admin']).toBeUndefined();
  });

  it('EOF in the middle of a frame: the Error is attempted, then close (WIRE-BAD-13)', async () => {
    const s = await serve();
    const { sock, bytes } = await rawSocket(s);
    sock.end('NX|9|Handshake|aaaaaaaaaaaa|38|{"type":');
    const text = (await bytes).toString();
    expect(text).toMatch(/^NX\|5\|Error\|[0-9a-f]{12}\|\d+\|\{"type":"Error","message":"Invalid message format"\}\n$/);
    expect(s.state().connections).toEqual({});
  });

  it('a peer close ends its session: another session gets UserDisconnected (EOF and reset alike)', async () => {
    const s = await serve();
    const watcher = await connect(s);
    await login(watcher);
    for (const how of ['eof', 'reset'] as const) {
      const other = await connect(s);
      const lr = await login(other);
      const sid = (lr.message?.body as { session_id: number }).session_id;
      await watcher.take((r) => r.raw.type === 'UserConnected', T);
      if (how === 'eof') await other.close();
      // RST instead of FIN: the server sees a socket error, which must become one close event.
      else other.conn.reset();
      const gone = await watcher.take((r) => r.raw.type === 'UserDisconnected', T);
      expect(gone.message?.body).toMatchObject({ session_id: sid });
    }
    expect(Object.keys(s.state().sessions)).toHaveLength(1);
  });
});

describe('reference server: timeouts', () => {
  it('pre-login idle timeout closes with Error; a logged-in connection idle as long stays open (WIRE-TMO-1/3)', async () => {
    const s = await serve({ idleTimeoutMs: 250 });
    const authed = await connect(s);
    await login(authed);
    const idle = await connect(s);
    await handshake(idle); // the idle clock restarts after each frame
    const err = await idle.take((r) => r.raw.type === 'Error', T);
    expect(err.message?.body).toEqual({ type: 'Error', message: 'Invalid message format' });
    expect((await idle.closed).reason).toBe('eof');
    // `authed` has now been idle longer than the timeout (it logged in before `idle` connected).
    expect(authed.isClosed).toBe(false);
    const list = await authed.request('UserList', { all: false }, T);
    expect(list.raw.type).toBe('UserListResponse');
    expect(types(authed.unconsumed()).filter((t) => t === 'Error')).toEqual([]);
  });

  it('frame completion timeout: a started frame that never ends gets Error + close (WIRE-TMO-2)', async () => {
    const s = await serve({ frameTimeoutMs: 250 });
    const c = await connect(s);
    await login(c);
    c.sendRaw(Buffer.from('NX|8|UserList|aaaaaaaaaaaa|'));
    expect((await c.take((r) => r.raw.type === 'Error', T)).message?.body).toMatchObject({ message: 'Invalid message format' });
    expect((await c.closed).reason).toBe('eof');
    expect(s.state().sessions).toEqual({});
  });

  it('TLS: a connection that never starts the handshake is bounded by the idle timeout', async () => {
    const s = await serve({ tls: true, idleTimeoutMs: 250 });
    const { bytes } = await rawSocket(s);
    expect((await bytes).length).toBe(0);
    expect(s.state().connections).toEqual({});
  });
});

describe('reference server: per-IP limit (WIRE-IP-1/2/5)', () => {
  it('TLS: the 6th connection is dropped before any TLS byte; a freed slot admits a new one', async () => {
    const s = await serve({ tls: true });
    const five = [];
    for (let i = 0; i < 5; i++) five.push(await connect(s));
    expect(Object.keys(s.state().connections)).toHaveLength(5);

    // Sends nothing: an admitted socket would stay open, the 6th is closed at once without a byte.
    const { bytes } = await rawSocket(s);
    expect((await bytes).length).toBe(0);

    const e = await RawClient.open({ host: s.host, port: s.port, transport: 'tls', timeoutMs: T }, ids).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TlsError);

    await five[0]!.close();
    const again = await connect(s);
    await login(again);
    expect(Object.keys(s.state().connections)).toHaveLength(5);
  });

  it('plain: same limit, existing connections keep working', async () => {
    const s = await serve();
    const five = [];
    for (let i = 0; i < 5; i++) five.push(await connect(s));
    const sixth = await connect(s);
    expect((await sixth.closed).reason).toMatch(/eof|reset/);
    await expect(sixth.take(() => true, T)).rejects.toBeInstanceOf(ClosedError);
    await handshake(five[4]!);
  });
});

describe('reference server logging', () => {
  it('logs frame types and ids, never payloads (passwords)', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const s = await serve({ logger: pino({ level: 'debug' }, sink) });
    const c = await connect(s);
    await login(c, 'admin', 'sekrit-Passw0rd');
    await c.request(
      'UserCreate',
      { username: 'bob', password: 'bobs-sekrit', is_admin: false, is_shared: false, enabled: true, permissions: [] },
      T,
    );
    await c.close();
    await s.close();
    const log = lines.join('');
    expect(log).toContain('"type":"Login"');
    expect(log).toContain('"type":"UserCreate"');
    expect(log).not.toContain('sekrit');
  });
});

describe('reference server: a peer that stops reading', () => {
  it('is dropped once its unread output passes the bound, and its session ends (SES-BC-3)', async () => {
    const s = await serve({ maxPendingWriteBytes: 64 * 1024 });
    const admin = await connect(s);
    await login(admin); // the first login creates the admin (SES-AUTH-2)
    const create = { username: 'slow', password: 'pw-slow', is_admin: false, enabled: true, permissions: [] };
    await admin.request('UserCreate', create, T);

    // The slow peer logs in with pipelined frames and then never reads again.
    const { sock } = await rawSocket(s);
    sock.pause();
    const hs = JSON.stringify({ type: 'Handshake', version: '0.5.0' });
    const li = JSON.stringify({ type: 'Login', username: 'slow', password: 'pw-slow', features: [], locale: 'en' });
    sock.write(Buffer.concat([encodeFrame('Handshake', '000000000001', hs), encodeFrame('Login', '000000000002', li)]));
    const connected = await admin.take((r) => r.raw.type === 'UserConnected', T);
    const slowId = (connected.message!.body.user as { session_ids: number[] }).session_ids[0];

    // Every ServerInfoUpdated (BC-6) also goes to the slow peer: ~700 kB each, until it is dropped.
    const image = `data:image/png;base64,${'A'.repeat(690_000)}`;
    const gone = admin.take((r) => r.raw.type === 'UserDisconnected' && r.message?.body.session_id === slowId, 20_000);
    let dropped = false;
    void gone.then(
      () => (dropped = true),
      () => undefined,
    );
    for (let i = 0; i < 60 && !dropped; i++) {
      await admin.request('ServerInfoUpdate', { description: `round ${i}`, image }, T);
    }
    const bye = await gone;
    expect(bye.message?.body).toMatchObject({ type: 'UserDisconnected', session_id: slowId, nickname: 'slow' });
    expect(Object.values(s.state().sessions).map((x) => x.nickname)).toEqual(['admin']);
  });
});
