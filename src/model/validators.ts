// rules.md §3: one function per VAL-* row, checks in the stated order, both profiles.
// "chars" = Unicode scalar values, "bytes" = UTF-8 octets, "control" = category Cc.
import type { Profile } from '../protocol/types.ts';
import type { ErrorKey, ErrorParams } from './events.ts';
import { PERMISSIONS_MAX_COUNT } from './errors.ts';

export interface Invalid {
  key: ErrorKey;
  params: ErrorParams;
}
export type Validation = Invalid | null;

export const LIMITS = {
  username: 32, // chars
  nickname: 32, // chars
  password: 256, // spec chars / nexusd bytes
  status: 128, // chars (nexusd UND-2: chars or bytes, the reference counts chars)
  serverName: 64, // spec chars / nexusd bytes
  serverDescription: { spec: 512, nexusd: 256 }, // spec chars / nexusd bytes
  serverImage: 700_000, // bytes (700 001–716 800 [UNDETERMINED]: the reference rejects them, rules.md §8)
  serverImageKiB: 716_800, // bytes: "700KB" read as 700 KiB, the other allowed limit (VAL-SERVER-IMAGE)
  avatar: 176_000, // bytes
  locale: 16, // bytes
  featuresCount: 16,
  feature: 32, // bytes
  permissionsCount: PERMISSIONS_MAX_COUNT, // N (VAL-PERMISSIONS)
  permission: 32, // bytes
  version: 32, // bytes
} as const;

/** Allowed image / avatar MIME types, compared case-sensitively (VAL-SERVER-IMAGE). */
export const IMAGE_MIME_TYPES = ['image/png', 'image/webp', 'image/jpeg', 'image/svg+xml'] as const;

const fail = (key: ErrorKey, params: ErrorParams = {}): Invalid => ({ key, params });

/** Unicode scalar values (a surrogate pair counts once). */
export function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

/** UTF-8 octets, without allocating (images reach 700 000 bytes). Lone surrogates count as U+FFFD. */
export function utf8Length(s: string): number {
  // Native, ~15× faster than a loop in JS on a 700 000-byte image; a lone surrogate counts as the
  // 3 bytes of U+FFFD, as an encoder writes it (a test compares the two).
  return Buffer.byteLength(s, 'utf8');
}

/** Length in the unit a profile uses for a [DIVERGENT] chars-vs-bytes limit. */
function lengthIn(unit: 'chars' | 'bytes', s: string): number {
  return unit === 'chars' ? charLength(s) : utf8Length(s);
}

const CONTROL = /\p{Cc}/u;
const NEWLINE = /[\n\r]/;
const hasControl = (s: string): boolean => CONTROL.test(s);

// VAL-USERNAME character class. `spec`: Unicode alphanumeric (alphabetic or numeric, like Rust's
// char::is_alphanumeric) or ASCII graphic; `nexusd`: Unicode alphabetic or ASCII graphic, so
// non-ASCII digits (`٣`) are the one documented difference. Space, controls and emoji fail both.
const NAME_CHARS: Record<Profile, RegExp> = {
  spec: /^[\p{Alphabetic}\p{N}\x21-\x7e]+$/u,
  nexusd: /^[\p{Alphabetic}\x21-\x7e]+$/u,
};

function validateName(v: string, profile: Profile, kind: 'USERNAME' | 'NICKNAME', max: number): Validation {
  if (v.length === 0) return fail(`E-${kind}-EMPTY`);
  if (charLength(v) > max) return fail(`E-${kind}-TOO-LONG`, { max_length: max });
  if (!NAME_CHARS[profile].test(v)) return fail(`E-${kind}-INVALID`);
  return null;
}

// VAL-PATHCHARS [UNDETERMINED]: later upstream rejects path-sensitive characters in names (and `#`
// in usernames); the seed era (and the model's own choice) accepts them. Handlers ask Ctx.choose.
const PATH_CHARS = { username: /[/\\:.<>"|?*#]/, nickname: /[/\\:.<>"|?*]/ } as const;

/** Whether a name that passes VAL-USERNAME / VAL-NICKNAME holds a VAL-PATHCHARS character. */
export function hasPathChars(v: string, kind: 'username' | 'nickname'): boolean {
  return PATH_CHARS[kind].test(v);
}

/** VAL-USERNAME: non-empty; ≤ 32 chars; character class per profile. */
export function validateUsername(v: string, profile: Profile): Validation {
  return validateName(v, profile, 'USERNAME', LIMITS.username);
}

/** VAL-NICKNAME: the VAL-USERNAME rule with the nickname keys. */
export function validateNickname(v: string, profile: Profile): Validation {
  return validateName(v, profile, 'NICKNAME', LIMITS.nickname);
}

