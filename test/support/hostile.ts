// Misbehaving servers for connection and runner tests. All listen on 127.0.0.1, port 0, and
// `close()` tears down every accepted socket too, so no test leaves handles behind.
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { FrameDecoder, encodeFrame } from '../../src/protocol/frame.ts';
import { halfBuiltServer, type Capability, type HalfBuiltOptions } from './halfbuilt.ts';

export interface HostileServer {
  host: string;
  port: number;
  /** Number of TCP connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

async function serve(
  server: net.Server,
  onSocket: (s: net.Socket) => void,
  event: 'connection' | 'secureConnection' = 'connection',
): Promise<HostileServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  server.on('connection', (s: net.Socket) => {
    accepted += 1;
    sockets.add(s);
    s.on('error', () => {}); // peers reset on us all the time here; never crash
    s.on('close', () => sockets.delete(s));
    if (event === 'connection') onSocket(s);
  });
  if (event === 'secureConnection') {
    server.on('secureConnection', (s: tls.TLSSocket) => {
      s.on('error', () => {});
      onSocket(s);
    });
    server.on('tlsClientError', () => {}); // a failed handshake only drops that socket
  }
  const port = await listen(server);
  return {
    host: HOST,
    port,
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound once to get a free number, then released. */
export async function refusedPort(): Promise<HostileServer> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { host: HOST, port, accepted: 0, close: async () => {} };
}

/** A plain HTTP server: answers anything that is not HTTP with `400 Bad Request` and closes. */
export function httpServer(): Promise<HostileServer> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('not a Nexus server\n');
  });
  return serve(server, () => {});
}

/** Accepts and never sends a byte (reads and discards input). */
export function silentServer(): Promise<HostileServer> {
  return serve(net.createServer(), (s) => s.resume());
}

/** The bytes `garbageServer` sends. */
export const GARBAGE = Buffer.from('\x00\xffGARBAGE not a frame\r\n', 'latin1');

/** Sends bytes that are not a frame (bad magic) right after accept, then stays open. */
export function garbageServer(): Promise<HostileServer> {
  return serve(net.createServer(), (s) => {
    s.resume();
    s.write(GARBAGE);
  });
}

/** The bytes `halfFrameServer` sends: a frame header that announces more payload than follows. */
export const HALF_FRAME = Buffer.from('NX|5|Error|a1b2c3d4e5f6|40|{"type":"Error","mes', 'latin1');

/** Sends half a frame right after accept, then ends the connection. */
export function halfFrameServer(): Promise<HostileServer> {
  return serve(net.createServer(), (s) => {
    s.resume();
    s.end(HALF_FRAME);
  });
}

/** Closes every connection right after accept, without a byte. */
export function closingServer(): Promise<HostileServer> {
  return serve(net.createServer(), (s) => s.end());
}

/**
 * Scripted server: writes `onConnect` right after accept, then `reply(chunk)` for every chunk it
 * receives (null = no answer), then keeps, ends or destroys the connection as `after` says. For
 * tests that need exact server bytes (e.g. a valid frame followed by a broken one).
 */
export function scriptedServer(script: {
  onConnect?: Buffer;
  reply?: (chunk: Buffer) => Buffer | null;
  /** What to do after the first reply: keep the connection (default), end it, or destroy it. */
  after?: 'keep' | 'end' | 'destroy';
}): Promise<HostileServer> {
  return serve(net.createServer(), (s) => {
    if (script.onConnect) s.write(script.onConnect);
    s.on('data', (chunk: Buffer) => {
      const out = script.reply?.(chunk) ?? null;
      if (out === null) return;
      if (script.after === 'end') s.end(out);
      else if (script.after === 'destroy') s.write(out, () => s.destroy());
      else s.write(out);
    });
  });
}

/** Frame the way a server would: `"type"` first in the payload. */
export function serverFrame(type: string, body: Record<string, unknown>, id = randomBytes(6).toString('hex')): Buffer {
  return encodeFrame(type, id, JSON.stringify({ type, ...body }));
}

/**
 * A minimal well-behaved Nexus-shaped server (plain, or TLS when given a certificate): answers
 * every frame `X` with `XResponse {success:true}` echoing its id; on a framing error it sends
 * `Error` with a fresh id and closes, as nexusd does (wire.md §7). A TLS ClientHello sent to the
 * plain variant therefore gets an Error frame back, like a plain nexus-style server would send.
 */
