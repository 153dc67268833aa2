// The comparator's tolerances as data: every allowance the spec grants a target beyond the model's
// own frame (empty-alike values, optional members, unordered sets, carriers, orders, mapped ids,
// `[UNDETERMINED]` forms), one entry each with a stable id and the rule that grants it.
// docs/UNDETERMINED.md points at these ids; a test checks both directions. `members.ts` asks
// `memberTolerance` which entry governs a member; the order of the table is the order of asking.
import type { Carrier } from '../model/index.ts';
import type { MatchMode } from '../protocol/types.ts';
import { isObject } from '../protocol/types.ts';
import { compareList } from './member-lists.ts';
import {
  compareAddresses,
  compareIp,
  compareLocale,
  compareSessionId,
  compareSessionIds,
  compareStringSet,
  compareTimestamp,
  timeKey,
} from './member-values.ts';
import type { Walk } from './members.ts';
import { compareObject, compareValue, isNil, show } from './members.ts';

/** Where a member stands: its name, the object holding it, the message it is in. */
export interface MemberSite {
  key: string;
  /** A message type, `server_info`, `<Type>.user`, `<Type>.users`, … */
  owner: string;
  /** The observed message type. */
  type: string;
  parent: Record<string, unknown>;
  match: MatchMode;
}

export interface Tolerance {
  /** Stable id, cited by docs/UNDETERMINED.md. */
  id: string;
  /** The rule that grants it. */
  rule: string;
  /** What it accepts, in one line. */
  allows: string;
  /**
   * A member tolerance. `presence` ones are asked before a missing observed member is a
   * difference (they decide about absence themselves); `value` ones once both sides have a value.
   */
  member?: {
    stage: 'presence' | 'value';
    applies(site: MemberSite, e: unknown, o: unknown): boolean;
    compare(e: unknown, o: unknown, path: string, w: Walk, site: MemberSite): void;
  };
  /** A carrier tolerance: the carriers it adds to those the model allows. */
  carriers?(allowed: ReadonlySet<Carrier>, match: MatchMode): Carrier[];
}

const isStoredAccountEntry = (v: Record<string, unknown>): boolean => Array.isArray(v.session_ids) && v.session_ids.length === 0;

/** A list member whose strings may come in any order (compared as a set). */
function anyOrder(id: string, key: string, rule: string, allows: string): Tolerance {
  return {
    id,
    rule,
    allows,
    member: { stage: 'value', applies: (s) => s.key === key, compare: (e, o, path, w) => compareStringSet(e, o, path, w, rule) },
  };
}

