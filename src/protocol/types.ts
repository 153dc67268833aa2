// Shared vocabulary of the wire layer (wire.md §3–§6). Pure: no I/O.

/** Behaviour and wording profile (spec README §Precedence). */
export type Profile = 'spec' | 'nexusd';
export const PROFILES: readonly Profile[] = ['spec', 'nexusd'];

/** How strictly error strings and carriers are compared (spec README §Error-string profiles). */
export type MatchMode = 'exact' | 'key' | 'lenient';
export const MATCH_MODES: readonly MatchMode[] = ['exact', 'key', 'lenient'];

/** In-scope client → server types (wire.md §6). */
export const CLIENT_TYPES = [
  'Handshake',
  'Login',
  'UserList',
  'UserInfo',
  'UserAway',
  'UserBack',
  'UserStatus',
  'UserCreate',
  'UserEdit',
  'UserUpdate',
  'UserDelete',
  'UserKick',
  'ServerInfoUpdate',
  'ConnectionMonitor',
] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];

/** In-scope server → client types (wire.md §6). */
export const SERVER_TYPES = [
  'HandshakeResponse',
  'LoginResponse',
  'Error',
  'UserListResponse',
  'UserInfoResponse',
  'UserAwayResponse',
  'UserBackResponse',
  'UserStatusResponse',
  'UserCreateResponse',
  'UserEditResponse',
  'UserUpdateResponse',
  'UserDeleteResponse',
  'UserKickResponse',
  'ServerInfoUpdateResponse',
  'ConnectionMonitorResponse',
  'UserConnected',
  'UserDisconnected',
  'UserUpdated',
  'PermissionsUpdated',
  'ServerInfoUpdated',
] as const;
export type ServerType = (typeof SERVER_TYPES)[number];

/**
 * Client types valid only on the file-transfer port (out of scope, WIRE-PORT-1). On the BBS port
 * they are WIRE-BAD-15; the reference's decoder does not know them (WIRE-FRM-8).
 */
export const TRANSFER_PORT_TYPES = ['FileStart'] as const;

export function isTransferPortType(name: string): boolean {
  return (TRANSFER_PORT_TYPES as readonly string[]).includes(name);
}

export function isClientType(name: string): name is ClientType {
  return (CLIENT_TYPES as readonly string[]).includes(name);
}
export function isServerType(name: string): name is ServerType {
  return (SERVER_TYPES as readonly string[]).includes(name);
}

/** The typed response a client request is answered with (Handshake → HandshakeResponse, …). */
export function responseTypeOf(type: ClientType): ServerType {
  return `${type}Response` as ServerType;
}

/** A complete frame as read off the wire: the payload is still raw bytes (wire.md §3). */
export interface RawFrame {
  type: string;
  /** 12 hex digits, case preserved (WIRE-FRM-4, WIRE-ID-2). */
  id: string;
  payload: Uint8Array;
}

/** A frame whose payload is a decoded JSON object. `body.type` is the type name (WIRE-JSON-2). */
export interface Message {
  type: string;
  id: string;
  body: Record<string, unknown>;
}

/** Identifies one TCP connection, in the model, the server and the harness alike. */
export type ConnId = string;

/**
 * Stores `value` as the member `key` of `target`, an own member also when the key is `__proto__`:
 * a loop that copies members a peer chose must not let `"__proto__": {…}` become the copy's
 * prototype, which would drop the member and lend the copy members its frame does not have.
 */
export function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** A JSON object (not null, not an array): the shape of every message body. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
