// Opening a client socket to a Nexus server: plain TCP, TLS (any certificate, no SNI, WIRE-TLS-3/4)
// or auto (TLS, else plain), the certificate fingerprint and its pin, one deadline over every
// attempt, and socket failures mapped to typed one-line errors (errors.ts). What flows over the
// socket afterwards is the connection's business (connection.ts).
import net from 'node:net';
import tls from 'node:tls';
import { formatTarget } from './address.ts';
import { ConnectError, FingerprintMismatchError, TimeoutError, TlsError } from './errors.ts';

export type Transport = 'tls' | 'plain';
export type TransportChoice = Transport | 'auto';

/** Where and how to connect. */
export interface SocketOptions {
  host: string;
  port: number;
  transport: TransportChoice;
  /** Pin: SHA-256 of the DER certificate, colon-separated or bare hex, any case. Implies TLS. */
  fingerprint?: string;
  /** Bound on TCP connect plus TLS handshake (all attempts of `auto` together). */
  timeoutMs: number;
}

/** A connected socket and what opening it established. */
export interface OpenSocket {
  /** What the frames travel over (the TLS socket, or the TCP socket for plain). */
  sock: net.Socket;
  /** The TCP socket under `sock` (the same object for plain). */
  tcp: net.Socket;
  transport: Transport;
  /** SHA-256 of the peer certificate, upper-case colon form (TLS only). */
  fingerprint?: string;
}

/** Upper-case colon form (X509Certificate.fingerprint256). Throws TypeError for anything but 32 hex bytes. */
export function normalizeFingerprint(s: string): string {
  const hex = s.replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new TypeError(`fingerprint must be 32 hex byte pairs (SHA-256), got ${JSON.stringify(s)}`);
  }
  return hex.match(/../g)!.join(':');
}

/** The `code` of a Node socket error, if it has one. */
export function errCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

/** Whether a socket error is a TLS failure (after the handshake: close reason `tls-error`). */
export function isTlsFailure(e: unknown): boolean {
  const code = errCode(e) ?? '';
  return code.startsWith('ERR_SSL') || code === 'EPROTO' || (typeof e === 'object' && e !== null && 'library' in e);
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

/**
 * Connects as `opts` says. Rejects with ConnectError, TlsError, TimeoutError or
 * FingerprintMismatchError (a TypeError for a malformed pin or a pin with `plain`).
 */
export async function openSocket(opts: SocketOptions): Promise<OpenSocket> {
  const { host, port, timeoutMs } = opts;
  const pin = opts.fingerprint === undefined ? undefined : normalizeFingerprint(opts.fingerprint);
  const addr = formatTarget({ host, port });
  const deadline = Date.now() + timeoutMs;

  const plain = async (): Promise<OpenSocket> => {
    const sock = await tcpConnect(host, port, remaining(deadline, `connect to ${addr}`, timeoutMs), timeoutMs);
    return { sock, tcp: sock, transport: 'plain' };
  };
  const secure = async (): Promise<OpenSocket> => {
    const tcp = await tcpConnect(host, port, remaining(deadline, `connect to ${addr}`, timeoutMs), timeoutMs);
    let t: tls.TLSSocket;
    try {
      t = await tlsHandshake(tcp, addr, remaining(deadline, `TLS handshake with ${addr}`, timeoutMs), timeoutMs);
    } catch (e) {
      tcp.destroy();
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
    return { sock: t, tcp, transport: 'tls', fingerprint: fp };
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
