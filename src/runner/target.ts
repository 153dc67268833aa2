// Real targets are not empty. Before a run the harness logs in as the admin (creating it on a fresh
// server, SES-AUTH-2), reads the accounts, online sessions, server info and guest state, and seeds
// the model with them; after the run (also after a failed check or an interrupt) it deletes what it
// created and restores what it changed, then reads the target again to prove it. These exchanges
// run outside the lockstep: they must work however far the model has drifted.
import { GUEST_USERNAME, nameKey, passwordDigest, PROTOCOL_VERSION } from '../model/index.ts';
import type { Account, ChatInfo, ServerInfo, Session, TargetSnapshot } from '../model/index.ts';
import type { Message, Profile } from '../protocol/types.ts';
import { ClosedError, NexusConnection, NetError, TimeoutError } from '../net/connection.ts';
import type { Received } from '../net/connection.ts';
import { ipPart } from './compare.ts';
import { TargetUnavailableError } from './failures.ts';
import type { Findings, PreflightCheck } from './preflight.ts';

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

/** A target snapshot plus what the model cannot store: the guest's stored state and who we are. */
export interface Snapshot extends TargetSnapshot {
  /** Target session id of the connection that took the snapshot. */
  ownSessionId: number;
}

/** A failed exchange outside the lockstep (setup or cleanup). `detail` says what the target did, without the request type. */
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
function describeNoAnswer(type: string, e: unknown): string {
  if (e instanceof TimeoutError) return `no answer within ${e.timeoutMs} ms`;
  if (e instanceof ClosedError) {
    const i = e.info;
    if (i.reason === 'protocol-error') return `the target sent bytes that are not a frame (${i.detail ?? 'bad frame'}) and the connection was dropped`;
    if (i.reason === 'local') return 'the connection was already closed';
    if (i.reason === 'overflow') return `the connection was dropped: ${i.detail ?? 'too much unread input'}`;
    if (i.reason === 'reset') return `the target reset the connection instead of answering ${type}`;
    return `the target closed the connection instead of answering ${type}`;
  }
  return (e as Error).message;
}

// --- raw exchanges ------------------------------------------------------------------------------------

/** Ids of the raw requests sent on each connection (rawRequest). */
const askedIds = new WeakMap<NexusConnection, Set<string>>();

/**
 * One request, its direct answer (WIRE-ID-2); anything else that arrives meanwhile is ignored.
 * The harness asks one thing at a time, so a `<type>Response` under another id can only be this
 * answer with a wrong id: it is taken (the run can go on) and recorded as a WIRE-ID-2 finding.
 */
