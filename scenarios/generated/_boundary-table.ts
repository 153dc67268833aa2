// The validator boundary table (rules.md §3): every boundary class of every validated field kind,
// and every message member that carries such a field. validator-boundaries.ts turns fields ×
// messages × classes into checks; the expected outcome of each request comes from the model through
// the lockstep (both profiles, every allowed choice: UND-2 units, UND-3 path characters, UND-11
// frame limits), so the table states only what is sent. Not a section (the loader skips `_` files).
import { LIMITS, PERMISSIONS_MAX_COUNT, SHARED_FORBIDDEN_PROBES } from '../../src/model/index.ts';
import type { Json } from '../../src/model/check-order.ts';
import type { ClientType } from '../../src/protocol/types.ts';

/** The member is left out of the request. */
export const MISSING = Symbol('missing');
export type Sent = Json | typeof MISSING;

/** One boundary class: a name and the value sent, built around a fresh run-prefixed name `u`. */
export interface BoundaryClass {
  id: string;
  value: (u: string) => Sent;
}

export type FieldKind =
  'username' | 'nickname' | 'password' | 'status' | 'server-name' | 'server-description' | 'server-image' | 'permissions' | 'limit';

const chars = (s: string): number => [...s].length;
/** `u` followed by `fill` repeated until the value has exactly `n` characters (`u` cut if needed). */
const padChars = (u: string, n: number, fill: string): string => {
  const head = [...u].slice(0, n).join('');
  return head + fill.repeat(Math.max(0, n - chars(head)));
};
/** `u` followed by two-byte characters (and one ASCII letter if odd) until exactly `n` UTF-8 bytes. */
const padBytes = (u: string, n: number): string => {
  const head = u.slice(0, Math.min(u.length, n));
  const rest = n - Buffer.byteLength(head);
  return head + 'é'.repeat(Math.floor(rest / 2)) + (rest % 2 === 1 ? 'a' : '');
};

/** Length classes around a limit: in characters (ASCII, two-byte, astral) and in bytes. */
function lengthClasses(limit: number): BoundaryClass[] {
  return [
    { id: 'ascii-one-under', value: (u) => padChars(u, limit - 1, 'a') },
    { id: 'ascii-at-limit', value: (u) => padChars(u, limit, 'a') },
    { id: 'ascii-one-over', value: (u) => padChars(u, limit + 1, 'a') },
    { id: 'two-byte-at-char-limit', value: (u) => padChars(u, limit, 'é') },
    { id: 'two-byte-one-over-char-limit', value: (u) => padChars(u, limit + 1, 'é') },
    { id: 'astral-at-char-limit', value: (u) => padChars(u, limit, '𝐀') },
    { id: 'astral-one-over-char-limit', value: (u) => padChars(u, limit + 1, '𝐀') },
    { id: 'at-byte-limit', value: (u) => padBytes(u, limit) },
    { id: 'one-over-byte-limit', value: (u) => padBytes(u, limit + 1) },
  ];
}

const suffixed = (id: string, suffix: string): BoundaryClass => ({ id, value: (u) => u + suffix });

/** Control characters (C0, DEL, C1, tab), `\n`, `\r` and whitespace. */
const CONTROL_AND_SPACE: BoundaryClass[] = [
  suffixed('nul', '\u0000'),
  suffixed('c0-control', '\u0001'),
  suffixed('del', '\u007f'),
  suffixed('c1-control', '\u0085'),
  suffixed('tab', '\tx'),
  suffixed('newline', '\nx'),
  suffixed('carriage-return', '\rx'),
  suffixed('inner-space', ' x'),
  { id: 'leading-space', value: (u) => ` ${u}` },
  suffixed('trailing-space', ' '),
  { id: 'only-space', value: () => ' ' },
  suffixed('no-break-space', '\u00a0'),
];

/** Character classes: ASCII graphic, letters, digits and marks of other scripts, symbols, path characters. */
const CHARACTERS: BoundaryClass[] = [
  suffixed('ascii-graphic', '!~'),
  suffixed('latin-letter', 'é'),
  suffixed('cjk-letter', '字'),
  suffixed('arabic-indic-digit', '٣'),
  suffixed('combining-mark', 'e\u0301'),
  suffixed('emoji', '😀'),
  suffixed('slash', '/'),
  suffixed('dot', '.'),
  suffixed('hash', '#'),
  suffixed('angle-quote-pipe', '<>"|?*'),
];

