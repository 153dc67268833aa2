// Client connection to a Nexus server, as the runner and fuzzers use it: TLS / plain / auto
// transport, fingerprint capture and pinning (WIRE-TLS-3), an ordered inbox of decoded frames
// with consumption, and a close record that says why and after which frame the stream ended.
import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { FrameDecoder, encodeFrame } from '../protocol/frame.ts';
import { PayloadTooLargeError, type FrameError } from '../protocol/frame-errors.ts';
import type { Message, RawFrame } from '../protocol/types.ts';
import { formatTarget } from './address.ts';
import { ClosedError, ConnectError, FingerprintMismatchError, TimeoutError, TlsError, type CloseInfo, type CloseReason } from './errors.ts';

export * from './errors.ts';

export type Transport = 'tls' | 'plain';
export type TransportChoice = Transport | 'auto';

export interface OpenOptions {
  host: string;
  port: number;
  transport: TransportChoice;
  /** Pin: SHA-256 of the DER certificate, colon-separated or bare hex, any case. Implies TLS. */
  fingerprint?: string;
  /** Bound on TCP connect plus TLS handshake (all attempts of `auto` together). */
  timeoutMs: number;
  /** What one connection keeps of a peer's output (default INPUT_CAPS). */
  caps?: Partial<InputCaps>;
}

/**
 * Memory a peer can make one connection hold, whatever it sends: a hostile or broken target that
 * floods frames or announces a huge payload is dropped (close reason `overflow`) once it passes
 * these, so a flood is bounded by a cap, not by the machine.
 */
export interface InputCaps {
  /** Largest payload a server frame may announce (a ServerInfo image is under 1 MiB). */
  maxFramePayload: number;
  /** Frames one connection keeps; far above what a whole suite run leaves on its control connection. */
  maxFrames: number;
  /** Payload bytes one connection keeps, all frames together. */
  maxBytes: number;
}

export const INPUT_CAPS: Readonly<InputCaps> = { maxFramePayload: 16 * 1024 * 1024, maxFrames: 50_000, maxBytes: 64 * 1024 * 1024 };

export interface Received {
  /** Process-wide arrival order, shared by all connections and CloseInfo.seq. */
  seq: number;
  /** null when the payload is not a UTF-8 JSON object (see parseError). */
  message: Message | null;
  raw: RawFrame;
  /** Arrival time, ms since the epoch. */
  at: number;
  parseError?: string;
}

let seqCounter = 0;
/** Next value of the process-wide event counter (lets the runner stamp its own events in the same order). */
export function nextSeq(): number {
  seqCounter += 1;
  return seqCounter;
}

/** Upper-case colon form (X509Certificate.fingerprint256). Throws TypeError for anything but 32 hex bytes. */
export function normalizeFingerprint(s: string): string {
  const hex = s.replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new TypeError(`fingerprint must be 32 hex byte pairs (SHA-256), got ${JSON.stringify(s)}`);
  }
  return hex.match(/../g)!.join(':');
}

/** WIRE-ID-1: random lower-case 12-hex id. */
export function randomId(): string {
  return randomBytes(6).toString('hex');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parsePayload(raw: RawFrame): { message: Message | null; parseError?: string } {
  let text: string;
  try {
    text = utf8.decode(raw.payload);
  } catch {
    return { message: null, parseError: 'payload is not valid UTF-8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { message: null, parseError: `payload is not JSON: ${(e as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { message: null, parseError: 'payload is not a JSON object' };
  }
  return { message: { type: raw.type, id: raw.id, body: value as Record<string, unknown> } };
}

function errCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

function connectError(addr: string, host: string, e: Error): ConnectError {
  const code = errCode(e);
  switch (code) {
    case 'ECONNREFUSED':
      return new ConnectError(`connection to ${addr} refused`, code);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new ConnectError(`cannot resolve host ${host} (${code})`, code);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return new ConnectError(`${addr} is unreachable (${code})`, code);
    default:
      return new ConnectError(`cannot connect to ${addr}: ${code ?? e.message}`, code);
  }
}

function tlsError(addr: string, e: Error): TlsError {
  const code = errCode(e);
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return new TlsError(`${addr} closed the connection during the TLS handshake`, code);
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'ERR_SSL_HTTP_REQUEST') {
    return new TlsError(`${addr} does not speak TLS (${code})`, code);
  }
  return new TlsError(`TLS handshake with ${addr} failed: ${code ?? e.message}`, code);
}

function isTlsFailure(e: unknown): boolean {
  const code = errCode(e) ?? '';
  return code.startsWith('ERR_SSL') || code === 'EPROTO' || (typeof e === 'object' && e !== null && 'library' in e);
}

function remaining(deadline: number, what: string, timeoutMs: number): number {
  const ms = deadline - Date.now();
  if (ms <= 0) throw new TimeoutError(`${what} timed out after ${timeoutMs} ms`, timeoutMs);
  return ms;
}

/** Resolves with a connected TCP socket; typed rejection otherwise. Never leaves the socket open on failure. */
function tcpConnect(host: string, port: number, ms: number, timeoutMs: number): Promise<net.Socket> {
  const addr = formatTarget({ host, port });
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port, noDelay: true });
    const done = (): void => {
      clearTimeout(timer);
      sock.off('error', onError);
      sock.off('connect', onConnect);
    };
    const onError = (e: Error): void => {
      done();
      sock.destroy();
      reject(connectError(addr, host, e));
    };
    const onConnect = (): void => {
      done();
      // Keeps a late error from crashing the process before the owner attaches its handlers.
      sock.on('error', () => {});
      resolve(sock);
    };
    const timer = setTimeout(() => {
      done();
      sock.on('error', () => {});
      sock.destroy();
      reject(new TimeoutError(`TCP connect to ${addr} timed out after ${timeoutMs} ms`, timeoutMs));
    }, ms);
    sock.once('error', onError);
    sock.once('connect', onConnect);
  });
}