export async function rawRequest(
  conn: NexusConnection,
  type: string,
  body: Record<string, unknown>,
  timeoutMs: number,
  findings?: Findings,
): Promise<Message> {
  let r: Received;
  let id = '';
  const asked = askedIds.get(conn) ?? new Set<string>();
  askedIds.set(conn, asked);
  const before = conn.receivedCount;
  try {
    id = conn.send(type, body);
    asked.add(id);
    // Not an answer echoing an earlier request's id: that is a late or repeated answer to it.
    r = await conn.take((f) => f.raw.id === id || (f.raw.type === `${type}Response` && !asked.has(f.raw.id)), timeoutMs);
  } catch (e) {
    let detail = describeNoAnswer(type, e);
    const others = conn.receivedCount - before;
    if (e instanceof TimeoutError && others >= 1000) detail = `no answer within ${e.timeoutMs} ms, only ${others} other frames (a flood?)`;
    else if (e instanceof TimeoutError && others > 0) detail = `no answer within ${e.timeoutMs} ms (${others} other frame${others === 1 ? '' : 's'}, none with the request's id)`;
    else if (e instanceof TimeoutError && conn.midFrame) detail = `the start of a frame, then nothing more within ${e.timeoutMs} ms`;
    throw new RawExchangeError(`${type}: ${detail}`, detail);
  }
  if (r.raw.id !== id) {
    findings?.add('request-ids', {
      sent: `${type} with id ${id}`,
      expected: `${type}Response with id ${id} (WIRE-ID-2: the direct answer echoes the request's id)`,
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
async function rawSuccess(conn: NexusConnection, type: string, body: Record<string, unknown>, timeoutMs: number, findings?: Findings): Promise<Message> {
  const m = await rawRequest(conn, type, body, timeoutMs, findings);
  if (m.type !== `${type}Response` || m.body.success !== true) {
    const detail = `${m.type} ${JSON.stringify(errorText(m))}`;
    throw new RawExchangeError(`${type} failed: ${errorText(m)}`, `answered ${detail}`);
  }
  return m;
}

/** Round trip proving that everything sent before has arrived (see lockstep.ts BARRIER_REQUEST). */
export async function rawBarrier(conn: NexusConnection, timeoutMs: number): Promise<void> {
  await rawRequest(conn, 'UserInfo', { nickname: '' }, timeoutMs);
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

function toServerInfo(v: unknown, fallbackVersion: string): ServerInfo {
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

/** What the caller knows and collects while opening a control connection. */
export interface ControlOptions {
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
export async function openControl(target: TargetOptions, admin: AdminCredentials, copts: ControlOptions = {}): Promise<ControlConnection> {
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
  try {
    let hs: Message;
    try {
      hs = await rawRequest(conn, 'Handshake', { version: PROTOCOL_VERSION }, target.timeoutMs, findings);
    } catch (e) {
      throw new TargetUnavailableError(`the target accepted the connection but did not answer the Handshake: ${(e as RawExchangeError).detail ?? (e as Error).message}`);
    }
    if (hs.type !== 'HandshakeResponse' || hs.body.success !== true) {
      throw new TargetUnavailableError(`handshake with version ${PROTOCOL_VERSION} failed: ${errorText(hs)}`);
    }
    let lr: Message;
    try {
      lr = await rawRequest(
        conn,
        'Login',
        { username: admin.username, password: admin.password, features: ['chat'], locale: 'en' },
        target.timeoutMs,
        findings,
      );
    } catch (e) {
      throw new TargetUnavailableError(`the target answered the Handshake but not the admin's Login: ${(e as RawExchangeError).detail ?? (e as Error).message}`);
    }
    if (lr.type !== 'LoginResponse' || lr.body.success !== true) {
      throw new TargetUnavailableError(`admin login as ${JSON.stringify(admin.username)} failed: ${errorText(lr)}`);
    }
    if (lr.body.is_admin !== true) {
      const firstUser = copts.knownFresh === true || (await createdByThisLogin(conn, admin, target.timeoutMs));
      if (firstUser) {
        findings?.add('first-user', {
          sent: `Login as ${JSON.stringify(admin.username)} on a fresh target (no account but guest)`,
          expected: 'LoginResponse {success:true, is_admin:true}: the first login creates an admin (SES-AUTH-2)',
          actual: `LoginResponse {success:true, is_admin:${JSON.stringify(lr.body.is_admin ?? null)}}`,
        });
        throw new NotAdminError(`the first login on the fresh target did not create an admin (SES-AUTH-2)`, true);
      }
      throw new NotAdminError(
        `account ${JSON.stringify(admin.username)} is not an admin on the target (if the target was fresh, its first login should have made it one: SES-AUTH-2)`,
        false,
      );
    }
    if (typeof lr.body.session_id !== 'number') throw new TargetUnavailableError('the LoginResponse of the admin carries no session_id (SES-LR-1)');
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

/** SES-AUTH-2 evidence without admin rights: UserInfo of oneself shows an account created by this login. */
async function createdByThisLogin(conn: NexusConnection, admin: AdminCredentials, timeoutMs: number): Promise<boolean> {
  try {
    const info = await rawRequest(conn, 'UserInfo', { nickname: admin.username }, timeoutMs);
    const user = info.body.user as Record<string, unknown> | undefined;
    return !!user && typeof user.created_at === 'number' && typeof user.login_time === 'number' && user.created_at >= user.login_time - 1;
  } catch {
    return false;
  }
}

// --- snapshot -----------------------------------------------------------------------------------------

function entries(m: Message, member: string): Array<Record<string, unknown>> {
  const v = m.body[member];
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
}

/**
 * Reads the target: accounts (UserList all:true, UserEdit on every account but our own), online
 * sessions (UserList all:false, ConnectionMonitor for the addresses) and the server info of `login`.
 * Passwords are unknown (null digests) except the admin's.
 *
 * Without `findings` any failed request throws. With it, the read goes on: each request the target
 * gets wrong becomes a finding (preflight.ts) and what it would have told is filled in from what the
 * harness knows for sure (its own account and session; the guest, disabled, SES-GUEST-2).
 * Requests the findings already know to go unanswered are not asked again.
 */
export async function readSnapshot(
  control: ControlConnection,
  admin: AdminCredentials,
  timeoutMs: number,
  findings?: Findings,
): Promise<Snapshot> {
  const { conn, login } = control;
  const ask = async (check: PreflightCheck, type: string, body: Record<string, unknown>): Promise<Message | null> => {
    if (!findings) return rawSuccess(conn, type, body, timeoutMs);
    if (findings.missing.has(type)) return null;
    try {
      return await rawSuccess(conn, type, body, timeoutMs, findings);
    } catch (e) {
      if (!(e instanceof RawExchangeError)) throw e;
      findings.add(check, { sent: `${type} ${JSON.stringify(body)}`, expected: `${type}Response {success:true, …}`, actual: e.detail });
      findings.notAnswered(type, e.detail);
      return null;
    }
  };
  const adminKey = nameKey(admin.username);
  const all = await ask('read-accounts', 'UserList', { all: true });
  const byKey = new Map<string, Account>();
  for (const u of all ? entries(all, 'users') : []) {
    if (typeof u.username !== 'string') continue;
    const key = nameKey(u.username);
    const stored = Array.isArray(u.session_ids) && u.session_ids.length === 0;
    const known = byKey.get(key);
    if (known && !stored) continue;
    byKey.set(key, {
      username: u.username,
      passwordDigest: null,
      isAdmin: u.is_admin === true,
      isShared: u.is_shared === true,
      enabled: true,
      permissions: [],
      createdAt: stored && typeof u.login_time === 'number' ? u.login_time : (known?.createdAt ?? 0),
    });
  }
  if (!all) {
    // Unreadable: the two accounts every target has once we are logged in.
    byKey.set(adminKey, { username: admin.username, passwordDigest: null, isAdmin: true, isShared: false, enabled: true, permissions: [], createdAt: 0 });
    byKey.set(GUEST_USERNAME, { username: GUEST_USERNAME, passwordDigest: '', isAdmin: false, isShared: false, enabled: false, permissions: [], createdAt: 0 });
  } else if (findings && !byKey.has(adminKey)) {
    findings.add('read-accounts', {
      sent: 'UserList {"all":true}',
      expected: `an entry for every account, the requester's own ${JSON.stringify(admin.username)} included (USR-LIST-4)`,
      actual: `no entry for ${JSON.stringify(admin.username)} among ${byKey.size} entries`,
      rule: 'USR-LIST-4',
    });
    byKey.set(adminKey, { username: admin.username, passwordDigest: null, isAdmin: true, isShared: false, enabled: true, permissions: [], createdAt: 0 });
  }
  for (const [key, account] of byKey) {
    if (key === adminKey) {
      // Our own account: UserEdit of oneself is refused (ADM-EDIT-2); we know it is an enabled admin.
      Object.assign(account, { isAdmin: true, enabled: true, permissions: [], passwordDigest: passwordDigest(admin.password) });
      continue;
    }
    if (!all) continue; // the fallback guest: nothing to ask that the list could not answer
    const edit = await ask('read-accounts', 'UserEdit', { username: account.username });
    if (!edit) continue;
    if (typeof edit.body.username === 'string') account.username = edit.body.username;
    account.isAdmin = edit.body.is_admin === true;
    account.isShared = edit.body.is_shared === true;
    account.enabled = edit.body.enabled === true;
    account.permissions = Array.isArray(edit.body.permissions) ? edit.body.permissions.filter((p): p is string => typeof p === 'string') : [];
    if (key === GUEST_USERNAME) account.passwordDigest = ''; // SES-GUEST-1: empty password
  }

  const online = await ask('read-sessions', 'UserList', { all: false });
  const monitor = await ask('read-addresses', 'ConnectionMonitor', {});
  const ips = new Map<string, string[]>();
  for (const c of monitor ? entries(monitor, 'connections') : []) {
    if (typeof c.nickname !== 'string' || typeof c.ip !== 'string') continue;
    const k = nameKey(c.nickname);
    ips.set(k, [...(ips.get(k) ?? []), c.ip]);
  }
  // Our own session's address first: among the entries of our nickname (other sessions of the admin
  // account share it), the one equal to our socket's local address; without a NAT that is the
  // address the target sees for us. Failing that, the first free entry, or the local address.
  const onlineEntries = online ? entries(online, 'users') : [];
  const ownEntry = onlineEntries.find((u) => Array.isArray(u.session_ids) && u.session_ids.includes(login.sessionId));
  let ownIp = conn.localAddress;
  if (ownEntry && typeof ownEntry.nickname === 'string') {
    const free = ips.get(nameKey(ownEntry.nickname)) ?? [];
    const mine = conn.localAddress === '' ? -1 : free.findIndex((ip) => ipPart(ip) === ipPart(conn.localAddress));
    ownIp = (mine >= 0 ? free.splice(mine, 1)[0] : free.shift()) ?? conn.localAddress;
  }
  const sessions: Array<Omit<Session, 'conn' | 'loginSeq'>> = [];
  for (const u of onlineEntries) {
    if (typeof u.username !== 'string' || typeof u.nickname !== 'string' || !Array.isArray(u.session_ids)) continue;
    for (const id of u.session_ids) {
      if (typeof id !== 'number') continue;
      const own = id === login.sessionId;
      const free = ips.get(nameKey(u.nickname)) ?? [];
      sessions.push({
        id,
        accountKey: nameKey(u.username),
        nickname: u.nickname,
        isShared: u.is_shared === true,
        loginTime: typeof u.login_time === 'number' ? u.login_time : 0,
        locale: own ? login.locale : typeof u.locale === 'string' ? u.locale : 'en',
        avatar: typeof u.avatar === 'string' ? u.avatar : null,
        features: own ? ['chat'] : [],
        isAway: u.is_away === true,
        status: typeof u.status === 'string' ? u.status : null,
        ip: own ? ownIp : (free.shift() ?? ''),
        port: 0,
      });
    }
  }
  if (findings && !sessions.some((s) => s.id === login.sessionId)) {
    // USR-LIST-3: the requester is included. Without its entry the harness still knows its own session.
    if (online) {
      findings.add('read-sessions', {
        sent: 'UserList {"all":false}',
        expected: `an entry whose session_ids include the requester's session ${login.sessionId} (USR-LIST-3: the requester is included)`,
        actual: `${onlineEntries.length} entries, none with session ${login.sessionId}`,
      });
    }
    sessions.push({
      id: login.sessionId,
      accountKey: adminKey,
      nickname: byKey.get(adminKey)?.username ?? admin.username,
      isShared: false,
      loginTime: 0,
      locale: login.locale,
      avatar: null,
      features: ['chat'],
      isAway: false,
      status: null,
      ip: ownIp,
      port: 0,
    });
  }
  const snapshot: Snapshot = {
    accounts: [...byKey.values()].sort((a, b) => (nameKey(a.username) < nameKey(b.username) ? -1 : 1)),
    sessions,
    serverInfo: login.serverInfo,
    ownSessionId: login.sessionId,
  };
  if (login.chatInfo) snapshot.chatInfo = login.chatInfo;
  return snapshot;
}

/**
 * SES-AUTH-2: was the target fresh? Only `guest` and the admin exist, and the admin account was
 * created by our login (its creation time is not before the login, both on the target's clock).
 */
export async function wasFresh(control: ControlConnection, snapshot: Snapshot, admin: AdminCredentials, timeoutMs: number, findings?: Findings): Promise<boolean> {
  const keys = snapshot.accounts.map((a) => nameKey(a.username)).sort();
  const expected = [GUEST_USERNAME, nameKey(admin.username)].sort();
  if (keys.length !== 2 || keys[0] !== expected[0] || keys[1] !== expected[1]) return false;
  if (findings?.missing.has('UserList') || findings?.missing.has('UserInfo')) return false; // cannot tell
  let info: Message;
  try {
    info = await rawRequest(control.conn, 'UserInfo', { nickname: admin.username }, timeoutMs, findings);
  } catch (e) {
    if (!findings || !(e instanceof RawExchangeError)) throw e;
    findings.add('read-own-info', { sent: `UserInfo {"nickname":${JSON.stringify(admin.username)}}`, expected: 'UserInfoResponse {success:true, user:{…, created_at}}', actual: e.detail });
    findings.notAnswered('UserInfo', e.detail);
    return false;
  }
  const user = info.body.user as Record<string, unknown> | undefined;
  if (!user || typeof user.created_at !== 'number' || typeof user.login_time !== 'number') return false;
  return user.created_at >= user.login_time - 1;
}

/** Number of live sessions of other people coming from the harness's own address (WIRE-IP-1 counts them too). */
export function strangersFromOurAddress(snapshot: Snapshot): number {
  const own = snapshot.sessions.find((s) => s.id === snapshot.ownSessionId);
  if (!own || own.ip === '') return 0;
  const ours = ipPart(own.ip);
  return snapshot.sessions.filter((s) => s.id !== snapshot.ownSessionId && s.ip !== '' && ipPart(s.ip) === ours).length;
}

// --- restore ------------------------------------------------------------------------------------------

export interface RestorePlan {
  /** Accounts and guest state to return to. */
  baseline: Snapshot;
  /** Server info to return to (the pre-run one at the end; the run's working copy between checks). */
  serverInfo: ServerInfo;
  /** Names that belong to the run (prefix); every such account is deleted. */
  isRunName: (name: string) => boolean;
  /** Further accounts to delete (created by checks under other names). */
  extraAccounts: Iterable<string>;
  profile: Profile;
  /**
   * The control admin, which restoration never touches. Default: the account of the baseline's
   * own session (`ownSessionId`).
   */
  adminUsername?: string;
  /** Request types the target is known not to answer (preflight.ts): not asked, reported as not restored. */
  missing?: ReadonlyMap<string, string>;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string') : [];
}

/**
 * Returns one pre-existing account to its snapshot state: its spelling (a check may have renamed the
 * guest to a case variant, ADM-UPDATE-7), admin flag (UND-5: a target may promote the guest),
 * permissions and enabled flag — the run may have touched them on a misbehaving target. Passwords
 * are never touched (unknown). One request per field, so a target refusing one change (e.g. `spec`
 * refusing any rename of the guest) does not keep the others from being restored. Enabling goes
 * last: disabling ends the account's sessions (SES-FORCE-2), which the snapshot had none of then.
 */
async function restoreAccount(
  conn: NexusConnection,
  want: Account,
  attempt: (what: string, f: () => Promise<unknown>) => Promise<void>,
  timeoutMs: number,
): Promise<void> {
  let now: Message | undefined;
  await attempt(`read ${want.username}`, async () => {
    now = await rawSuccess(conn, 'UserEdit', { username: want.username }, timeoutMs);
  });
  if (!now) return;
  let current = typeof now.body.username === 'string' ? now.body.username : want.username;
  const update = async (what: string, fields: Record<string, unknown>): Promise<void> => {
    await attempt(`restore ${want.username} ${what}`, () => rawSuccess(conn, 'UserUpdate', { username: current, ...fields }, timeoutMs));
  };
  if (current !== want.username && nameKey(current) === nameKey(want.username)) {
    await update(`name (now ${JSON.stringify(current)})`, { requested_username: want.username });
    current = want.username;
  }
  if ((now.body.is_admin === true) !== want.isAdmin) await update('admin flag', { requested_is_admin: want.isAdmin });
  if (!sameSet(stringList(now.body.permissions), want.permissions)) await update('permissions', { requested_permissions: [...want.permissions] });
  if ((now.body.enabled === true) !== want.enabled) await update('enabled flag', { requested_enabled: want.enabled });
}

/**
 * Deletes the run's accounts, returns every pre-existing account but the control admin to its
 * snapshot state (name spelling, admin, enabled, permissions; the guest included), restores the
 * server info, then makes a round trip so every broadcast this caused has arrived. Best effort:
 * every step is attempted; failures are returned as lines.
 */
export async function restoreTarget(control: ControlConnection, plan: RestorePlan, timeoutMs: number): Promise<string[]> {
  const { conn } = control;
  const problems: string[] = [];
  const missing = plan.missing ?? new Map<string, string>();
  const attempt = async (what: string, f: () => Promise<unknown>): Promise<void> => {
    try {
      await f();
    } catch (e) {
      problems.push(`${what}: ${(e as Error).message}`);
    }
  };
  const extra = new Set([...plan.extraAccounts].map(nameKey));
  const baselineKeys = new Set(plan.baseline.accounts.map((a) => nameKey(a.username)));
  let current: Array<Record<string, unknown>> | null;
  try {
    if (missing.has('UserList')) throw new Error('the target does not answer UserList');
    current = entries(await rawSuccess(conn, 'UserList', { all: true }, timeoutMs), 'users');
  } catch (e) {
    problems.push(`list accounts (to delete the run's own): ${(e as Error).message}`);
    current = null;
  }
  const seen = new Set<string>();
  for (const u of current ?? []) {
    if (typeof u.username !== 'string' || seen.has(nameKey(u.username))) continue;
    seen.add(nameKey(u.username));
    const key = nameKey(u.username);
    if (baselineKeys.has(key)) continue;
    if (plan.isRunName(u.username) || extra.has(key)) {
      await attempt(`delete ${u.username}`, () => rawSuccess(conn, 'UserDelete', { username: u.username }, timeoutMs));
    }
  }

  // Pre-existing accounts that still exist (a deleted one cannot be recreated: its password is
  // unknown; compareSnapshots reports it). Never the control admin: UserEdit of oneself is refused
  // (ADM-EDIT-2) and the run must keep its own rights.
  const ownKey =
    plan.adminUsername !== undefined
      ? nameKey(plan.adminUsername)
      : plan.baseline.sessions.find((s) => s.id === plan.baseline.ownSessionId)?.accountKey;
  for (const want of plan.baseline.accounts) {
    const key = nameKey(want.username);
    if (key === ownKey) continue;
    if (current !== null && !seen.has(key)) continue;
    if (missing.has('UserEdit')) {
      problems.push(`restore ${want.username}: the target does not answer UserEdit`);
      continue;
    }
    await restoreAccount(conn, want, attempt, timeoutMs);
  }

  await attempt('restore server info', async () => {
    const want = plan.serverInfo;
    const have = control.login.serverInfo;
    const update: Record<string, unknown> = {};
    if (have.name !== want.name) update.name = want.name;
    if (have.description !== want.description) update.description = want.description;
    if (have.image !== want.image) update.image = want.image;
    if (have.max_connections_per_ip !== want.max_connections_per_ip) update.max_connections_per_ip = want.max_connections_per_ip;
    if (have.max_transfers_per_ip !== want.max_transfers_per_ip) update.max_transfers_per_ip = want.max_transfers_per_ip;
    if (Object.keys(update).length > 0) {
      await rawSuccess(conn, 'ServerInfoUpdate', update, timeoutMs);
      control.login.serverInfo = { ...have, ...update } as ServerInfo;
    }
  });
  if (!missing.has('UserInfo')) await attempt('barrier', () => rawBarrier(conn, timeoutMs));
  return problems;
}

/**
 * The target's server info as last seen on `conn`: the server_info of its LoginResponse, overlaid
 * by every ServerInfoUpdated broadcast received since (BC-6: every live session gets the complete
 * info). null when `conn` never logged in. Works for any connection the harness keeps, however it
 * logged in (raw or in lockstep), because the connection records every frame it received.
 */
export function observedServerInfo(conn: NexusConnection): ServerInfo | null {
  let info: ServerInfo | null = null;
  for (const r of conn.received()) {
    const m = r.message;
    if (!m) continue;
    if (m.type === 'LoginResponse' && m.body.success === true) {
      info = toServerInfo(m.body.server_info, PROTOCOL_VERSION);
    } else if (m.type === 'ServerInfoUpdated' && info !== null && typeof m.body.server_info === 'object' && m.body.server_info !== null) {
      const seen = m.body.server_info as Record<string, unknown>;
      const next = toServerInfo(seen, info.version);
      // Only what the broadcast carries: a partial one (UND) must not reset the rest to defaults.
      for (const k of Object.keys(info) as Array<keyof ServerInfo>) {
        if (k in seen) (info as unknown as Record<string, unknown>)[k] = next[k];
      }
    }
  }
  return info;
}

/**
 * Re-entry guard (WIRE-IP-1, WIRE-IP-3). A check may lower `max_connections_per_ip` below the
 * connections open from our address — strangers from it count too — and then fail or be
 * interrupted before it restores the limit. Once the run drops its own connections, no new control
 * connection would be admitted and the target could not be restored at all. So, while `conn` (an
 * admin session of the run) is still open: a round trip, so every broadcast sent before has
 * arrived, then, if the limit last broadcast differs from `want`, put it back. Returns problems
 * as lines (none when nothing had to be done or it worked).
 */
export async function restoreConnectionLimit(conn: NexusConnection, want: ServerInfo, timeoutMs: number): Promise<string[]> {
  if (conn.isClosed) return [];
  try {
    await rawBarrier(conn, timeoutMs);
    const seen = observedServerInfo(conn);
    if (seen === null || seen.max_connections_per_ip === want.max_connections_per_ip) return [];
    await rawSuccess(conn, 'ServerInfoUpdate', { max_connections_per_ip: want.max_connections_per_ip }, timeoutMs);
    return [];
  } catch (e) {
    return [`restore max_connections_per_ip over the open connection: ${(e as Error).message}`];
  }
}

/**
 * Differences between two snapshots that the run must not leave behind: accounts (existence, admin,
 * shared, enabled, permissions as sets) and server info (all but the software version).
 */
export function compareSnapshots(before: TargetSnapshot, after: TargetSnapshot): string[] {
  const diffs: string[] = [];
  const index = (s: TargetSnapshot): Map<string, Account> => new Map(s.accounts.map((a) => [nameKey(a.username), a]));
  const a = index(before);
  const b = index(after);
  for (const [key, was] of a) {
    const now = b.get(key);
    if (!now) {
      diffs.push(`account ${was.username} is gone`);
      continue;
    }
    if (now.username !== was.username) diffs.push(`account ${was.username} is now spelt ${now.username}`);
    if (now.isAdmin !== was.isAdmin) diffs.push(`account ${was.username}: is_admin ${was.isAdmin} → ${now.isAdmin}`);
    if (now.isShared !== was.isShared) diffs.push(`account ${was.username}: is_shared ${was.isShared} → ${now.isShared}`);
    if (now.enabled !== was.enabled) diffs.push(`account ${was.username}: enabled ${was.enabled} → ${now.enabled}`);
    const p0 = [...new Set(was.permissions)].sort().join(',');
    const p1 = [...new Set(now.permissions)].sort().join(',');
    if (p0 !== p1) diffs.push(`account ${was.username}: permissions [${p0}] → [${p1}]`);
  }
  for (const [key, now] of b) if (!a.has(key)) diffs.push(`account ${now.username} was left behind`);
  const si0 = before.serverInfo;
  const si1 = after.serverInfo;
  for (const k of ['name', 'description', 'image', 'transfer_port', 'max_connections_per_ip', 'max_transfers_per_ip'] as const) {
    if (si0[k] !== si1[k]) {
      const show = (v: unknown): string => (typeof v === 'string' && v.length > 60 ? `${JSON.stringify(v.slice(0, 60))}…` : JSON.stringify(v));
      diffs.push(`server_info.${k}: ${show(si0[k])} → ${show(si1[k])}`);
    }
  }
  return diffs;
}