/** VAL-PASSWORD unit: seeds say "1-256 characters" (`spec`); `nexusd` counts bytes. */
function passwordTooLong(v: string, profile: Profile): boolean {
  return lengthIn(profile === 'spec' ? 'chars' : 'bytes', v) > LIMITS.password;
}

/** VAL-PASSWORD (UserCreate `password`, UserUpdate non-blank `requested_password`): non-empty; ≤ 256. */
export function validatePassword(v: string, profile: Profile): Validation {
  if (v.length === 0) return fail('E-PASSWORD-EMPTY');
  if (passwordTooLong(v, profile)) return fail('E-PASSWORD-TOO-LONG', { max_length: LIMITS.password });
  return null;
}

/** SES-LOGIN-5: Login checks only the length (empty allowed: guest); same unit as VAL-PASSWORD. */
export function validateLoginPassword(v: string, profile: Profile): Validation {
  if (passwordTooLong(v, profile)) return fail('E-PASSWORD-TOO-LONG', { max_length: LIMITS.password });
  return null;
}

/** Newline first (over the whole value), then any other control character. */
function controlCheck(v: string, newlineKey: ErrorKey, invalidKey: ErrorKey): Validation {
  if (NEWLINE.test(v)) return fail(newlineKey);
  if (hasControl(v)) return fail(invalidKey);
  return null;
}

/**
 * VAL-STATUS (UserAway `message`, UserStatus `status`): ≤ 128 `unit`s; `\n`/`\r` → newline error;
 * other control → invalid characters; empty allowed. `spec` counts chars; the `nexusd` unit is
 * UND-2 [UNDETERMINED] (the handler asks Ctx.choose when the two units disagree; reference chars).
 */
export function validateStatus(v: string, _profile: Profile, unit: 'chars' | 'bytes' = 'chars'): Validation {
  if (lengthIn(unit, v) > LIMITS.status) return fail('E-STATUS-TOO-LONG', { max_length: LIMITS.status });
  return controlCheck(v, 'E-STATUS-CONTAINS-NEWLINES', 'E-STATUS-INVALID-CHARACTERS');
}

const ALL_WHITESPACE = /^\p{White_Space}*$/u;

/**
 * VAL-SERVER-NAME: not empty after trimming whitespace; ≤ 64 (`spec` chars / `nexusd` bytes) on the
 * untrimmed value; newline; other control.
 */
export function validateServerName(v: string, profile: Profile): Validation {
  if (ALL_WHITESPACE.test(v)) return fail('E-SERVER-NAME-EMPTY');
  if (lengthIn(profile === 'spec' ? 'chars' : 'bytes', v) > LIMITS.serverName) {
    return fail('E-SERVER-NAME-TOO-LONG', { max_length: LIMITS.serverName });
  }
  return controlCheck(v, 'E-SERVER-NAME-CONTAINS-NEWLINES', 'E-SERVER-NAME-INVALID-CHARACTERS');
}

/** VAL-SERVER-DESCRIPTION: empty allowed; `spec` ≤ 512 chars, `nexusd` ≤ 256 bytes; newline; control. */
export function validateServerDescription(v: string, profile: Profile): Validation {
  const max = LIMITS.serverDescription[profile];
  if (lengthIn(profile === 'spec' ? 'chars' : 'bytes', v) > max) {
    return fail('E-SERVER-DESCRIPTION-TOO-LONG', { max_length: max });
  }
  return controlCheck(v, 'E-SERVER-DESCRIPTION-CONTAINS-NEWLINES', 'E-SERVER-DESCRIPTION-INVALID-CHARACTERS');
}

/** Shared data-URI rule of VAL-SERVER-IMAGE and VAL-AVATAR: size, `data:…;base64,`, MIME type. */
function validateDataUri(
  v: string,
  maxBytes: number,
  keys: { tooLarge: ErrorKey; format: ErrorKey; type: ErrorKey },
  tooLargeParams: ErrorParams,
): Validation {
  if (utf8Length(v) > maxBytes) return fail(keys.tooLarge, tooLargeParams);
  const marker = v.indexOf(';base64,');
  if (!v.startsWith('data:') || marker < 0) return fail(keys.format);
  // The base64 body is not decoded in this era; only the MIME type between the two markers counts.
  const mime = v.slice('data:'.length, marker);
  if (!(IMAGE_MIME_TYPES as readonly string[]).includes(mime)) return fail(keys.type);
  return null;
}

/**
 * VAL-SERVER-IMAGE: `""` clears (no further checks); else ≤ `maxBytes` (700 000; 716 800 is the
 * other allowed reading of "700KB", [UNDETERMINED]), data URI, four MIME types.
 */
