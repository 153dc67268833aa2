// End-to-end harness: the reference server (`startServer`) on an ephemeral port, real client sockets
// (`RawClient`), and helpers to open, handshake, log in, create accounts, prove absence with a
// round trip (`barrier`) and watch forced closes. Every test file calls perTest() (per-test.ts) once
// and hands it to `serve` / `withAdmin`: the server, and every connection opened to it, end after
// each test.
import { expect } from 'vitest';
import { type Received } from '../../src/net/connection.ts';
import { createState, renderError, type ErrorKey, type ErrorParams, type State } from '../../src/model/index.ts';
import type { Profile } from '../../src/protocol/types.ts';
import type { ReferenceServer } from '../../src/server/server.ts';
import { RawClient } from '../../src/net/raw-client.ts';
import { seededIds } from '../../src/protocol/ids.ts';
import type { PerTest } from '../support/per-test.ts';

/** Message ids of the test's raw clients (seeded, like the harness's). */
const ids = seededIds(7);

/** Per-operation bound (ms). Generous: two cores are shared with other jobs. */
export const T = 5000;
export const PROFILES: readonly Profile[] = ['spec', 'nexusd'];
export const PROTOCOL = '0.5.0';
/** The model's clock starts here; tests advance it to tell login times apart. */
export const EPOCH = 1_700_000_000;
/** A tiny valid avatar (VAL-AVATAR). */
export const AVATAR = 'data:image/png;base64,iVBORw0KGgo=';

export type Body = Record<string, unknown>;

/** A reference server with its profile and a settable model clock (unix seconds). */
export interface Server {
  srv: ReferenceServer;
  profile: Profile;
  clock: { now: number };
  /** Renders an error key as this server's profile words it. */
  err(key: ErrorKey, params?: ErrorParams): string;
  state(): State;
  /** The test's perTest().own: a connection opened to this server ends with the test. */
  own: PerTest['own'];
}

/** A logged-in client. */
export interface Client {
  conn: RawClient;
  server: Server;
  sessionId: number;
  /** The LoginResponse body. */
  login: Body;
  username: string;
  nickname: string;
}

const profiles = new WeakMap<RawClient, Profile>();

/**
 * Starts a reference server that lasts the test (`pt`: the test file's perTest()). The per-IP
 * connection limit (WIRE-IP-1, default 5) is raised so a test can hold many clients from 127.0.0.1;
 * everything else is the fresh-server default.
 */
export async function serve(pt: PerTest, profile: Profile, opts: { tls?: boolean; maxConnectionsPerIp?: number } = {}): Promise<Server> {
  const clock = { now: EPOCH };
  const initialState = createState({ profile }, { now: clock.now, idSeed: 11 });
  initialState.serverInfo.max_connections_per_ip = opts.maxConnectionsPerIp ?? 64;
  const srv = await pt.serve({ port: 0, tls: opts.tls ?? false, profile, initialState, now: () => clock.now });
  return {
    srv,
    profile,
    clock,
    err: (key, params = {}) => renderError(key, params, profile),
    state: () => srv.state(),
    own: pt.own,
  };
}

/** Opens a socket to the server (TLS when the server speaks TLS); it ends with the test. */
export async function connect(s: Server): Promise<RawClient> {
  const c = s.own(
    await RawClient.open(
      {
        host: s.srv.host,
        port: s.srv.port,
        transport: s.srv.tls ? 'tls' : 'plain',
        timeoutMs: T,
      },
      ids,
    ),
  );
  profiles.set(c, s.profile);
  return c;
}

export function bodyOf(r: Received): Body {
  expect(r.parseError, `frame ${r.raw.type} did not parse`).toBeUndefined();
  return r.message!.body;
}

/** Frames as `{type, ...body}` objects (the body already carries "type"). */
export function bodies(rs: Received[]): Body[] {
  return rs.map(bodyOf);
}

/** A fresh server-chosen id (WIRE-ID-1/3): 12 lower-case hex digits. */
export const FRESH_ID = /^[0-9a-f]{12}$/;

/** SES-HS-4: Handshake succeeds with the server's protocol version. */
export async function handshake(c: RawClient): Promise<void> {
  const r = await c.request('Handshake', { version: PROTOCOL }, T);
  expect(bodyOf(r)).toEqual({ type: 'HandshakeResponse', success: true, version: PROTOCOL });
}

export interface LoginExtra {
  nickname?: string;
  locale?: string;
  avatar?: string;
  features?: string[];
}

function loginBody(username: string, password: string, extra: LoginExtra): Body {
  const body: Body = { username, password, features: extra.features ?? ['chat'], locale: extra.locale ?? 'en' };
  if (extra.nickname !== undefined) body.nickname = extra.nickname;
  if (extra.avatar !== undefined) body.avatar = extra.avatar;
  return body;
}

/** Opens, handshakes and logs in; asserts LoginResponse success and echo of the request id. */
export async function login(s: Server, username: string, password: string, extra: LoginExtra = {}): Promise<Client> {
  const conn = await connect(s);
  await handshake(conn);
  const id = conn.send('Login', loginBody(username, password, extra));
  const r = await conn.take((x) => x.raw.id === id, T);
  const body = bodyOf(r);
  expect(body, `Login ${username}`).toMatchObject({ type: 'LoginResponse', success: true });
  const sessionId = body.session_id as number;
  const session = s.state().sessions[String(sessionId)];
  expect(session, `model session for ${username}`).toBeDefined();
  return { conn, server: s, sessionId, login: body, username, nickname: session!.nickname };
}