/** Empty, null, missing and wrong JSON types. */
const PRESENCE: BoundaryClass[] = [
  { id: 'empty', value: () => '' },
  { id: 'null', value: () => null },
  { id: 'missing', value: () => MISSING },
  { id: 'number', value: () => 7 },
  { id: 'array', value: (u) => [u] },
];

const RESERVED: BoundaryClass[] = [
  { id: 'reserved-guest', value: () => 'guest' },
  { id: 'reserved-guest-upper', value: () => 'GUEST' },
  { id: 'reserved-guest-mixed', value: () => 'gUeSt' },
];

/** Length classes of every limit a field has in some profile (ids name the limit when there are several). */
const lengths = (limits: number[]): BoundaryClass[] =>
  limits.flatMap((l) => lengthClasses(l).map((c) => (limits.length > 1 ? { ...c, id: `${c.id}-${l}` } : c)));

/** Names: every character class matters (VAL-USERNAME's class, VAL-PATHCHARS). */
const name = (limits: number[]): BoundaryClass[] => [...PRESENCE, ...lengths(limits), ...CONTROL_AND_SPACE, ...CHARACTERS];

/** Free text (status, server name, description, password): any character but controls, so letters and symbols of other scripts only. */
const TEXT_CHARACTERS = CHARACTERS.filter((c) =>
  ['latin-letter', 'cjk-letter', 'arabic-indic-digit', 'combining-mark', 'emoji', 'slash'].includes(c.id),
);
const text = (limits: number[]): BoundaryClass[] => [...PRESENCE, ...lengths(limits), ...CONTROL_AND_SPACE, ...TEXT_CHARACTERS];

const IMAGE: BoundaryClass[] = [
  ...PRESENCE,
  { id: 'png', value: () => 'data:image/png;base64,iVBORw0KGgo=' },
  { id: 'svg', value: () => 'data:image/svg+xml;base64,PHN2Zy8+' },
  { id: 'gif-unsupported', value: () => 'data:image/gif;base64,R0lGODlh' },
  { id: 'mime-upper-case', value: () => 'data:IMAGE/PNG;base64,iVBORw0KGgo=' },
  { id: 'no-base64-marker', value: () => 'data:image/png,iVBORw0KGgo=' },
  { id: 'no-data-scheme', value: () => 'image/png;base64,iVBORw0KGgo=' },
  { id: 'not-a-uri', value: (u) => u },
];

const known = ['user_list', 'user_info', 'chat_send'];
const PERMISSIONS: BoundaryClass[] = [
  { id: 'null', value: () => null },
  { id: 'missing', value: () => MISSING },
  { id: 'string', value: () => 'user_list' },
  { id: 'number-item', value: () => [1] },
  { id: 'none', value: () => [] },
  { id: 'at-count-limit', value: () => Array.from({ length: PERMISSIONS_MAX_COUNT }, (_, i) => known[i % known.length]!) },
  { id: 'one-over-count-limit', value: () => Array.from({ length: PERMISSIONS_MAX_COUNT + 1 }, (_, i) => known[i % known.length]!) },
  { id: 'duplicates', value: () => ['user_list', 'user_list'] },
  { id: 'empty-item', value: () => ['user_list', ''] },
  { id: 'item-at-byte-limit', value: () => ['p'.repeat(LIMITS.permission)] },
  { id: 'item-one-over-byte-limit', value: () => ['p'.repeat(LIMITS.permission + 1)] },
  { id: 'two-byte-item-over-byte-limit', value: () => ['é'.repeat(LIMITS.permission / 2 + 1)] },
  { id: 'item-newline', value: () => ['user\nlist'] },
  { id: 'item-control', value: () => ['user\u0001list'] },
  { id: 'unknown', value: () => ['no_such_permission'] },
  { id: 'case-variant', value: () => ['USER_LIST'] },
  { id: 'shared-forbidden', value: () => [...SHARED_FORBIDDEN_PROBES] },
  {
    id: 'over-count-before-removal',
    value: () => [...Array.from({ length: PERMISSIONS_MAX_COUNT }, () => SHARED_FORBIDDEN_PROBES[0]!), 'user_list'],
  },
];

