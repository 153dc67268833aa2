// What the server reports about users, sessions and itself: the UserInfo / UserInfoDetailed /
// ConnectionMonitor entry / ServerInfo objects, the SES-ID-2 aggregation of a regular account's
// sessions, and the case-insensitive nickname order of lists (USR-LIST-5, CM-4). Pure functions of
// the state; optional members with no value are omitted (WIRE-JSON-5).
import type { Profile } from '../protocol/types.ts';
import type { Account, ServerInfo, Session, State } from './state.ts';
import { nameKey } from './state.ts';
import { dottedIPv4 } from './ip.ts';

export type Json = Record<string, unknown>;

export function accountOf(state: State, session: Session): Account | undefined {
  return state.accounts[session.accountKey];
}

/** Live sessions in login order (SES-ID-2 needs "the latest login"). */
export function liveSessions(state: State): Session[] {
  return Object.values(state.sessions).sort((a, b) => a.loginSeq - b.loginSeq);
}

export function sessionsOf(state: State, accountKey: string): Session[] {
  return liveSessions(state).filter((s) => s.accountKey === accountKey);
}

/**
 * Code-point order (as upstream compares UTF-8 strings), not UTF-16 code-unit order. Lists are
 * sorted with it on every UserList, so it walks code units and only looks at code points where the
 * strings first differ (where the two orders can disagree: surrogates).
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  // After a shared high surrogate, the code points start there (a pair) unless both are lone halves.
  if (i > 0 && isHighSurrogate(a.charCodeAt(i - 1))) {
    const d = a.codePointAt(i - 1)! - b.codePointAt(i - 1)!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  const d = a.codePointAt(i)! - b.codePointAt(i)!;
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/** USR-LIST-5, CM-4: ascending by lower-cased nickname; ties (unspecified) by session id for determinism. */
export function byNickname<T>(items: T[], nickname: (t: T) => string, tie: (t: T) => number = () => 0): T[] {
  // Keys computed once per item, not once per comparison.
  const keyed = items.map((item) => ({ item, key: nameKey(nickname(item)), tie: tie(item) }));
  keyed.sort((a, b) => compareCodePoints(a.key, b.key) || a.tie - b.tie);
  return keyed.map((k) => k.item);
}

/**
 * The sessions one list entry stands for: all live sessions of a regular account (SES-ID-2) or a
 * single shared session (SES-SHARED-2). Non-empty, in login order.
 */
export type Group = Session[];

/** USR-LIST-3: one group per online regular account plus one per shared session. */
export function onlineGroups(state: State): Group[] {
  const groups: Group[] = [];
  const byAccount = new Map<string, Session[]>();
  for (const s of liveSessions(state)) {
    if (s.isShared) groups.push([s]);
    else {
      const g = byAccount.get(s.accountKey);
      if (g) g.push(s);
      else {
        const fresh = [s];
        byAccount.set(s.accountKey, fresh);
        groups.push(fresh);
      }
    }
  }
  return groups;
}

/** The group a session belongs to (its account's sessions, or itself when shared). */
export function groupOf(state: State, session: Session): Group {
  return session.isShared ? [session] : sessionsOf(state, session.accountKey);
}

/**
 * `UserInfo` of a group (SES-ID-2): `session_ids` all live ids, `login_time` earliest, avatar /
 * away / status / locale from the latest login (UND-14 reference: latest). Shared entries are never
 * admin (USR-LIST-3).
 */
export function userInfo(state: State, group: Group): Json {
  const latest = group[group.length - 1]!;
  const account = accountOf(state, latest);
  const view: Json = {
    username: account?.username ?? latest.accountKey,
    nickname: latest.nickname,
    login_time: Math.min(...group.map((s) => s.loginTime)),
    is_admin: !latest.isShared && account?.isAdmin === true,
    is_shared: latest.isShared,
    session_ids: group.map((s) => s.id).sort((a, b) => a - b),
    locale: latest.locale,
  };
  if (latest.avatar !== null) view.avatar = latest.avatar;
  view.is_away = latest.isAway;
  if (latest.status !== null) view.status = latest.status;
  return view;
}

/** USR-LIST-3/5: the `all:false` list. */
export function onlineList(state: State): Json[] {
  return byNickname(
    onlineGroups(state).map((g) => userInfo(state, g)),
    (u) => u.nickname as string,
    (u) => (u.session_ids as number[])[0] ?? 0,
  );
}

/**
 * USR-LIST-4 entry for an account as stored: `login_time` = creation time, no sessions, `locale: ""`.
 * `spec` follows the seed example (no away members); `nexusd` serialises `is_away:false`.
 */
