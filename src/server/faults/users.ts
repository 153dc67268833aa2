// Faults of the listing messages: UserList, UserInfo and ConnectionMonitor — permissions, order,
// aggregation of a regular account's sessions (SES-ID-2) and what each entry shows.
import { nameKey, type Session, type State } from '../../model/index.ts';
import { BOTH, SPEC, SUITE, holds, isAdminReq, isSend, mapOutputs, onRequest, patchBody, runAs, withBody, type FaultEntry } from './kit.ts';

const listFamily = 'list order and aggregation';
const seedFamily = 'seed messages (UserList, UserInfo, ConnectionMonitor)';
const multi = 'multi-session behaviour';

type Entry = Record<string, unknown>;

/** Rewrites the entry list of a successful response of `type` (member `member`). */
const rewriteList = (type: string, member: string, fn: (entries: Entry[], state: State, body: Record<string, unknown>) => Entry[]) =>
  onRequest(type, (req, state, event, next) =>
    mapOutputs(next(state, event), (o) =>
      isSend(o, `${type}Response`) && o.message.body.success === true && Array.isArray(o.message.body[member])
        ? patchBody(o, { [member]: fn(o.message.body[member] as Entry[], state, req.body) })
        : o,
    ),
  );

const sessionsById = (state: State, ids: unknown): Session[] =>
  (Array.isArray(ids) ? ids : []).map((id) => state.sessions[String(id)]).filter((s): s is Session => s !== undefined);

/** Rewrites the entries of the online UserList (`all:false`; the stored-account list stays right). */
const rewriteOnlineList = (fn: (users: Entry[], state: State) => Entry[]) =>
  rewriteList('UserList', 'users', (users, state, body) => (body.all === true ? users : fn(users, state)));

/** Rewrites each online entry that aggregates several sessions of one account (SES-ID-2), given those sessions. */
const rewriteAggregated = (fn: (entry: Entry, sessions: Session[]) => Entry | Entry[]) =>
  rewriteOnlineList((users, state) =>
    users.flatMap((u): Entry[] => {
      const ss = sessionsById(state, u.session_ids);
      if (ss.length < 2) return [u];
      const out = fn(u, ss);
      return Array.isArray(out) ? out : [out];
    }),
  );

