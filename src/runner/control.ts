// The control connection: the admin's own connection to the target, opened and logged in outside
// the lockstep (creating the admin on a fresh server, SES-AUTH-2), and its raw client: requests
// whose answers the harness reads by id, for setup, snapshots and cleanup, which must work however
// far the model has drifted.
import { PROTOCOL_VERSION } from '../model/index.ts';
import type { ChatInfo, ServerInfo } from '../model/index.ts';
import type { Message } from '../protocol/types.ts';
import { NexusConnection, NetError } from '../net/connection.ts';
import type { Received } from '../net/connection.ts';
import { TargetUnavailableError } from './failures.ts';

export interface TargetOptions {
  host: string;
  port: number;
  transport: 'auto' | 'tls' | 'plain';
  fingerprint?: string;
  timeoutMs: number;
}

export interface AdminCredentials {
  username: string;
  password: string;
}

/** What a successful admin Login told us. */
export interface AdminLogin {
  sessionId: number;
  /** HandshakeResponse.version: the target's protocol version (SES-HS-4). */
  protocolVersion: string;
  serverInfo: ServerInfo;
  chatInfo?: ChatInfo;
  locale: string;
}

export interface ControlConnection {
  conn: NexusConnection;
  login: AdminLogin;
}

/** A failed exchange outside the lockstep (setup or cleanup). */
export class RawExchangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RawExchangeError';
  }
}

// --- raw exchanges ------------------------------------------------------------------------------------

/** One request, its direct answer (WIRE-ID-2); anything else that arrives meanwhile is ignored. */
export async function rawRequest(conn: NexusConnection, type: string, body: Record<string, unknown>, timeoutMs: number): Promise<Message> {
  let r: Received;
  try {
    r = await conn.request(type, body, timeoutMs);
  } catch (e) {
    throw new RawExchangeError(`${type}: ${(e as Error).message}`);
  }
  if (!r.message) throw new RawExchangeError(`${type}: unparseable answer (${r.parseError ?? 'not JSON'})`);
  return r.message;
}

function errorText(m: Message): string {
  const text = m.type === 'Error' ? m.body.message : m.body.error;
  return typeof text === 'string' ? text : JSON.stringify(m.body);
}

/** A request that must succeed (`*Response {success:true}`). */
export async function rawSuccess(conn: NexusConnection, type: string, body: Record<string, unknown>, timeoutMs: number): Promise<Message> {
  const m = await rawRequest(conn, type, body, timeoutMs);
  if (m.type !== `${type}Response` || m.body.success !== true) throw new RawExchangeError(`${type} failed: ${errorText(m)}`);
  return m;
}

/** Round trip proving that everything sent before has arrived (see lockstep.ts BARRIER_REQUEST). */
export async function rawBarrier(conn: NexusConnection, timeoutMs: number): Promise<void> {
  await rawRequest(conn, 'UserInfo', { nickname: '' }, timeoutMs);
}

// --- control connection -------------------------------------------------------------------------------

function describeNetError(e: unknown, target: TargetOptions): string {
  if (e instanceof NetError) return e.message;
  if (e instanceof TypeError) return e.message; // e.g. a malformed fingerprint
  return `cannot reach ${target.host}:${target.port}: ${(e as Error).message}`;
}

export function toServerInfo(v: unknown, fallbackVersion: string): ServerInfo {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const str = (x: unknown, d: string): string => (typeof x === 'string' ? x : d);
  const num = (x: unknown, d: number): number => (typeof x === 'number' ? x : d);
  return {
    name: str(o.name, 'Nexus BBS'),
    description: str(o.description, ''),
    version: str(o.version, fallbackVersion),
    transfer_port: num(o.transfer_port, 7501),
    max_connections_per_ip: num(o.max_connections_per_ip, 5),
    max_transfers_per_ip: num(o.max_transfers_per_ip, 3),
    image: str(o.image, ''), // SES-SI-7: null and absent mean no image
  };
}

/**
 * Opens a connection and logs in as the admin (locale "en" so strings can be matched). Every
 * failure is a TargetUnavailableError with one line: the run cannot start.
 */
export async function openControl(target: TargetOptions, admin: AdminCredentials): Promise<ControlConnection> {
  let conn: NexusConnection;
  try {
    const o: Parameters<typeof NexusConnection.open>[0] = {
      host: target.host,
      port: target.port,
      transport: target.transport,
      timeoutMs: target.timeoutMs,
    };
    if (target.fingerprint !== undefined) o.fingerprint = target.fingerprint;
    conn = await NexusConnection.open(o);
  } catch (e) {
    throw new TargetUnavailableError(describeNetError(e, target));
  }
  try {
    const hs = await rawRequest(conn, 'Handshake', { version: PROTOCOL_VERSION }, target.timeoutMs);
    if (hs.type !== 'HandshakeResponse' || hs.body.success !== true) {
      throw new TargetUnavailableError(`handshake with version ${PROTOCOL_VERSION} failed: ${errorText(hs)}`);
    }
    const lr = await rawRequest(
      conn,
      'Login',
      { username: admin.username, password: admin.password, features: ['chat'], locale: 'en' },
      target.timeoutMs,
    );
    if (lr.type !== 'LoginResponse' || lr.body.success !== true) {
      throw new TargetUnavailableError(`admin login as ${JSON.stringify(admin.username)} failed: ${errorText(lr)}`);
    }
    if (lr.body.is_admin !== true) {
      throw new TargetUnavailableError(`account ${JSON.stringify(admin.username)} is not an admin on the target`);
    }
    if (typeof lr.body.session_id !== 'number') throw new TargetUnavailableError('LoginResponse carries no session_id');
    const protocolVersion = typeof hs.body.version === 'string' ? hs.body.version : PROTOCOL_VERSION;
    const login: AdminLogin = {
      sessionId: lr.body.session_id,
      protocolVersion,
      serverInfo: toServerInfo(lr.body.server_info, protocolVersion),
      locale: typeof lr.body.locale === 'string' ? lr.body.locale : 'en',
    };
    const chat = lr.body.chat_info as Record<string, unknown> | undefined | null;
    if (chat && typeof chat.topic === 'string' && typeof chat.topic_set_by === 'string') {
      login.chatInfo = { topic: chat.topic, topic_set_by: chat.topic_set_by };
    }
    return { conn, login };
  } catch (e) {
    await conn.close();
    if (e instanceof TargetUnavailableError) throw e;
    throw new TargetUnavailableError(`target did not complete the admin login: ${(e as Error).message}`);
  }
}