export const TOLERANCES: readonly Tolerance[] = [
  {
    id: 'server-info-version',
    rule: 'SES-SI-3',
    allows: 'ServerInfo.version is the target software version: any value',
    member: { stage: 'presence', applies: (s) => s.owner === 'server_info' && s.key === 'version', compare: () => {} },
  },
  {
    id: 'server-info-image-empty',
    rule: 'SES-SI-7',
    allows: 'no server image: "", null and absence are alike',
    member: {
      stage: 'presence',
      applies: (s) => s.owner === 'server_info' && s.key === 'image',
      compare: (e, o, path, w) => {
        const norm = (v: unknown): unknown => (isNil(v) || v === '' ? '' : v);
        if (norm(e) !== norm(o)) w.diffs.push(`${path}: expected ${show(e)} got ${show(o)} ("", null and absent are alike)`);
      },
    },
  },
  {
    id: 'login-server-info-partial',
    rule: 'SES-LR-5',
    allows: 'LoginResponse.server_info may leave members out (every ServerInfo member is optional on the wire)',
    member: {
      stage: 'presence',
      applies: (s, _e, o) => s.owner === 'server_info' && s.type === 'LoginResponse' && isNil(o),
      compare: () => {},
    },
  },
  {
    id: 'chat-info-optional',
    rule: 'SES-LR-6',
    allows: 'chat_info is compared only when both sides carry it',
    member: {
      stage: 'presence',
      applies: (s) => s.key === 'chat_info',
      compare: (e, o, path, w) => {
        if (!isNil(e) && !isNil(o)) compareValue(e, o, path, w, 'chat_info');
      },
    },
  },
  {
    id: 'permissions-updated-server-info',
    rule: 'ADM-UPDATE-14',
    allows:
      'PermissionsUpdated.server_info may be partial in nexusd (complete in spec, the seeds give it whole), absent in lenient; extra members are no error',
    member: {
      stage: 'presence',
      applies: (s) => s.key === 'server_info' && s.owner === 'PermissionsUpdated',
      compare: (e, o, path, w, s) => {
        if (isNil(e)) return;
        if (isNil(o)) {
          if (s.match !== 'lenient') w.diffs.push(`${path}: expected ${show(e)} got absent (ADM-UPDATE-14)`);
          return;
        }
        if (!isObject(o) || !isObject(e)) return compareValue(e, o, path, w, 'server_info');
        // `spec`: the seeds give the member as the server info (admin.md §PermissionsUpdated), so the
        // model's full ServerInfo is compared; `nexusd` sends a partial one (max_connections_per_ip only).
        if (w.ctx.profile === 'spec' && s.match !== 'lenient') return compareObject(e, o, path, w, 'server_info');
        const present = Object.fromEntries(Object.entries(e).filter(([k]) => k in o));
        compareObject(present, o, path, w, 'server_info');
      },
    },
  },
  {
    id: 'absent-is-null',
    rule: 'WIRE-JSON-5',
    allows: 'an optional member with no value may be absent or null',
    member: {
      stage: 'presence',
      applies: (_s, e) => isNil(e),
      compare: (e, o, path, w) => {
        if (!isNil(o)) w.diffs.push(`${path}: expected ${e === null ? 'null' : 'absent'} got ${show(o)}`);
      },
    },
  },
  {
    id: 'stored-account-away',
    rule: 'USR-LIST-4',
    allows: 'stored-account entries (no sessions) may leave is_away out',
    member: {
      stage: 'presence',
      applies: (s, e, o) => s.key === 'is_away' && e === false && isNil(o) && isStoredAccountEntry(s.parent),
      compare: () => {},
    },
  },
  {
    id: 'session-id-mapped',
    rule: 'SES-LR-2',
    allows: 'session ids are any u32 > 0, mapped onto the model session they stand for',
    member: { stage: 'value', applies: (s) => s.key === 'session_id', compare: (e, o, path, w) => compareSessionId(e, o, path, w) },
  },
  {
    id: 'session-ids-set',
    rule: 'SES-LR-2',
    allows: 'session_ids are a set (any order), mapped onto the model sessions',
    member: { stage: 'value', applies: (s) => s.key === 'session_ids', compare: (e, o, path, w) => compareSessionIds(e, o, path, w) },
  },
  {
    id: 'timestamps-consistent',
    rule: 'SES-ID-2',
    allows: 'login_time / created_at: any plausible unix time, the same every time for the same session or account',
    member: {
      stage: 'value',
      applies: (s) => s.key === 'login_time' || s.key === 'created_at',
      compare: (_e, o, path, w, s) => compareTimestamp(o, path, w, timeKey(s.key, s.parent, s.type)),
    },
  },
  {
    id: 'admin-permissions-irrelevant',
    rule: 'GEN-5',
    allows: "an admin's stored permission names are irrelevant (except in LoginResponse, SES-LR-3)",
    member: {
      stage: 'value',
      applies: (s) => s.key === 'permissions' && s.parent.is_admin === true && s.owner !== 'LoginResponse',
      compare: () => {},
    },
  },
  anyOrder('permission-sets', 'permissions', 'GEN-8', 'permission lists in any order'),
  anyOrder('feature-sets', 'features', 'USR-INFO-6', 'features (a union) in any order'),
  {
    id: 'address-ip-part',
    rule: 'USR-INFO-8',
    allows: 'UserInfo addresses: the IP part compared (port, brackets, ::ffff: ignored), as a set',
    member: { stage: 'value', applies: (s) => s.key === 'addresses', compare: (e, o, path, w) => compareAddresses(e, o, path, w) },
  },
  {
    id: 'monitor-ip-part',
    rule: 'CM-5',
    allows:
      'ConnectionMonitor ip: the IP part compared, ::ffff: stripped (nexusd, lenient; spec wants the canonical mapped form); a NAT address learned once',
    member: { stage: 'value', applies: (s) => s.key === 'ip', compare: (e, o, path, w) => compareIp(e, o, path, w, 'CM-5') },
  },
  {
    id: 'list-order-and-strangers',
    rule: 'USR-LIST-5',
    allows: 'list entries sorted by lower-cased nickname with ties in any order; foreign entries missing or extra (CM-4 likewise)',
    member: {
      stage: 'value',
      applies: (s) => s.key === 'users' || s.key === 'connections',
      compare: (e, o, path, w, s) => compareList(e, o, path, w, s.key as 'users' | 'connections'),
    },
  },
  {
    id: 'aggregated-locale',
    rule: 'UND-14',
    allows: "an aggregated entry's locale may be that of any of its sessions",
    member: { stage: 'value', applies: (s) => s.key === 'locale', compare: (e, o, path, w, s) => compareLocale(e, o, path, w, s.parent) },
  },
  {
    id: 'connected-name-case',
    rule: 'SES-BC-1',
    allows: 'UserConnected may carry the name as typed at Login: compared case-insensitively',
    member: {
      stage: 'value',
      applies: (s, e, o) =>
        (s.key === 'username' || s.key === 'nickname') && s.type === 'UserConnected' && typeof e === 'string' && typeof o === 'string',
      compare: (e, o, path, w) => {
        if (String(e).toLowerCase() !== String(o).toLowerCase())
          w.diffs.push(`${path}: expected ${show(e)} got ${show(o)} (case-insensitive, SES-BC-1)`);
      },
    },
  },
  {
    id: 'lenient-carriers',
    rule: 'GEN-4',
    allows: 'lenient: an error may come in the typed response or in an Error frame, whichever the model picks',
    carriers: (allowed, match) => {
      if (match !== 'lenient') return [];
      const extra: Carrier[] = [];
      if (allowed.has('T')) extra.push('E');
      if (allowed.has('E') || allowed.has('E!')) extra.push('T');
      return extra;
    },
  },
];