const LIMIT: BoundaryClass[] = [
  { id: 'null', value: () => null },
  { id: 'zero', value: () => 0 },
  { id: 'u32-max', value: () => 4_294_967_295 },
  { id: 'u32-max-plus-one', value: () => 4_294_967_296 },
  { id: 'negative', value: () => -1 },
  { id: 'fraction', value: () => 1.5 },
  { id: 'string', value: () => '5' },
];

export const CLASSES: Record<FieldKind, BoundaryClass[]> = {
  username: [...name([LIMITS.username]), ...RESERVED],
  nickname: [...name([LIMITS.nickname]), ...RESERVED],
  password: text([LIMITS.password]),
  status: text([LIMITS.status]),
  'server-name': text([LIMITS.serverName]),
  'server-description': text([LIMITS.serverDescription.nexusd, LIMITS.serverDescription.spec]),
  'server-image': IMAGE,
  permissions: PERMISSIONS,
  limit: LIMIT,
};

/**
 * How a request around the probed member is made: `lookup` (the admin names something), `create`
 * (UserCreate of a fresh account), `rename` (UserUpdate of a fresh account), `update` (UserUpdate of
 * an offline account), `update-shared` (UserUpdate of a shared account), `create-shared` (UserCreate
 * of a shared account), `own` (the requester's own session), `server` (ServerInfoUpdate).
 */
export type Setup = 'lookup' | 'create' | 'create-shared' | 'rename' | 'update' | 'update-shared' | 'own' | 'server';

export interface FieldUse {
  message: ClientType;
  member: string;
  kind: FieldKind;
  setup: Setup;
  rules: string[];
  seed: string;
  /**
   * `core`: the member's validator already gets every class through another message (same
   * validator, same position before any lookup), so here only the classes of CORE_CLASSES — the
   * suite's time budget. Default `full`.
   */
  depth?: 'core';
}

/** Presence, type, every length class and one class of each character family. */
const CORE_IDS = new Set([
  'empty',
  'null',
  'missing',
  'number',
  'array',
  'c0-control',
  'newline',
  'inner-space',
  'slash',
  'emoji',
  'reserved-guest-upper',
]);
export const classesFor = (use: FieldUse): BoundaryClass[] =>
  use.depth === 'core' ? CLASSES[use.kind].filter((c) => CORE_IDS.has(c.id) || /limit/.test(c.id)) : CLASSES[use.kind];