export function storedAccountInfo(account: Account, profile: Profile): Json {
  const view: Json = {
    username: account.username,
    nickname: account.username,
    login_time: account.createdAt,
    is_admin: account.isAdmin,
    is_shared: account.isShared,
    session_ids: [],
    locale: '',
  };
  if (profile === 'nexusd') view.is_away = false;
  return view;
}

/**
 * USR-LIST-4 [DIVERGENT] `all:true`. `spec`: one stored entry per account, online or not.
 * `nexusd`: the `all:false` entries plus a stored entry per account without a live session.
 */
export function allAccountsList(state: State, profile: Profile): Json[] {
  const accounts = Object.entries(state.accounts);
  if (profile === 'spec') {
    return byNickname(
      accounts.map(([, a]) => storedAccountInfo(a, profile)),
      (u) => u.nickname as string,
    );
  }
  const online = new Set(liveSessions(state).map((s) => s.accountKey));
  const offline = accounts.filter(([key]) => !online.has(key)).map(([, a]) => storedAccountInfo(a, profile));
  return byNickname(
    [...onlineGroups(state).map((g) => userInfo(state, g)), ...offline],
    (u) => u.nickname as string,
    (u) => (u.session_ids as number[])[0] ?? 0,
  );
}

/**
 * USR-INFO-8 [DIVERGENT] one `addresses` string per session: `spec` the bare IP, IPv4 peers as
 * dotted IPv4 (seed example); `nexusd` the socket address with port (`1.2.3.4:5`, `[::1]:5`).
 */
export function addressOf(session: Session, profile: Profile): string {
  if (profile === 'spec') return dottedIPv4(session.ip) ?? session.ip;
  return session.ip.includes(':') ? `[${session.ip}]:${session.port}` : `${session.ip}:${session.port}`;
}

/**
 * USR-INFO-6..8: `UserInfoDetailed` of a group. `features` is the union in first-seen order;
 * `is_admin` [DIVERGENT] `spec` only for admin requesters, `nexusd` always; `addresses` only for
 * admin requesters.
 */
export function userInfoDetailed(state: State, group: Group, requesterIsAdmin: boolean, profile: Profile): Json {
  const latest = group[group.length - 1]!;
  const account = accountOf(state, latest);
  const features: string[] = [];
  for (const s of group) for (const f of s.features) if (!features.includes(f)) features.push(f);
  const view: Json = {
    username: account?.username ?? latest.accountKey,
    nickname: latest.nickname,
    login_time: Math.min(...group.map((s) => s.loginTime)),
    is_shared: latest.isShared,
    session_ids: group.map((s) => s.id).sort((a, b) => a - b),
    features,
    created_at: account?.createdAt ?? 0,
    locale: latest.locale,
  };
  if (latest.avatar !== null) view.avatar = latest.avatar;
  view.is_away = latest.isAway;
  if (latest.status !== null) view.status = latest.status;
  if (requesterIsAdmin || profile === 'nexusd') view.is_admin = !latest.isShared && account?.isAdmin === true;
  if (requesterIsAdmin) view.addresses = group.map((s) => addressOf(s, profile));
  return view;
}

/**
 * CM-5 [DIVERGENT] `spec`: canonical form, IPv4 peers as `::ffff:a.b.c.d`; `nexusd`: as the
 * listener reported it (the connection's recorded ip).
 */
export function monitorIp(ip: string, profile: Profile): string {
  if (profile === 'nexusd') return ip;
  const v4 = dottedIPv4(ip);
  return v4 === null ? ip : `::ffff:${v4}`;
}

/** CM-3/4: one entry per live session, not aggregated, sorted by lower-cased nickname. */
export function connectionMonitorList(state: State, profile: Profile): Json[] {
  const entries = liveSessions(state).map((s) => {
    const account = accountOf(state, s);
    return {
      id: s.id,
      entry: {
        nickname: s.nickname,
        username: account?.username ?? s.accountKey,
        ip: monitorIp(s.ip, profile),
        login_time: s.loginTime,
        is_admin: !s.isShared && account?.isAdmin === true,
        is_shared: s.isShared,
      } as Json,
    };
  });
  return byNickname(
    entries,
    (e) => e.entry.nickname as string,
    (e) => e.id,
  ).map((e) => e.entry);
}

/** SES-SI: the complete ServerInfo; SES-SI-7 [DIVERGENT] unset image: `spec` `null`, `nexusd` `""`. */
export function serverInfoView(info: ServerInfo, profile: Profile): Json {
  return {
    name: info.name,
    description: info.description,
    version: info.version,
    transfer_port: info.transfer_port,
    max_connections_per_ip: info.max_connections_per_ip,
    max_transfers_per_ip: info.max_transfers_per_ip,
    image: info.image === '' && profile === 'spec' ? null : info.image,
  };
}