/** The first member tolerance of `stage` that governs the member, if any. */
export function memberTolerance(stage: 'presence' | 'value', site: MemberSite, e: unknown, o: unknown): Tolerance | undefined {
  return TOLERANCES.find((t) => t.member?.stage === stage && t.member.applies(site, e, o));
}

/** The carriers an error may come in: the model's, plus what the carrier tolerances add. */
export function allowedCarriers(carriers: readonly Carrier[], match: MatchMode): Set<Carrier> {
  const allowed = new Set(carriers);
  for (const t of TOLERANCES) for (const c of t.carriers?.(allowed, match) ?? []) allowed.add(c);
  return allowed;
}

/**
 * Optional members the model leaves out that must then be absent or null (WIRE-JSON-5): a
 * strictness rule, listed beside the tolerances so the walk knows no member names.
 */
export const ABSENT_UNLESS_PREDICTED: ReadonlyArray<{
  member: string;
  applies(exp: Record<string, unknown>, owner: string): boolean;
  why?: string;
}> = [
  { member: 'error', applies: (exp) => 'success' in exp },
  { member: 'status', applies: (exp) => 'username' in exp },
  { member: 'avatar', applies: (exp) => 'username' in exp },
  { member: 'addresses', applies: (exp) => 'username' in exp },
  { member: 'command', applies: (_exp, owner) => owner === 'Error' },
  // USR-INFO-7 [DIVERGENT]: `spec` shows `is_admin` in UserInfoDetailed to admin requesters only.
  { member: 'is_admin', applies: (_exp, owner) => owner === 'UserInfoResponse.user', why: 'requester is not admin, USR-INFO-7' },
];