export function echoServer(opts: { tls?: { key: string; cert: string } } = {}): Promise<HostileServer> {
  const onSocket = (s: net.Socket): void => {
    const dec = new FrameDecoder({ isKnownType: () => true, limitFor: () => 0 });
    s.on('data', (chunk: Buffer) => {
      const { frames, error } = dec.push(chunk);
      for (const f of frames) s.write(serverFrame(`${f.type}Response`, { success: true }, f.id));
      if (error) s.end(serverFrame('Error', { message: 'Invalid message format' }));
    });
  };
  if (opts.tls) {
    const server = tls.createServer({ key: opts.tls.key, cert: opts.tls.cert, minVersion: 'TLSv1.2' });
    return serve(server, onSocket, 'secureConnection');
  }
  return serve(net.createServer(), onSocket);
}

export interface CorruptingProxy extends HostileServer {
  /** Injects a TLS application-data record with garbage contents toward every connected client. */
  corrupt(): void;
}

/**
 * A TCP proxy to `target` that can inject a bogus TLS record into the server → client stream,
 * so a client sees a TLS failure after a good handshake (close reason `tls-error`).
 */
export async function corruptingProxy(target: { host: string; port: number }): Promise<CorruptingProxy> {
  const downs = new Set<net.Socket>();
  const ups = new Set<net.Socket>();
  const s = await serve(net.createServer(), (down) => {
    const up = net.connect(target.port, target.host);
    ups.add(up);
    downs.add(down);
    up.on('error', () => down.destroy());
    up.on('close', () => {
      ups.delete(up);
      down.destroy();
    });
    down.on('close', () => {
      downs.delete(down);
      up.destroy();
    });
    down.pipe(up);
    up.pipe(down);
  });
  return {
    host: s.host,
    port: s.port,
    get accepted() {
      return s.accepted;
    },
    corrupt() {
      // Type 23 (application data), TLS 1.2 record version, 32 bytes that fail decryption.
      const record = Buffer.concat([Buffer.from([0x17, 0x03, 0x03, 0x00, 0x20]), Buffer.alloc(32, 7)]);
      for (const d of downs) d.write(record);
    },
    close: async () => {
      for (const u of ups) u.destroy();
      await s.close();
    },
  };
}

// --- targets that get further: each bends the small half-built server (halfbuilt.ts) or answers the
// Handshake in some broken way. Used by test/net/hostile.test.ts and test/cli/hostile.test.ts.

/** Answers the Handshake correctly, then never another byte. */
export function handshakeThenSilentServer(): Promise<HostileServer> {
  return handshakeAnswer((id) => serverFrame('HandshakeResponse', { success: true, version: '0.5.0' }, id));
}

/** Answers the Handshake with the first half of a frame, then stalls with the connection open. */
export function stallingServer(): Promise<HostileServer> {
  return handshakeAnswer((id) => serverFrame('HandshakeResponse', { success: true, version: '0.5.0' }, id).subarray(0, 30));
}

/** Answers the Handshake with a frame header announcing `length` payload bytes, then stalls. */
export function hugeFrameServer(length: number): Promise<HostileServer> {
  return handshakeAnswer((id) =>
    Buffer.from(`NX|17|HandshakeResponse|${id}|${length}|{"type":"HandshakeResponse","success":true`, 'latin1'),
  );
}

/** Answers the Handshake with a well-framed payload that is not JSON. */
export function invalidJsonServer(): Promise<HostileServer> {
  return handshakeAnswer((id) => encodeFrame('HandshakeResponse', id, '{"type":"HandshakeResponse","success":tru'));
}

/** Writes `answer(id of the first frame)` for the first frame of each connection, then reads on in silence. */
function handshakeAnswer(answer: (id: string) => Buffer): Promise<HostileServer> {
  return serve(net.createServer(), (s) => {
    const dec = new FrameDecoder({ isKnownType: () => true, limitFor: () => 0 });
    let answered = false;
    s.on('data', (chunk: Buffer) => {
      const { frames } = dec.push(chunk);
      if (answered || frames.length === 0) return;
      answered = true;
      s.write(answer(frames[0]!.id));
    });
  });
}