export const USERS_FAULTS: FaultEntry[] = [
  {
    name: 'userlist-unsorted',
    family: listFamily,
    description: 'UserList entries come in login order instead of by nickname',
    rules: ['USR-LIST-5'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      rewriteOnlineList((users) =>
        [...users]
          .sort((a, b) => Math.min(...((a.session_ids as number[]) ?? [0])) - Math.min(...((b.session_ids as number[]) ?? [0])))
          .reverse(),
      ),
  },
  {
    name: 'userlist-sorted-case-sensitive',
    family: listFamily,
    description: 'UserList sorts by nickname byte-wise, so upper-case names come first',
    rules: ['USR-LIST-5', 'GEN-7'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      rewriteList('UserList', 'users', (users) =>
        [...users].sort((a, b) => (String(a.nickname) < String(b.nickname) ? -1 : String(a.nickname) > String(b.nickname) ? 1 : 0)),
      ),
  },
  {
    name: 'userlist-not-aggregated',
    family: listFamily,
    description: 'UserList shows one entry per session of a regular account instead of one per account',
    rules: ['USR-LIST-3', 'SES-ID-2'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      rewriteAggregated((u, ss) =>
        ss.map((s) => ({
          ...u,
          session_ids: [s.id],
          login_time: s.loginTime,
          is_away: s.isAway,
          status: s.status ?? undefined,
          locale: s.locale,
        })),
      ),
  },
  {
    name: 'aggregate-latest-login-time',
    family: multi,
    description: 'an account with several sessions is listed with its latest login time instead of the earliest',
    rules: ['SES-ID-2', 'USR-LIST-3'],
    profiles: BOTH,
    detection: SUITE,
    make: () => rewriteAggregated((u, ss) => ({ ...u, login_time: Math.max(...ss.map((s) => s.loginTime)) + 1 })),
  },
  {
    name: 'aggregate-away-from-oldest-session',
    family: multi,
    description: 'an account with several sessions shows the away state of its oldest session instead of the latest',
    rules: ['SES-ID-2', 'USR-AWAY-6'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      rewriteAggregated((u, ss) => {
        const oldest = [...ss].sort((a, b) => a.loginSeq - b.loginSeq)[0]!;
        const out: Entry = { ...u, is_away: oldest.isAway };
        if (oldest.status === null) delete out.status;
        else out.status = oldest.status;
        return out;
      }),
  },
  {
    name: 'new-session-not-inheriting-away',
    family: multi,
    description: "a new session of a regular account starts clear instead of inheriting the latest session's away state",
    rules: ['SES-ID-3'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Login', (req, state, event, next) => {
        const r = next(state, event);
        const after = r.state.connections[req.conn]?.sessionId;
        const s = after != null ? r.state.sessions[String(after)] : undefined;
        if (!s || s.isShared || (!s.isAway && s.status === null)) return r;
        return {
          state: { ...r.state, sessions: { ...r.state.sessions, [String(s.id)]: { ...s, isAway: false, status: null } } },
          outputs: r.outputs.map((o) =>
            isSend(o, 'UserConnected')
              ? patchBody(o, { user: { ...(o.message.body.user as Entry), is_away: false, status: undefined } })
              : o,
          ),
        };
      }),
  },
  {
    name: 'userlist-excludes-requester',
    family: seedFamily,
    description: "a non-admin's UserList leaves out the requester's own entry",
    rules: ['USR-LIST-3'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserList', (req, state, event, next) => {
        if (isAdminReq(req) || req.body.all === true || !req.account) return undefined;
        const me = nameKey(req.account.username);
        return mapOutputs(next(state, event), (o) =>
          isSend(o, 'UserListResponse') && Array.isArray(o.message.body.users)
            ? patchBody(o, {
                users: (o.message.body.users as Entry[]).filter((u) =>
                  req.account!.isShared ? u.nickname !== req.session?.nickname : nameKey(String(u.username)) !== me,
                ),
              })
            : o,
        );
      }),
  },
  {
    name: 'userlist-all-needs-user-list',
    family: seedFamily,
    description: 'UserList all:true also requires user_list (a user_create holder without it is refused)',
    rules: ['USR-LIST-2'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserList', (req, state, event, next) =>
        req.body.all === true && req.account && !holds(req, 'user_list')
          ? runAs(state, event, next, req.session!.accountKey, { permissions: [] })
          : undefined,
      ),
  },
  {
    name: 'userlist-all-online-only',
    family: seedFamily,
    description: "spec: a non-admin's UserList all:true lists only online accounts",
    rules: ['USR-LIST-4'],
    profiles: SPEC,
    detection: SUITE,
    make: () =>
      onRequest('UserList', (req, state, event, next) => {
        if (req.body.all !== true || isAdminReq(req)) return undefined;
        const online = new Set(Object.values(state.sessions).map((s) => s.accountKey));
        return mapOutputs(next(state, event), (o) =>
          isSend(o, 'UserListResponse') && Array.isArray(o.message.body.users)
            ? patchBody(o, { users: (o.message.body.users as Entry[]).filter((u) => online.has(nameKey(String(u.username)))) })
            : o,
        );
      }),
  },
  {
    name: 'userinfo-permission-before-validation',
    family: seedFamily,
    description:
      'UserInfo checks user_info before validating the nickname (an invalid nickname from a non-holder gets "permission denied")',
    rules: ['USR-INFO-2'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserInfo', (req, state, event, next) =>
        req.account && !holds(req, 'user_info') ? next(state, withBody(event, { ...req.body, nickname: 'nobody' })) : undefined,
      ),
  },
  {
    name: 'userinfo-addresses-to-everyone',
    family: seedFamily,
    description: "UserInfo shows the target's addresses to non-admin requesters too",
    rules: ['USR-INFO-8'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserInfo', (req, state, event, next) => {
        if (!req.session || isAdminReq(req)) return undefined;
        const asAdmin = runAs(state, event, next, req.session.accountKey, { isAdmin: true });
        const addresses = asAdmin.outputs.find((o) => isSend(o, 'UserInfoResponse'));
        const list = addresses && isSend(addresses) ? (addresses.message.body.user as Entry | undefined)?.addresses : undefined;
        return mapOutputs(next(state, event), (o) =>
          isSend(o, 'UserInfoResponse') && o.message.body.success === true && list !== undefined
            ? patchBody(o, { user: { ...(o.message.body.user as Entry), addresses: list } })
            : o,
        );
      }),
  },
  {
    name: 'userinfo-offline-account-found',
    family: seedFamily,
    description: 'UserInfo of an existing but offline account answers "user not found" instead of "not online"',
    rules: ['USR-INFO-5'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserInfo', (req, state, event, next) => {
        const nick = typeof req.body.nickname === 'string' ? req.body.nickname : '';
        if (!state.accounts[nameKey(nick)]) return undefined;
        return mapOutputs(next(state, event), (o) =>
          isSend(o, 'UserInfoResponse') && o.error?.key === 'E-NICKNAME-NOT-ONLINE'
            ? patchBody(o, { error: o.message.body.error === undefined ? undefined : `User not found` })
            : o,
        );
      }),
  },
  {
    name: 'monitor-aggregated',
    family: listFamily,
    description: 'ConnectionMonitor shows one entry per account instead of one per session',
    rules: ['CM-3'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      rewriteList('ConnectionMonitor', 'connections', (entries) => {
        const seen = new Set<string>();
        return entries.filter((e) => {
          if (e.is_shared === true) return true;
          const k = nameKey(String(e.username));
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        });
      }),
  },
  {
    name: 'monitor-unsorted',
    family: listFamily,
    description: 'ConnectionMonitor lists sessions newest first instead of by nickname',
    rules: ['CM-4'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      rewriteList('ConnectionMonitor', 'connections', (entries) =>
        [...entries].sort((a, b) => Number(b.login_time) - Number(a.login_time) || String(b.nickname).localeCompare(String(a.nickname))),
      ),
  },
  {
    name: 'monitor-needs-admin',
    family: seedFamily,
    description: 'ConnectionMonitor refuses non-admins even when they hold connection_monitor',
    rules: ['CM-2'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('ConnectionMonitor', (req, state, event, next) =>
        req.session && !isAdminReq(req) ? runAs(state, event, next, req.session.accountKey, { permissions: [] }) : undefined,
      ),
  },
  {
    name: 'monitor-plain-ipv4',
    family: seedFamily,
    description: 'spec: ConnectionMonitor shows IPv4 peers as plain dotted IPv4 instead of the IPv4-mapped form',
    rules: ['CM-5'],
    profiles: SPEC,
    detection: SUITE,
    make: () =>
      rewriteList('ConnectionMonitor', 'connections', (entries) =>
        entries.map((e) => ({ ...e, ip: String(e.ip).replace(/^::ffff:/i, '') })),
      ),
  },
];
