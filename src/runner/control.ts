// The control connection: the admin's own connection to the target, opened and logged in outside
// the lockstep (creating the admin on a fresh server, SES-AUTH-2), and its raw client: requests
// whose answers the harness reads by id, for setup, snapshots and cleanup, which must work however
// far the model has drifted.
import { PROTOCOL_VERSION } from '../model/index.ts';
import type { ChatInfo, ServerInfo } from '../model/index.ts';
import type { Message } from '../protocol/types.ts';
import type { IdSource } from '../protocol/ids.ts';
import { seededIds } from '../protocol/ids.ts';
import { ClosedError, NexusConnection, NetError, TimeoutError } from '../net/connection.ts';
import type { Received } from '../net/connection.ts';
import { RawClient } from '../net/raw-client.ts';
import { TargetUnavailableError } from './failures.ts';
import type { Findings } from './preflight.ts';
import type { AdminCredentials } from './admin-credentials.ts';
import { loginBody } from './login-body.ts';
import { ServerInfoWatch, toServerInfo } from './server-info-watch.ts';

export { ServerInfoWatch, toServerInfo } from './server-info-watch.ts';

export interface TargetOptions {
  host: string;
  port: number;
  transport: 'auto' | 'tls' | 'plain';
  fingerprint?: string;
  timeoutMs: number;
}

export type { AdminCredentials } from './admin-credentials.ts';

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
  /** The socket (the lockstep adopts it for the admin actor). */
  conn: NexusConnection;
  /** Raw requests over `conn`, outside the model. */
  raw: RawClient;
  login: AdminLogin;
  /** The server info as last seen on `conn`: the login's, then every ServerInfoUpdated since. */
  serverInfoWatch: ServerInfoWatch;
}

/** What the re-entry guard needs of a still-open control connection (restore.ts restoreConnectionLimit). */
export type ControlSocket = Pick<ControlConnection, 'conn' | 'serverInfoWatch'>;

/** A target snapshot plus what the model cannot store: the guest's stored state and who we are. */
export class RawExchangeError extends Error {
  constructor(
    message: string,
    readonly detail: string = message,
  ) {
    super(message);
    this.name = 'RawExchangeError';
  }
}

/**
 * The account logged in but is not an admin. `firstUser`: the target was fresh, so its first login
 * should have created an admin (SES-AUTH-2) — a conformance failure, not a usage error.
 */
export class NotAdminError extends TargetUnavailableError {
  constructor(
    message: string,
    readonly firstUser: boolean,
  ) {
    super(message);
  }
}

/** What the target did instead of answering a request, in the target's terms. */
export function describeNoAnswer(type: string, e: unknown): string {
  if (e instanceof TimeoutError) return `no answer within ${e.timeoutMs} ms`;
  if (e instanceof ClosedError) {
    const i = e.info;
    if (i.reason === 'protocol-error')
      return `the target sent bytes that are not a frame (${i.detail ?? 'bad frame'}) and the connection was dropped`;
    if (i.reason === 'local') return 'the connection was already closed';
    if (i.reason === 'overflow') return `the connection was dropped: ${i.detail ?? 'too much unread input'}`;
    if (i.reason === 'reset') return `the target reset the connection instead of answering ${type}`;
    return `the target closed the connection instead of answering ${type}`;
  }
  return (e as Error).message;
}

// --- raw exchanges ------------------------------------------------------------------------------------

/**
 * One request, its direct answer (WIRE-ID-2); anything else that arrives meanwhile is ignored.
 * The harness asks one thing at a time, so a `<type>Response` under another id can only be this
 * answer with a wrong id: it is taken (the run can go on) and recorded as a WIRE-ID-2 finding.
 */
export async function rawRequest(
  client: RawClient,
  type: string,
  body: Record<string, unknown>,
  timeoutMs: number,
  findings?: Findings,
): Promise<Message> {
  let r: Received;
  let id = '';
  const before = client.receivedCount;
  try {
    id = client.send(type, body);
    // Not an answer echoing an earlier request's id: that is a late or repeated answer to it.
    r = await client.take((f) => f.raw.id === id || (f.raw.type === `${type}Response` && !client.hasSent(f.raw.id)), timeoutMs);
  } catch (e) {
    let detail = describeNoAnswer(type, e);
    const others = client.receivedCount - before;
    if (e instanceof TimeoutError && others >= 1000) detail = `no answer within ${e.timeoutMs} ms, only ${others} other frames (a flood?)`;
    else if (e instanceof TimeoutError && others > 0)
      detail = `no answer within ${e.timeoutMs} ms (${others} other frame${others === 1 ? '' : 's'}, none with the request's id)`;
    else if (e instanceof TimeoutError && client.conn.midFrame) detail = `the start of a frame, then nothing more within ${e.timeoutMs} ms`;
    throw new RawExchangeError(`${type}: ${detail}`, detail);
  }
  if (r.raw.id !== id) {
    findings?.add('request-ids', {
      sent: `${type} with id ${id}`,
      expected: [`${type}Response with id ${id} (WIRE-ID-2: the direct answer echoes the request's id)`],
      actual: `${type}Response with id ${r.raw.id}`,
    });
  }
  if (!r.message) {
    const detail = `an answer that is not a JSON object (${r.parseError ?? 'not JSON'})`;
    throw new RawExchangeError(`${type}: ${detail}`, detail);
  }
  return r.message;
}

function errorText(m: Message): string {
  const text = m.type === 'Error' ? m.body.message : m.body.error;
  return typeof text === 'string' ? text : JSON.stringify(m.body);
}