/** Resets the TCP connection as soon as the client's first bytes (a TLS ClientHello) arrive. */
export function tlsResetServer(): Promise<HostileServer> {
  return serve(net.createServer(), (s) => s.once('data', () => s.resetAndDestroy()));
}

const everything: Capability[] = ['UserList', 'UserInfo'];

/** Every answer carries a fresh id instead of the request's (WIRE-ID-2). */
export function wrongIdServer(): Promise<HostileServer> {
  return halfBuiltServer({
    implements: everything,
    mangle: (frames, _req, sock) => {
      for (const f of frames) sock.write(reId(f));
    },
  });
}

/** Writes every answer twice. */
export function twiceServer(): Promise<HostileServer> {
  return halfBuiltServer({
    implements: everything,
    mangle: (frames, _req, sock) => {
      for (const f of frames) sock.write(Buffer.concat([f, f]));
    },
  });
}

/** Accepts the first `n` connections; drops every later one at once. */
export function firstConnectionsServer(n: number): Promise<HostileServer> {
  return halfBuiltServer({ implements: everything, admit: (k) => k <= n });
}

/** Answers the first `n` requests (all connections together), then none: connections stay open, silent. */
export function stopsAnsweringServer(n: number): Promise<HostileServer> {
  let answered = 0;
  return halfBuiltServer({ implements: everything, answer: () => ++answered <= n });
}

/** After each answer, `count` unsolicited UserConnected broadcasts. */
export function floodServer(count: number): Promise<HostileServer> {
  const broadcast = serverFrame('UserConnected', {
    user: {
      username: 'flood',
      nickname: 'flood',
      login_time: 0,
      is_admin: false,
      is_shared: false,
      session_ids: [99],
      locale: 'en',
      is_away: false,
    },
  });
  const burst = Buffer.concat(Array.from({ length: count }, () => broadcast));
  return halfBuiltServer({
    implements: everything,
    mangle: (frames, _req, sock) => {
      for (const f of frames) sock.write(f);
      if (!sock.destroyed) sock.write(burst);
    },
  });
}

/** Writes every answer `chunk` bytes at a time, `gapMs` apart (well within the client's timeouts), in order. */
export function drippingServer(
  chunk: number,
  gapMs: number,
  opts: Omit<HalfBuiltOptions, 'mangle'> = { implements: everything },
): Promise<HostileServer> {
  const pending = new WeakMap<net.Socket, { bytes: Buffer; timer: NodeJS.Timeout | null }>();
  return halfBuiltServer({
    ...opts,
    mangle: (frames, _req, sock) => {
      let p = pending.get(sock);
      if (!p) {
        const state = { bytes: Buffer.alloc(0), timer: null as NodeJS.Timeout | null };
        pending.set(sock, state);
        sock.once('close', () => state.timer && clearTimeout(state.timer));
        p = state;
      }
      const q = p;
      q.bytes = Buffer.concat([q.bytes, ...frames]);
      const drip = (): void => {
        q.timer = null;
        if (sock.destroyed || q.bytes.length === 0) return;
        sock.write(q.bytes.subarray(0, chunk));
        q.bytes = q.bytes.subarray(chunk);
        q.timer = setTimeout(drip, gapMs);
      };
      if (q.timer === null) drip();
    },
  });
}

function reId(frame: Buffer): Buffer {
  const dec = new FrameDecoder({ isKnownType: () => true, limitFor: () => 0 });
  const f = dec.push(frame).frames[0]!;
  return encodeFrame(f.type, randomBytes(6).toString('hex'), f.payload);
}

/**
 * A TCP front for `backend`, as a load balancer is: each accepted connection is piped to a new one
 * to the backend, and once the backend is gone the front still accepts, then drops each connection
 * (a connect succeeds though nothing behind it answers).
 */
export function frontFor(backend: { host: string; port: number }): Promise<HostileServer> {
  return serve(net.createServer(), (client) => {
    const up = net.connect(backend.port, backend.host);
    up.on('error', () => client.destroy());
    up.on('close', () => client.destroy());
    client.on('close', () => up.destroy());
    client.pipe(up);
    up.pipe(client);
  });
}