export function validateServerImage(v: string, _profile: Profile, maxBytes: number = LIMITS.serverImage): Validation {
  if (v === '') return null;
  return validateDataUri(
    v,
    maxBytes,
    {
      tooLarge: 'E-SERVER-IMAGE-TOO-LARGE',
      format: 'E-SERVER-IMAGE-INVALID-FORMAT',
      type: 'E-SERVER-IMAGE-UNSUPPORTED-TYPE',
    },
    {},
  );
}

/** VAL-AVATAR (Login `avatar` when a string): the data-URI rule with ≤ 176 000 bytes. */
export function validateAvatar(v: string, _profile: Profile): Validation {
  return validateDataUri(
    v,
    LIMITS.avatar,
    { tooLarge: 'E-AVATAR-TOO-LARGE', format: 'E-AVATAR-INVALID-FORMAT', type: 'E-AVATAR-UNSUPPORTED-TYPE' },
    { max_length: LIMITS.avatar },
  );
}

/** VAL-LOCALE: ≤ 16 bytes; no control char; empty allowed (unknown locales fall back to English). */
export function validateLocale(v: string, _profile: Profile): Validation {
  if (utf8Length(v) > LIMITS.locale) return fail('E-LOCALE-TOO-LONG', { max_length: LIMITS.locale });
  if (hasControl(v)) return fail('E-LOCALE-INVALID-CHARACTERS');
  return null;
}

/** VAL-FEATURES: ≤ 16 items; then each item in order: non-empty, ≤ 32 bytes, no control char. */
export function validateFeatures(list: readonly string[], _profile: Profile): Validation {
  if (list.length > LIMITS.featuresCount) return fail('E-FEATURES-TOO-MANY', { max_count: LIMITS.featuresCount });
  for (const f of list) {
    if (f.length === 0) return fail('E-FEATURES-EMPTY-FEATURE');
    if (utf8Length(f) > LIMITS.feature) return fail('E-FEATURES-FEATURE-TOO-LONG', { max_length: LIMITS.feature });
    if (hasControl(f)) return fail('E-FEATURES-INVALID-CHARACTERS');
  }
  return null;
}

/**
 * VAL-PERMISSIONS (format only): ≤ N items counted on the raw array (duplicates included, before any
 * removal); then each item in order: non-empty, ≤ 32 bytes, `\n`/`\r`, other control.
 */
export function validatePermissionsFormat(list: readonly string[], _profile: Profile): Validation {
  if (list.length > LIMITS.permissionsCount) {
    return fail('E-PERMISSIONS-TOO-MANY', { max_count: LIMITS.permissionsCount });
  }
  for (const p of list) {
    if (p.length === 0) return fail('E-PERMISSIONS-EMPTY-PERMISSION');
    if (utf8Length(p) > LIMITS.permission) {
      return fail('E-PERMISSIONS-PERMISSION-TOO-LONG', { max_length: LIMITS.permission });
    }
    const c = controlCheck(p, 'E-PERMISSIONS-CONTAINS-NEWLINES', 'E-PERMISSIONS-INVALID-CHARACTERS');
    if (c) return c;
  }
  return null;
}

// SES-HS-1 strict SemVer 2.0.0 (semver.org's regex): no leading zeros in numeric identifiers, no
// `v` prefix, no surrounding whitespace; optional `-pre` and `+build`.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

const U64_MAX = 18_446_744_073_709_551_615n;

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
}

export function parseSemVer(v: string): SemVer | null {
  const m = SEMVER.exec(v);
  if (!m) return null;
  // Rust's semver parses u64 components; larger numbers are not valid versions there.
  if ([m[1], m[2], m[3]].some((d) => BigInt(d as string) > U64_MAX)) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** VAL-VERSION / SES-HS-1: empty → too long (> 32 bytes) → not strict SemVer. */
export function validateVersion(v: string): Validation {
  if (v.length === 0) return fail('E-VERSION-EMPTY');
  if (utf8Length(v) > LIMITS.version) return fail('E-VERSION-TOO-LONG', { max_length: LIMITS.version });
  if (!parseSemVer(v)) return fail('E-VERSION-INVALID-SEMVER');
  return null;
}

/**
 * SES-HS-2/3 (this era, both `0.x` and `1.x`): majors must be equal, then client minor ≤ server
 * minor; patch and pre-release are ignored. Both versions must already be valid SemVer.
 */
export function versionCompatibility(clientVersion: string, serverVersion: string): Validation {
  const c = parseSemVer(clientVersion);
  const s = parseSemVer(serverVersion);
  if (!c) return fail('E-VERSION-INVALID-SEMVER');
  if (!s) throw new Error(`server protocol version ${serverVersion} is not SemVer`);
  if (c.major !== s.major) {
    return fail('E-VERSION-MAJOR-MISMATCH', { server_major: s.major, client_major: c.major });
  }
  if (c.minor > s.minor) {
    return fail('E-VERSION-CLIENT-TOO-NEW', { client_version: clientVersion, server_version: serverVersion });
  }
  return null;
}
