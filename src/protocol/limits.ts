// Per-type payload limits (wire.md §6, WIRE-LIM-1..4). Pure tables; the decoder gets them via
// `frameLimitFor(profile)`.
import type { ClientType, Profile } from './types.ts';
import { isClientType } from './types.ts';

/** Global payload-length ceiling: at most 10 decimal digits (WIRE-FRM-5). */
export const GLOBAL_PAYLOAD_CEILING = 9_999_999_999;

/** Permission-name count the derived limits assume (PERMISSIONS_COUNT, wire.md §6). */
export const DEFAULT_PERMISSION_COUNT = 27;

/** `spec` profile limits: maximal valid payload with character-limited strings at 4 bytes/char, + 64 (WIRE-LIM-4). */
export const SPEC_LIMITS: Readonly<Record<ClientType, number>> = {
  Handshake: 129,
  Login: 178_015,
  UserList: 95,
  UserInfo: 225,
  UserAway: 608,
  UserBack: 83,
  UserStatus: 609,
  UserCreate: 2_277,
  UserEdit: 225,
  UserUpdate: 3_497,
  UserDelete: 227,
  UserKick: 225,
  ServerInfoUpdate: 719_304,
  ConnectionMonitor: 92,
};

/**
 * `nexusd` exact limits ("Exact max (derived)" column) for a build knowing `permissionCount`
 * permission names; only UserCreate/UserUpdate depend on it (35 bytes per `"name",` of 32 chars + quotes/comma).
 */
export function nexusdExactLimits(permissionCount: number = DEFAULT_PERMISSION_COUNT): Record<ClientType, number> {
  return {
    Handshake: 65,
    Login: 176_991,
    UserList: 31,
    UserInfo: 65,
    UserAway: 160,
    UserBack: 19,
    UserStatus: 161,
    UserCreate: 404 + 35 * permissionCount,
    UserEdit: 65,
    UserUpdate: 760 + 35 * permissionCount,
    UserDelete: 67,
    UserKick: 65,
    ServerInfoUpdate: 700_455,
    ConnectionMonitor: 28,
  };
}

/** `nexusd` exact limits with N = 27 (WIRE-LIM-1: UserCreate 1 349, UserUpdate 1 705). */
export const NEXUSD_LIMITS: Readonly<Record<ClientType, number>> = nexusdExactLimits();

/** "Later padded" column (later upstream ×6/5, UserKick/ServerInfoUpdate grew fields) — WIRE-LIM-2. */
export const PADDED_LIMITS: Readonly<Record<ClientType, number>> = {
  Handshake: 78,
  Login: 212_389,
  UserList: 37,
  UserInfo: 78,
  UserAway: 192,
  UserBack: 22,
  UserStatus: 193,
  UserCreate: Math.floor(((404 + 35 * DEFAULT_PERMISSION_COUNT) * 6) / 5), // 1 618
  UserEdit: 78,
  UserUpdate: Math.floor(((760 + 35 * DEFAULT_PERMISSION_COUNT) * 6) / 5), // 2 046
  UserDelete: 80,
  UserKick: 2_550,
  ServerInfoUpdate: 841_875,
  ConnectionMonitor: 33,
};

/** The framing limit a server in `profile` applies to a client type (WIRE-LIM-1, WIRE-LIM-4). */
export function clientLimit(type: ClientType, profile: Profile): number {
  return profile === 'spec' ? SPEC_LIMITS[type] : NEXUSD_LIMITS[type];
}

/**
 * A `limitFor` for FrameDecoder on the server side: client types get their profile limit, any
 * other known name (server-only, out-of-scope) none at this layer (WIRE-FRM-6).
 */
export function frameLimitFor(profile: Profile): (type: string) => number {
  return (type) => (isClientType(type) ? clientLimit(type, profile) : 0);
}

/**
 * A profile-independent over-limit declared length: above both 2 × the `spec` limit and the
 * later padded limit (WIRE-LIM-2).
 */
export function overLimitProbeLength(type: ClientType): number {
  return Math.max(2 * SPEC_LIMITS[type], PADDED_LIMITS[type]) + 1;
}

/**
 * The largest declared length whose treatment is [UNDETERMINED] above the profile's limit
 * (`clientLimit`, which the reference applies): WIRE-LIM-2 / UND-11. `nexusd`: the later padded
 * limit (a build may reject above its era's exact limit or process up to the padded one); `spec`:
 * just below the over-limit probe length. Above it every server rejects the frame.
 */
export function undeterminedLimit(type: ClientType, profile: Profile): number {
  return profile === 'spec' ? overLimitProbeLength(type) - 1 : PADDED_LIMITS[type];
}
