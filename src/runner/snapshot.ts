// The target's state before the run (accounts, online sessions, server info, the guest), read over
// the control connection, and the comparison of two snapshots that proves the cleanup.
import { GUEST_USERNAME, nameKey, passwordDigest } from '../model/index.ts';
import type { Account, Session, TargetSnapshot } from '../model/index.ts';
import type { Message } from '../protocol/types.ts';
import { ipPart } from './member-values.ts';
import type { Findings, PreflightCheck } from './preflight.ts';
import { rawRequest, rawSuccess, RawExchangeError } from './control.ts';
import type { AdminCredentials, ControlConnection } from './control.ts';
import { LOGIN_FEATURES } from './login-body.ts';

export interface Snapshot extends TargetSnapshot {
  /** Target session id of the connection that took the snapshot. */
  ownSessionId: number;
}

/** A failed exchange outside the lockstep (setup or cleanup). `detail` says what the target did, without the request type. */
// --- snapshot -----------------------------------------------------------------------------------------

export function entries(m: Message, member: string): Array<Record<string, unknown>> {
  const v = m.body[member];
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
}

/** The harness's own admin account as it knows it without reading it: an enabled admin, nothing else known. */
function ownAccount(admin: Pick<AdminCredentials, 'username'>): Account {
  return { username: admin.username, passwordDigest: null, isAdmin: true, isShared: false, enabled: true, permissions: [], createdAt: 0 };
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
  const { conn, raw, login } = control;
  const ask = async (check: PreflightCheck, type: string, body: Record<string, unknown>): Promise<Message | null> => {
    if (!findings) return rawSuccess(raw, type, body, timeoutMs);
    if (findings.missing.has(type)) return null;
    try {
      return await rawSuccess(raw, type, body, timeoutMs, findings);
    } catch (e) {
      if (!(e instanceof RawExchangeError)) throw e;
      findings.add(check, { sent: `${type} ${JSON.stringify(body)}`, expected: [`${type}Response {success:true, …}`], actual: e.detail });
      findings.notAnswered(type, e.detail);
      return null;
    }
  };
  const adminKey = nameKey(admin.username);
  const all = await ask('read-accounts', 'UserList', { all: true });
  const isListed = async (username: string): Promise<boolean> => {
    const again = await ask('read-accounts', 'UserList', { all: true });
    return (
      again === null || entries(again, 'users').some((u) => typeof u.username === 'string' && nameKey(u.username) === nameKey(username))
    );
  };
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
    byKey.set(adminKey, ownAccount(admin));
    byKey.set(GUEST_USERNAME, { ...ownAccount({ username: GUEST_USERNAME }), passwordDigest: '', isAdmin: false, enabled: false });
  } else if (findings && !byKey.has(adminKey)) {
    findings.add('read-accounts', {
      sent: 'UserList {"all":true}',
      expected: [`an entry for every account, the requester's own ${JSON.stringify(admin.username)} included (USR-LIST-4)`],
      actual: `no entry for ${JSON.stringify(admin.username)} among ${byKey.size} entries`,
      rule: 'USR-LIST-4',
    });
    byKey.set(adminKey, ownAccount(admin));
  }
  for (const [key, account] of byKey) {
    if (key === adminKey) {
      // Our own account: UserEdit of oneself is refused (ADM-EDIT-2); we know it is an enabled admin.
      Object.assign(account, { isAdmin: true, enabled: true, permissions: [], passwordDigest: passwordDigest(admin.password) });
      continue;
    }
    if (!all) continue; // the fallback guest: nothing to ask that the list could not answer
    let edit: Message | null;
    try {
      edit = findings?.missing.has('UserEdit')
        ? null
        : await rawSuccess(raw, 'UserEdit', { username: account.username }, timeoutMs, findings);
    } catch (e) {
      if (!(e instanceof RawExchangeError)) throw e;
      // Deleted since the list was read (a stranger, or another lane of this run): gone, not unanswered.
      if (!(await isListed(account.username))) {
        byKey.delete(key);
        continue;
      }
      edit = await ask('read-accounts', 'UserEdit', { username: account.username });
    }
    if (!edit) continue;
    if (typeof edit.body.username === 'string') account.username = edit.body.username;
    account.isAdmin = edit.body.is_admin === true;
    account.isShared = edit.body.is_shared === true;
    account.enabled = edit.body.enabled === true;
    account.permissions = Array.isArray(edit.body.permissions)
      ? edit.body.permissions.filter((p): p is string => typeof p === 'string')
      : [];
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
        expected: [`an entry whose session_ids include the requester's session ${login.sessionId} (USR-LIST-3: the requester is included)`],
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
      features: [...LOGIN_FEATURES],
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
export async function wasFresh(
  control: ControlConnection,
  snapshot: Snapshot,
  admin: AdminCredentials,
  timeoutMs: number,
  findings?: Findings,
): Promise<boolean> {
  const keys = snapshot.accounts.map((a) => nameKey(a.username)).sort();
  const expected = [GUEST_USERNAME, nameKey(admin.username)].sort();
  if (keys.length !== 2 || keys[0] !== expected[0] || keys[1] !== expected[1]) return false;
  if (findings?.missing.has('UserList') || findings?.missing.has('UserInfo')) return false; // cannot tell
  let info: Message;
  try {
    info = await rawRequest(control.raw, 'UserInfo', { nickname: admin.username }, timeoutMs, findings);
  } catch (e) {
    if (!findings || !(e instanceof RawExchangeError)) throw e;
    findings.add('read-own-info', {
      sent: `UserInfo {"nickname":${JSON.stringify(admin.username)}}`,
      expected: ['UserInfoResponse {success:true, user:{…, created_at}}'],
      actual: e.detail,
    });
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
      const show = (v: unknown): string =>
        typeof v === 'string' && v.length > 60 ? `${JSON.stringify(v.slice(0, 60))}…` : JSON.stringify(v);
      diffs.push(`server_info.${k}: ${show(si0[k])} → ${show(si1[k])}`);
    }
  }
  return diffs;
}
