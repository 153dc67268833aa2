// Misbehaving servers for connection and runner tests. All listen on 127.0.0.1, port 0, and
// `close()` tears down every accepted socket too, so no test leaves handles behind.
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { FrameDecoder, encodeFrame } from '../../src/protocol/frame.ts';

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
