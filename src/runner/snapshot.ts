// The target's state before the run (accounts, online sessions, server info, the guest), read over
// the control connection, and the comparison of two snapshots that proves the cleanup.
import { GUEST_USERNAME, nameKey, passwordDigest } from '../model/index.ts';
import type { Account, Session, TargetSnapshot } from '../model/index.ts';
import type { Message } from '../protocol/types.ts';
import { ipPart } from './member-values.ts';
import type { AdminCredentials, ControlConnection } from './control.ts';
import { rawRequest, rawSuccess } from './control.ts';

/** A target snapshot plus what the model cannot store: the guest's stored state and who we are. */
export interface Snapshot extends TargetSnapshot {
  /** Target session id of the connection that took the snapshot. */
  ownSessionId: number;
}

// --- snapshot -----------------------------------------------------------------------------------------

export function entries(m: Message, member: string): Array<Record<string, unknown>> {
  const v = m.body[member];
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
}

/**
 * Reads the target: accounts (UserList all:true, UserEdit on every account but our own), online
 * sessions (UserList all:false, ConnectionMonitor for the addresses) and the server info of `login`.
 * Passwords are unknown (null digests) except the admin's.
 */
export async function readSnapshot(
  control: ControlConnection,
  admin: AdminCredentials,
  timeoutMs: number,
): Promise<Snapshot> {
  const { conn, login } = control;
  const all = await rawSuccess(conn, 'UserList', { all: true }, timeoutMs);
  const byKey = new Map<string, Account>();
  for (const u of entries(all, 'users')) {
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
  const adminKey = nameKey(admin.username);
  for (const [key, account] of byKey) {
    if (key === adminKey) {
      // Our own account: UserEdit of oneself is refused (ADM-EDIT-2); we know it is an enabled admin.
      Object.assign(account, { isAdmin: true, enabled: true, permissions: [], passwordDigest: passwordDigest(admin.password) });
      continue;
    }
    const edit = await rawSuccess(conn, 'UserEdit', { username: account.username }, timeoutMs);
    if (typeof edit.body.username === 'string') account.username = edit.body.username;
    account.isAdmin = edit.body.is_admin === true;
    account.isShared = edit.body.is_shared === true;
    account.enabled = edit.body.enabled === true;
    account.permissions = Array.isArray(edit.body.permissions) ? edit.body.permissions.filter((p): p is string => typeof p === 'string') : [];
    if (key === GUEST_USERNAME) account.passwordDigest = ''; // SES-GUEST-1: empty password
  }

  const online = await rawSuccess(conn, 'UserList', { all: false }, timeoutMs);
  const monitor = await rawSuccess(conn, 'ConnectionMonitor', {}, timeoutMs);
  const ips = new Map<string, string[]>();
  for (const c of entries(monitor, 'connections')) {
    if (typeof c.nickname !== 'string' || typeof c.ip !== 'string') continue;
    const k = nameKey(c.nickname);
    ips.set(k, [...(ips.get(k) ?? []), c.ip]);
  }
  // Our own session's address first: among the entries of our nickname (other sessions of the admin
  // account share it), the one equal to our socket's local address; without a NAT that is the
  // address the target sees for us. Failing that, the first free entry, or the local address.
  const ownEntry = entries(online, 'users').find((u) => Array.isArray(u.session_ids) && u.session_ids.includes(login.sessionId));
  let ownIp = conn.localAddress;
  if (ownEntry && typeof ownEntry.nickname === 'string') {
    const free = ips.get(nameKey(ownEntry.nickname)) ?? [];
    const mine = conn.localAddress === '' ? -1 : free.findIndex((ip) => ipPart(ip) === ipPart(conn.localAddress));
    ownIp = (mine >= 0 ? free.splice(mine, 1)[0] : free.shift()) ?? conn.localAddress;
  }
  const sessions: Array<Omit<Session, 'conn' | 'loginSeq'>> = [];
  for (const u of entries(online, 'users')) {
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
export async function wasFresh(control: ControlConnection, snapshot: Snapshot, admin: AdminCredentials, timeoutMs: number): Promise<boolean> {
  const keys = snapshot.accounts.map((a) => nameKey(a.username)).sort();
  const expected = [GUEST_USERNAME, nameKey(admin.username)].sort();
  if (keys.length !== 2 || keys[0] !== expected[0] || keys[1] !== expected[1]) return false;
  const info = await rawRequest(control.conn, 'UserInfo', { nickname: admin.username }, timeoutMs);
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