/** A request that must succeed (`*Response {success:true}`). */
export async function rawSuccess(
  client: RawClient,
  type: string,
  body: Record<string, unknown>,
  timeoutMs: number,
  findings?: Findings,
): Promise<Message> {
  const m = await rawRequest(client, type, body, timeoutMs, findings);
  if (m.type !== `${type}Response` || m.body.success !== true) {
    const detail = `${m.type} ${JSON.stringify(errorText(m))}`;
    throw new RawExchangeError(`${type} failed: ${errorText(m)}`, `answered ${detail}`);
  }
  return m;
}

/** Round trip proving that everything sent before has arrived (see lockstep.ts BARRIER_REQUEST). */
export async function rawBarrier(client: RawClient, timeoutMs: number): Promise<void> {
  await rawRequest(client, 'UserInfo', { nickname: '' }, timeoutMs);
}

// --- control connection -------------------------------------------------------------------------------

function describeNetError(e: unknown, target: TargetOptions): string {
  if (e instanceof TimeoutError && target.transport === 'auto' && e.message.startsWith('TLS handshake')) {
    // auto does not fall back on a timeout: a plain Nexus server answers a ClientHello with an Error.
    return `the target accepted the connection but answered nothing within ${e.timeoutMs} ms (no TLS handshake, and no Error frame as a plain Nexus server sends; --plain forces plain TCP)`;
  }
  if (e instanceof NetError) return e.message;
  if (e instanceof TypeError) return e.message; // e.g. a malformed fingerprint
  return `cannot reach ${target.host}:${target.port}: ${(e as Error).message}`;
}

/** The control connections' ids: their own stream of the run seed (the lockstep draws from another). */
export function controlIds(seed: number): IdSource {
  return seededIds((seed ^ 0x2545f491) >>> 0);
}

/** What the caller knows and collects while opening a control connection. */
export interface ControlOptions {
  /** Where the ids of the raw requests come from (controlIds of the run seed). */
  ids: IdSource;
  /** Bookkeeping findings (preflight.ts); without it, answers with a wrong id are taken silently. */
  findings?: Findings;
  /** The harness started the target itself, so it was empty: the first login must create an admin (SES-AUTH-2). */
  knownFresh?: boolean;
}

/**
 * Opens a connection and logs in as the admin (locale "en" so strings can be matched). Every
 * failure is a TargetUnavailableError with one line: the run cannot start. A login that works but
 * is not an admin is a NotAdminError, which says whether the target was fresh (SES-AUTH-2).
 */
export async function openControl(target: TargetOptions, admin: AdminCredentials, copts: ControlOptions): Promise<ControlConnection> {
  const { findings } = copts;
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
  const raw = new RawClient(conn, copts.ids);
  const serverInfoWatch = ServerInfoWatch.start(conn);
  try {
    let hs: Message;
    try {
      hs = await rawRequest(raw, 'Handshake', { version: PROTOCOL_VERSION }, target.timeoutMs, findings);
    } catch (e) {
      throw new TargetUnavailableError(
        `the target accepted the connection but did not answer the Handshake: ${(e as RawExchangeError).detail ?? (e as Error).message}`,
      );
    }
    if (hs.type !== 'HandshakeResponse' || hs.body.success !== true) {
      throw new TargetUnavailableError(`handshake with version ${PROTOCOL_VERSION} failed: ${errorText(hs)}`);
    }
    let lr: Message;
    try {
      lr = await rawRequest(raw, 'Login', loginBody(admin.username, admin.password), target.timeoutMs, findings);
    } catch (e) {
      throw new TargetUnavailableError(
        `the target answered the Handshake but not the admin's Login: ${(e as RawExchangeError).detail ?? (e as Error).message}`,
      );
    }
    if (lr.type !== 'LoginResponse' || lr.body.success !== true) {
      throw new TargetUnavailableError(`admin login as ${JSON.stringify(admin.username)} failed: ${errorText(lr)}`);
    }
    if (lr.body.is_admin !== true) {
      const firstUser = copts.knownFresh === true || (await createdByThisLogin(raw, admin, target.timeoutMs));
      if (firstUser) {
        findings?.add('first-user', {
          sent: `Login as ${JSON.stringify(admin.username)} on a fresh target (no account but guest)`,
          expected: ['LoginResponse {success:true, is_admin:true}: the first login creates an admin (SES-AUTH-2)'],
          actual: `LoginResponse {success:true, is_admin:${JSON.stringify(lr.body.is_admin ?? null)}}`,
        });
        throw new NotAdminError(`the first login on the fresh target did not create an admin (SES-AUTH-2)`, true);
      }
      throw new NotAdminError(
        `account ${JSON.stringify(admin.username)} is not an admin on the target (if the target was fresh, its first login should have made it one: SES-AUTH-2)`,
        false,
      );
    }
    if (typeof lr.body.session_id !== 'number')
      throw new TargetUnavailableError('the LoginResponse of the admin carries no session_id (SES-LR-1)');
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
    return { conn, raw, login, serverInfoWatch };
  } catch (e) {
    await conn.close();
    if (e instanceof TargetUnavailableError) throw e;
    throw new TargetUnavailableError(`target did not complete the admin login: ${(e as Error).message}`);
  }
}

/** SES-AUTH-2 evidence without admin rights: UserInfo of oneself shows an account created by this login. */
async function createdByThisLogin(client: RawClient, admin: AdminCredentials, timeoutMs: number): Promise<boolean> {
  try {
    const info = await rawRequest(client, 'UserInfo', { nickname: admin.username }, timeoutMs);
    const user = info.body.user as Record<string, unknown> | undefined;
    return !!user && typeof user.created_at === 'number' && typeof user.login_time === 'number' && user.created_at >= user.login_time - 1;
  } catch {
    return false;
  }
}