/** TLS client handshake over a connected socket: any certificate accepted, no SNI (WIRE-TLS-3/4). */
function tlsHandshake(sock: net.Socket, addr: string, ms: number, timeoutMs: number): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const t = tls.connect({
      socket: sock,
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      minVersion: 'TLSv1.2',
    });
    const done = (): void => {
      clearTimeout(timer);
      t.off('error', onError);
      t.off('close', onClose);
      t.off('secureConnect', onSecure);
    };
    const fail = (e: Error): void => {
      done();
      t.on('error', () => {});
      t.destroy();
      sock.destroy();
      reject(e);
    };
    const onError = (e: Error): void => fail(tlsError(addr, e));
    const onClose = (): void => fail(new TlsError(`${addr} closed the connection during the TLS handshake`, undefined));
    const onSecure = (): void => {
      done();
      t.on('error', () => {});
      resolve(t);
    };
    const timer = setTimeout(() => fail(new TimeoutError(`TLS handshake with ${addr} timed out after ${timeoutMs} ms`, timeoutMs)), ms);
    t.once('error', onError);
    t.once('close', onClose);
    t.once('secureConnect', onSecure);
  });
}

interface Waiter {
  pred: (r: Received) => boolean;
  resolve: (r: Received) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class NexusConnection {
  readonly transport: Transport;
  /** SHA-256 of the peer certificate, upper-case colon form (TLS only). */
  readonly fingerprint?: string;
  readonly localPort: number;
  /**
   * The local IP of the socket: the address the target sees for this connection unless a NAT sits
   * in between (WIRE-IP-1 counts connections per IP). `''` if the socket never had one.
   */
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Settles once, with the first reason the connection was seen to end. Never rejects. */
  readonly closed: Promise<CloseInfo>;

  private readonly sock: net.Socket;
  /** The TCP socket under `sock` (the same object for plain). */
  private readonly tcp: net.Socket;
  private readonly decoder: FrameDecoder;
  private readonly caps: InputCaps;
  private keptBytes = 0;
  private readonly log: Received[] = [];
  private readonly consumed = new Set<number>();
  private waiters: Waiter[] = [];
  private listeners: Array<(r: Received) => void> = [];
  private info: CloseInfo | null = null;
  private resolveClosed!: (i: CloseInfo) => void;
  private readonly socketGone: Promise<void>;

  static async open(opts: OpenOptions): Promise<NexusConnection> {
    const { host, port, timeoutMs } = opts;
    const pin = opts.fingerprint === undefined ? undefined : normalizeFingerprint(opts.fingerprint);
    const addr = formatTarget({ host, port });
    const deadline = Date.now() + timeoutMs;

    const caps: InputCaps = { ...INPUT_CAPS, ...opts.caps };
    const plain = async (): Promise<NexusConnection> => {
      const sock = await tcpConnect(host, port, remaining(deadline, `connect to ${addr}`, timeoutMs), timeoutMs);
      return new NexusConnection(sock, 'plain', undefined, timeoutMs, caps);
    };
    const secure = async (): Promise<NexusConnection> => {
      const sock = await tcpConnect(host, port, remaining(deadline, `connect to ${addr}`, timeoutMs), timeoutMs);
      let t: tls.TLSSocket;
      try {
        t = await tlsHandshake(sock, addr, remaining(deadline, `TLS handshake with ${addr}`, timeoutMs), timeoutMs);
      } catch (e) {
        sock.destroy();
        throw e;
      }
      const fp = t.getPeerX509Certificate()?.fingerprint256;
      if (fp === undefined) {
        t.destroy();
        throw new TlsError(`${addr} presented no certificate`, undefined);
      }
      if (pin !== undefined && fp !== pin) {
        t.destroy();
        throw new FingerprintMismatchError(pin, fp);
      }
      return new NexusConnection(t, 'tls', fp, timeoutMs, caps, sock);
    };

    if (opts.transport === 'plain') {
      if (pin !== undefined) throw new TypeError('a fingerprint pin requires the tls or auto transport');
      return plain();
    }
    if (opts.transport === 'tls') return secure();
    try {
      return await secure();
    } catch (e) {
      // auto: only a failed handshake over a working TCP connection means "maybe plain". A plain
      // Nexus server answers the ClientHello with an Error frame (not a TLS record) or just closes.
      // A pin means the user expects TLS: never downgrade silently.
      if (e instanceof TlsError && pin === undefined) return plain();
      throw e;
    }
  }

  private constructor(
    sock: net.Socket,
    transport: Transport,
    fingerprint: string | undefined,
    private readonly lingerMs: number,
    caps: InputCaps,
    tcp: net.Socket = sock,
  ) {
    this.caps = caps;
    this.decoder = new FrameDecoder({ isKnownType: () => true, limitFor: () => 0, maxPayload: caps.maxFramePayload });
    this.sock = sock;
    this.tcp = tcp;
    this.transport = transport;
    if (fingerprint !== undefined) this.fingerprint = fingerprint;
    this.localPort = sock.localPort ?? 0;
    this.localAddress = tcp.localAddress ?? sock.localAddress ?? '';
    this.remoteAddress = sock.remoteAddress ?? '';
    this.remotePort = sock.remotePort ?? 0;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.socketGone = new Promise((resolve) => {
      if (sock.destroyed) resolve();
      else sock.once('close', () => resolve());
    });
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('end', () => this.onEnd());
    sock.on('error', (e: Error) => {
      if (this.transport === 'tls' && isTlsFailure(e)) this.finish('tls-error', `${errCode(e) ?? ''} ${e.message}`.trim());
      else this.finish('reset', `${errCode(e) ?? ''} ${e.message}`.trim());
    });
    sock.on('close', () => this.finish('eof', 'socket closed'));
    if (sock.destroyed) this.finish('eof', 'socket closed before use');
  }

  get isClosed(): boolean {
    return this.info !== null;
  }

  /** The close record once closed. */
  get closeInfo(): CloseInfo | null {
    return this.info;
  }

  /** The peer has sent the start of a frame that has not completed yet (a stalled or dripping sender). */
  get midFrame(): boolean {
    return this.decoder.midFrame;
  }

  /** How many frames have arrived so far. */
  get receivedCount(): number {
    return this.log.length;
  }

  /** Every frame received so far, in arrival order (consumed or not). */
  received(): Received[] {
    return [...this.log];
  }

  /** Frames not yet consumed by `take`/`request`, in arrival order. */
  unconsumed(): Received[] {
    return this.log.filter((r) => !this.consumed.has(r.seq));
  }

  /** Called for every frame on arrival (before waiters are served). Returns an unsubscribe function. */
  onReceive(listener: (r: Received) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /**
   * Sends `body` as a `type` frame. `"type": type` is put first in the payload (WIRE-JSON-2); a
   * `type` member in `body` overrides its value (for mismatch probes). Returns the id used.
   */
  send(type: string, body: Record<string, unknown>, id?: string): string {
    const msgId = id ?? randomId();
    this.sendRaw(encodeFrame(type, msgId, JSON.stringify({ type, ...body })));
    return msgId;
  }

  /**
   * Writes bytes as they are. Returns false when the connection is already closed (nothing
   * written). Write failures (EPIPE, ECONNRESET) only end the connection (WIRE-LIM-3).
   */
  sendRaw(bytes: Uint8Array): boolean {
    if (this.info !== null || this.sock.destroyed || !this.sock.writable) return false;
    this.sock.write(bytes, () => {
      // Errors surface through the 'error' handler as a close; nothing to do per write.
    });
    return true;
  }

  /**
   * Resolves with the first unconsumed frame matching `pred` (buffered or yet to come) and marks
   * it consumed. Rejects with TimeoutError after `timeoutMs`, or ClosedError when the connection
   * ends with no match buffered.
   */
  take(pred: (r: Received) => boolean, timeoutMs: number): Promise<Received> {
    try {
      for (const r of this.log) {
        if (!this.consumed.has(r.seq) && pred(r)) {
          this.consumed.add(r.seq);
          return Promise.resolve(r);
        }
      }
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    if (this.info !== null) return Promise.reject(new ClosedError(this.info));
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        pred,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(new TimeoutError(`no matching frame within ${timeoutMs} ms`, timeoutMs));
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  /** Sends a request and takes the frame echoing its id (WIRE-ID-2). */
  request(type: string, body: Record<string, unknown>, timeoutMs: number, id?: string): Promise<Received> {
    const msgId = this.send(type, body, id);
    return this.take((r) => r.raw.id === msgId, timeoutMs);
  }

  /**
   * Ends our side and waits for the socket to finish (destroyed after the open timeout if the peer
   * never finishes). The close reason is `local` unless the connection had already closed.
   */
  async close(): Promise<void> {
    if (this.info === null) {
      this.finish('local', 'closed by the harness');
      this.sock.end();
      const t = setTimeout(() => this.sock.destroy(), this.lingerMs);
      await this.socketGone;
      clearTimeout(t);
      return;
    }
    this.sock.destroy();
    await this.socketGone;
  }

  /** Tears the socket down at once. `timeout` records that the harness gave up waiting on the peer. */
  destroy(reason: 'local' | 'timeout' = 'local', detail?: string): void {
    this.finish(reason, detail ?? (reason === 'local' ? 'destroyed by the harness' : 'abandoned after a timeout'));
    this.sock.destroy();
  }

  /** Aborts with a TCP RST instead of a FIN (abrupt client death, for close-handling probes). */
  reset(): void {
    this.finish('local', 'reset by the harness');
    if (this.tcp.destroyed) return;
    this.tcp.resetAndDestroy();
    this.sock.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.info !== null) return;
    const { frames, error } = this.decoder.push(chunk);
    for (const f of frames) {
      if (this.info !== null) return;
      this.record(f);
    }
    if (error) this.protocolError(error);
  }

  private onEnd(): void {
    if (this.info !== null) return;
    const error = this.decoder.end();
    if (error) this.protocolError(error);
    else this.finish('eof', 'peer closed the connection');
  }

  /** A server frame broke the grammar: record it and drop the connection. */
  private protocolError(error: FrameError): void {
    if (error instanceof PayloadTooLargeError) {
      const len = /payload length (\d+)/.exec(error.message)?.[1];
      this.overflow(`the target announced a ${len ?? 'huge'}-byte frame, above the ${this.caps.maxFramePayload}-byte cap`);
      return;
    }
    this.finish('protocol-error', error.message, error);
    this.sock.destroy();
  }

  /** The peer passed an input cap: drop it, so a flood costs bounded memory. */
  private overflow(detail: string): void {
    this.finish('overflow', detail);
    this.sock.destroy();
  }

  private record(raw: RawFrame): void {
    this.keptBytes += raw.payload.length;
    if (this.log.length >= this.caps.maxFrames || this.keptBytes > this.caps.maxBytes) {
      this.overflow(
        `the target sent more than ${this.log.length >= this.caps.maxFrames ? `${this.caps.maxFrames} frames` : `${this.caps.maxBytes} bytes`} on one connection (a flood)`,
      );
      return;
    }
    const parsed = parsePayload(raw);
    const r: Received = { seq: nextSeq(), message: parsed.message, raw, at: Date.now() };
    if (parsed.parseError !== undefined) r.parseError = parsed.parseError;
    this.log.push(r);
    for (const l of this.listeners) l(r);
    for (const w of this.waiters) {
      let hit: boolean;
      try {
        hit = w.pred(r);
      } catch (e) {
        this.settle(w);
        w.reject(e instanceof Error ? e : new Error(String(e)));
        continue;
      }
      if (hit) {
        this.consumed.add(r.seq);
        this.settle(w);
        w.resolve(r);
        return;
      }
    }
  }

  private settle(w: Waiter): void {
    clearTimeout(w.timer);
    this.waiters = this.waiters.filter((x) => x !== w);
  }

  private finish(reason: CloseReason, detail: string, error?: FrameError): void {
    if (this.info !== null) return;
    const info: CloseInfo = { reason, seq: nextSeq(), detail };
    if (error) info.frameError = error.info;
    this.info = info;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(new ClosedError(info));
    }
    this.resolveClosed(info);
  }
}