/**
 * A Login that must fail: session.md §2, every failure is `Error {message, command:"Login"}`
 * echoing the request id, then the connection closes. Returns the error message.
 */
export async function loginFails(s: Server, username: string, password: string, extra: LoginExtra = {}): Promise<string> {
  const conn = await connect(s);
  await handshake(conn);
  const r = await conn.request('Login', loginBody(username, password, extra), T);
  const body = bodyOf(r);
  expect(body).toMatchObject({ type: 'Error', command: 'Login' });
  await expectClosed(conn);
  return body.message as string;
}

/**
 * Round trip that proves what a connection has (not) received: `UserInfo {nickname:""}` is
 * answered with the typed E-NICKNAME-EMPTY failure (USR-INFO-2, both profiles, no permission
 * needed, connection stays open). Everything the server sent before that answer is on the socket
 * already (one writer, in order), so the unconsumed frames that arrived before it are exactly what
 * this connection received since the last barrier. They are returned and consumed.
 */
export async function barrier(conn: RawClient): Promise<Received[]> {
  const profile = profiles.get(conn);
  if (profile === undefined) throw new Error('barrier on a connection not opened by connect()');
  const answer = await conn.request('UserInfo', { nickname: '' }, T);
  expect(bodyOf(answer)).toEqual({
    type: 'UserInfoResponse',
    success: false,
    error: renderError('E-NICKNAME-EMPTY', {}, profile),
  });
  const before = conn.unconsumed().filter((r) => r.seq < answer.seq);
  for (const r of before) await conn.take((x) => x.seq === r.seq, T);
  return before;
}

/** The frames received since the last barrier, as bodies. */
export async function drain(conn: RawClient | Client): Promise<Body[]> {
  return bodies(await barrier(conn instanceof RawClient ? conn : conn.conn));
}

/** Nothing arrived on these connections since their last barrier. */
export async function expectQuiet(...who: Array<RawClient | Client>): Promise<void> {
  for (const w of who) {
    const c = w instanceof RawClient ? w : w.conn;
    expect(bodies(await barrier(c)), 'expected no frame').toEqual([]);
  }
}

/**
 * Barrier for a connection without a session: any request but Handshake/Login gets
 * E-NOT-LOGGED-IN (GEN-1, E!) and a close. Returns what arrived before that answer.
 */
export async function finalBarrierPreLogin(conn: RawClient, profile: Profile): Promise<Body[]> {
  const answer = await conn.request('UserList', { all: false }, T);
  expect(bodyOf(answer)).toEqual({
    type: 'Error',
    message: renderError('E-NOT-LOGGED-IN', {}, profile),
    command: 'UserList',
  });
  await expectClosed(conn);
  return bodies(conn.unconsumed().filter((r) => r.seq < answer.seq));
}

/** The server closed the connection (FIN: reason `eof`) within T. */
export async function expectClosed(conn: RawClient): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const info = await Promise.race([
    conn.closed,
    new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), T);
    }),
  ]);
  clearTimeout(timer);
  expect(info, 'connection still open').not.toBeNull();
  expect(info!.reason).toBe('eof');
}

/** Sends a request and returns the body of the answer echoing its id (WIRE-ID-2). */
export async function ask(who: RawClient | Client, type: string, body: Body): Promise<Body> {
  const c = who instanceof RawClient ? who : who.conn;
  const r = await c.request(type, body, T);
  return bodyOf(r);
}

export interface NewUser {
  permissions?: string[];
  isAdmin?: boolean;
  isShared?: boolean;
  enabled?: boolean;
}

/** UserCreate that must succeed (ADM-CREATE-12: the name as sent). */
export async function createUser(admin: Client, username: string, password: string, u: NewUser = {}): Promise<void> {
  const body: Body = {
    username,
    password,
    is_admin: u.isAdmin ?? false,
    enabled: u.enabled ?? true,
    permissions: u.permissions ?? [],
  };
  if (u.isShared !== undefined) body.is_shared = u.isShared;
  expect(await ask(admin, 'UserCreate', body)).toEqual({ type: 'UserCreateResponse', success: true, username });
}

/** A fresh server (lasting the test, as `serve`) whose first login (`Admin`) became the admin (SES-AUTH-2). */
export async function withAdmin(pt: PerTest, profile: Profile, opts: { tls?: boolean } = {}): Promise<{ s: Server; admin: Client }> {
  const s = await serve(pt, profile, opts);
  const admin = await login(s, 'Admin', 'adminpw');
  expect(admin.login).toMatchObject({ is_admin: true, permissions: [] });
  return { s, admin };
}

/**
 * The failure an error key travels in: `T` = `<Type>Response {success:false, error}`, `E` = open
 * `Error {message, command}` (rules.md header). Both echo the request id (checked by `ask`).
 */
export function failure(s: Server, type: string, carrier: 'T' | 'E', key: ErrorKey, params: ErrorParams = {}): Body {
  const text = s.err(key, params);
  return carrier === 'T' ? { type: `${type}Response`, success: false, error: text } : { type: 'Error', message: text, command: type };
}

/** GEN-4 carrier of the divergent failures: `spec` typed, `nexusd` open Error. */
export function divergent(s: Server): 'T' | 'E' {
  return s.profile === 'spec' ? 'T' : 'E';
}

/** Types of frames, for order checks. */
export function typesOf(bs: Body[]): string[] {
  return bs.map((b) => b.type as string);
}