export const FIELD_USES: readonly FieldUse[] = [
  {
    message: 'UserCreate',
    member: 'username',
    kind: 'username',
    setup: 'create',
    rules: ['VAL-USERNAME', 'ADM-CREATE-2', 'VAL-PATHCHARS', 'UND-3', 'ADM-CREATE-11', 'GUEST-1'],
    seed: 'admin.md §UserCreate',
  },
  {
    message: 'UserCreate',
    member: 'password',
    kind: 'password',
    setup: 'create',
    rules: ['VAL-PASSWORD', 'ADM-CREATE-3'],
    seed: 'admin.md §UserCreate',
  },
  {
    message: 'UserCreate',
    member: 'permissions',
    kind: 'permissions',
    setup: 'create',
    rules: ['VAL-PERMISSIONS', 'ADM-CREATE-4', 'ADM-CREATE-9', 'MERGE-4'],
    seed: 'admin.md §UserCreate',
  },
  {
    message: 'UserCreate',
    member: 'permissions',
    kind: 'permissions',
    setup: 'create-shared',
    rules: ['VAL-PERMISSIONS', 'ADM-CREATE-8', 'MERGE-5'],
    seed: 'admin.md §Shared Account Restrictions',
  },
  {
    message: 'UserEdit',
    member: 'username',
    kind: 'username',
    setup: 'lookup',
    rules: ['VAL-USERNAME', 'ADM-EDIT-1', 'VAL-PATHCHARS', 'UND-3'],
    seed: 'admin.md §UserEdit',
  },
  {
    message: 'UserUpdate',
    member: 'username',
    kind: 'username',
    setup: 'lookup',
    rules: ['VAL-USERNAME', 'ADM-UPDATE-2', 'VAL-PATHCHARS', 'UND-3'],
    seed: 'admin.md §UserUpdate',
    depth: 'core',
  },
  {
    message: 'UserUpdate',
    member: 'requested_username',
    kind: 'username',
    setup: 'rename',
    rules: ['VAL-USERNAME', 'ADM-UPDATE-6', 'ADM-UPDATE-13', 'VAL-PATHCHARS', 'UND-3'],
    seed: 'admin.md §UserUpdate',
  },
  {
    message: 'UserUpdate',
    member: 'requested_password',
    kind: 'password',
    setup: 'update',
    rules: ['VAL-PASSWORD', 'ADM-UPDATE-12'],
    seed: 'admin.md §UserUpdate',
  },
  {
    message: 'UserUpdate',
    member: 'requested_permissions',
    kind: 'permissions',
    setup: 'update',
    rules: ['VAL-PERMISSIONS', 'ADM-UPDATE-11', 'MERGE-4'],
    seed: 'admin.md §UserUpdate',
  },
  {
    message: 'UserUpdate',
    member: 'requested_permissions',
    kind: 'permissions',
    setup: 'update-shared',
    rules: ['VAL-PERMISSIONS', 'ADM-UPDATE-11', 'MERGE-5'],
    seed: 'admin.md §Shared Account Restrictions',
  },
  {
    message: 'UserDelete',
    member: 'username',
    kind: 'username',
    setup: 'lookup',
    rules: ['VAL-USERNAME', 'ADM-DELETE-2', 'VAL-PATHCHARS', 'UND-3'],
    seed: 'admin.md §UserDelete',
    depth: 'core',
  },
  {
    message: 'UserInfo',
    member: 'nickname',
    kind: 'nickname',
    setup: 'lookup',
    rules: ['VAL-NICKNAME', 'USR-INFO-2', 'VAL-PATHCHARS', 'UND-3'],
    seed: 'users.md §UserInfo',
  },
  {
    message: 'UserKick',
    member: 'nickname',
    kind: 'nickname',
    setup: 'lookup',
    rules: ['VAL-NICKNAME', 'ADM-KICK-2', 'VAL-PATHCHARS', 'UND-3'],
    seed: 'admin.md §UserKick',
    depth: 'core',
  },
  {
    message: 'UserAway',
    member: 'message',
    kind: 'status',
    setup: 'own',
    rules: ['VAL-STATUS', 'USR-AWAY-2', 'UND-2', 'UND-4'],
    seed: 'users.md §Away/Status',
  },
  {
    message: 'UserStatus',
    member: 'status',
    kind: 'status',
    setup: 'own',
    rules: ['VAL-STATUS', 'USR-STATUS-1', 'UND-2', 'UND-4'],
    seed: 'users.md §Away/Status',
    depth: 'core',
  },
  {
    message: 'ServerInfoUpdate',
    member: 'name',
    kind: 'server-name',
    setup: 'server',
    rules: ['VAL-SERVER-NAME', 'ADM-SINFO-5', 'ADM-SINFO-4'],
    seed: 'admin.md §ServerInfoUpdate',
  },
  {
    message: 'ServerInfoUpdate',
    member: 'description',
    kind: 'server-description',
    setup: 'server',
    rules: ['VAL-SERVER-DESCRIPTION', 'ADM-SINFO-6', 'ADM-SINFO-4'],
    seed: 'admin.md §ServerInfoUpdate',
  },
  {
    message: 'ServerInfoUpdate',
    member: 'image',
    kind: 'server-image',
    setup: 'server',
    rules: ['VAL-SERVER-IMAGE', 'ADM-SINFO-7', 'ADM-SINFO-4'],
    seed: 'admin.md §ServerInfoUpdate',
  },
  {
    message: 'ServerInfoUpdate',
    member: 'max_connections_per_ip',
    kind: 'limit',
    setup: 'server',
    rules: ['VAL-LIMIT', 'ADM-SINFO-8', 'WIRE-JSON-4'],
    seed: 'admin.md §ServerInfoUpdate',
  },
  {
    message: 'ServerInfoUpdate',
    member: 'max_transfers_per_ip',
    kind: 'limit',
    setup: 'server',
    rules: ['VAL-LIMIT', 'ADM-SINFO-8', 'WIRE-JSON-4'],
    seed: 'admin.md §ServerInfoUpdate',
  },
];
