// The reference model's state: plain JSON-serialisable data, so a fuzzer can snapshot it into a
// fixture and the harness can seed it from what it observed on a real target. No I/O here.
import type { ConnId, Profile } from '../protocol/types.ts';
import { setMember } from '../protocol/types.ts';

export const PROTOCOL_VERSION = '0.5.0';

export interface ModelConfig {
  profile: Profile;
  /** HandshakeResponse.version (SES-HS-4). */
  protocolVersion: string;
  /** ServerInfo.version, the software version (SES-SI-3). */
  softwareVersion: string;
}

export interface Account {
  /** Stored casing; the record key in `State.accounts` is the lower-cased name (GEN-7). */
  username: string;
  /** SHA-256 hex of the password (see password.ts); `''` = empty password (guest); null = unknown (observed on a target). */
  passwordDigest: string | null;
  isAdmin: boolean;
  isShared: boolean;
  enabled: boolean;
  /** Stored permission names (set semantics, GEN-8). Admins normally `[]` (PERM-4). */
  permissions: string[];
  /** Unix seconds (UserList all:true `login_time`, UserInfo `created_at`). */
  createdAt: number;
}

export interface Session {
  /** Session id as the model numbers it (SES-LR-2). The harness maps target ids onto these. */
  id: number;
  /** The connection carrying it; null for a foreign session observed on a real target (no harness socket). */
  conn: ConnId | null;
  /** Lower-cased key of the account in `State.accounts`. */
  accountKey: string;
  /** Display name: the stored username for regular accounts, the chosen one for shared sessions (SES-ID-1). */
  nickname: string;
  isShared: boolean;
  /** Unix seconds. */
  loginTime: number;
  /** Monotonic login order, to find "the latest login" (SES-ID-2). */
  loginSeq: number;
  locale: string;
  avatar: string | null;
  features: string[];
  isAway: boolean;
  status: string | null;
  /** Peer IP without port, as the server saw it (CM-5). */
  ip: string;
  /** Peer port, for the `nexusd` form of UserInfo `addresses` (USR-INFO-8). */
  port: number;
}

/** wire.md §10: NEW → SHAKEN → AUTH; REMOVED = session removed by someone else, socket still open (GEN-2). */
export type Phase = 'new' | 'shaken' | 'auth' | 'removed';

export interface Connection {
  id: ConnId;
  ip: string;
  port: number;
  phase: Phase;
  sessionId: number | null;
  /** Locale for strings sent on this connection; English until a successful Login (wire.md §7). */
  locale: string;
}

export interface ServerInfo {
  name: string;
  description: string;
  version: string;
  transfer_port: number;
  max_connections_per_ip: number;
  max_transfers_per_ip: number;
  /** `''` = no image (SES-SI-7). */
  image: string;
}

export interface ChatInfo {
  topic: string;
  topic_set_by: string;
}

export interface State {
  config: ModelConfig;
  /** Keyed by lower-cased username (GEN-7); a `nameTable`, with no prototype. */
  accounts: Record<string, Account>;
  /** Keyed by session id (decimal string). */
  sessions: Record<string, Session>;
  /** Keyed by ConnId. Only connections the model was told about. */
  connections: Record<string, Connection>;
  serverInfo: ServerInfo;
  chatInfo: ChatInfo;
  nextSessionId: number;
  nextLoginSeq: number;
  /** Deterministic source of fresh message ids (WIRE-ID-3): seed and counter. */
  idSeed: number;
  idCounter: number;
}

export function defaultServerInfo(config: ModelConfig): ServerInfo {
  return {
    name: 'Nexus BBS',
    description: '',
    version: config.softwareVersion,
    transfer_port: 7501,
    max_connections_per_ip: 5,
    max_transfers_per_ip: 3,
    image: '',
  };
}

/**
 * A deep copy of plain JSON data (the state, or any part of it): what an event brings into the
 * state (a foreign session) must not stay shared with the caller's objects. `step` itself copies
 * only what an event changes (ctx.ts). A direct recursive copy is about ten times faster than
 * `structuredClone` for these shapes.
 */
export function cloneData<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneData(value[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) setMember(out, key, cloneData((value as Record<string, unknown>)[key]));
  return out as T;
}

/**
 * A table keyed by names that clients choose (`State.accounts`, by lower-cased username): without a
 * prototype, so the key of a name such as `constructor` or `__proto__` finds only an entry of that
 * name, never what every object inherits, and storing it stores an entry, not a prototype. Every
 * accounts table is made here; a copy keeps the entries (own `__proto__` included).
 */
export function nameTable<T>(entries?: Readonly<Record<string, T>>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

/** Lower-cased lookup key for usernames and nicknames (GEN-7). */
export function nameKey(name: string): string {
  return name.toLowerCase();
}
