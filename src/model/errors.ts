// errors.md: every in-scope error string, by stable key, in both wording profiles, plus the matchers
// the harness uses to compare a received string with an expected key (README §Error-string profiles).
import type { MatchMode, Profile } from '../protocol/types.ts';
import type { Carrier, ErrorKey, ErrorParams } from './events.ts';
import { ALL_PERMISSIONS } from './permissions.ts';

export interface ErrorEntry {
  key: ErrorKey;
  /** The seed wording (`spec` profile); null = the seeds give none, so `spec` uses the `nexusd` wording. */
  spec: string | null;
  /** English `errors.ftl` wording; `{name}` marks a Fluent parameter (`{ $name }` in the .ftl file). */
  nexusd: string;
  /** Fluent key (null for E-MAX-TRANSFERS-PER-IP-INVALID, which has none in the era). */
  ftl: string | null;
  /** Parameter values used when a caller gives none (errors.md: numeric parameters are the validator limits). */
  defaults?: ErrorParams;
  /** Informational: every carrier this key travels in, per profile, over all messages that return it. */
  carriers: { spec: Carrier[]; nexusd: Carrier[] };
  /** Whether a black-box test can make a server of that profile send it. */
  reachable: { spec: boolean; nexusd: boolean };
  /** errors.md §7 docs-only labels and seed table labels: no server sends them, `key` matching maps them. */
  aliases?: string[];
  /**
   * Numeric parameters whose value is build-dependent (errors.md: the permissions count N ≥ 27):
   * `exact` matching accepts any such number there, never only the model's.
   */
  anyNumber?: string[];
}

/** U+2068 FIRST STRONG ISOLATE / U+2069 POP DIRECTIONAL ISOLATE: Fluent's isolation marks. */
export const FSI = '\u2068';
export const PDI = '\u2069';

/** VAL-PERMISSIONS: N = number of permission names the model knows (PERM-1). */
export const PERMISSIONS_MAX_COUNT = ALL_PERMISSIONS.length;

const BOTH = { spec: true, nexusd: true };
const NEVER = { spec: false, nexusd: false };
const same = (c: Carrier[]) => ({ spec: c, nexusd: c });

type EntryInit = Omit<ErrorEntry, 'key'>;

const CATALOGUE_INIT: Record<string, EntryInit> = {
  // --- §1 session, authentication, framing ------------------------------------------------------
  'E-INVALID-MESSAGE-FORMAT': {
    spec: null,
    nexusd: 'Invalid message format',
    ftl: 'err-invalid-message-format',
    carriers: same(['E!']),
    reachable: BOTH,
  },
  // Out of scope: only transfer-port types on the BBS port produce it (WIRE-BAD-15).
  'E-MESSAGE-NOT-SUPPORTED': {
    spec: null,
    nexusd: 'Message type not supported',
    ftl: 'err-message-not-supported',
    carriers: same(['E', 'E!']),
    reachable: NEVER,
  },
  'E-NOT-LOGGED-IN': {
    spec: 'Not logged in',
    nexusd: 'Not logged in',
    ftl: 'err-not-logged-in',
    carriers: { spec: ['E!', 'E'], nexusd: ['E!', 'E'] },
    reachable: BOTH,
  },
  'E-AUTHENTICATION': {
    spec: 'Authentication error',
    nexusd: 'Authentication error',
    ftl: 'err-authentication',
    carriers: { spec: ['E!', 'E'], nexusd: ['E!', 'E'] },
    reachable: BOTH,
  },
  'E-HANDSHAKE-REQUIRED': {
    spec: null,
    nexusd: 'Handshake required',
    ftl: 'err-handshake-required',
    carriers: same(['E!']),
    reachable: BOTH,
  },
  'E-HANDSHAKE-ALREADY-COMPLETED': {
    spec: null,
    nexusd: 'Handshake already completed',
    ftl: 'err-handshake-already-completed',
    carriers: same(['H']),
    reachable: BOTH,
  },
  'E-ALREADY-LOGGED-IN': {
    spec: null,
    nexusd: 'Already logged in',
    ftl: 'err-already-logged-in',
    carriers: same(['E!']),
    reachable: BOTH,
  },
  'E-INVALID-CREDENTIALS': {
    spec: null,
    nexusd: 'Invalid username or password',
    ftl: 'err-invalid-credentials',
    carriers: { spec: ['E!', 'T'], nexusd: ['E!'] },
    reachable: BOTH,
  },
  'E-ACCOUNT-DISABLED': {
    spec: null,
    nexusd: "Account '{username}' is disabled",
    ftl: 'err-account-disabled',
    carriers: { spec: ['E!', 'T'], nexusd: ['E!'] },
    reachable: BOTH,
    aliases: ['Account is disabled'],
  },
  'E-GUEST-DISABLED': {
    spec: null,
    nexusd: 'Guest access is not enabled on this server',
    ftl: 'err-guest-disabled',
    carriers: { spec: ['E!', 'T'], nexusd: ['E!'] },
    reachable: BOTH,
    aliases: ['Guest access is not enabled'],
  },
  // Internal failures (database, hashing): a black-box test cannot provoke them (session.md §2.1).
  'E-DATABASE': {
    spec: null,
    nexusd: 'Database error',
    ftl: 'err-database',
    carriers: same(['E!', 'E']),
    reachable: NEVER,
  },
  'E-FAILED-TO-CREATE-USER': {
    spec: null,
    nexusd: "Failed to create user '{username}'",
    ftl: 'err-failed-to-create-user',
    carriers: same(['E!']),
    reachable: NEVER,
  },

  // --- §2 Handshake ---------------------------------------------------------------------------
  'E-VERSION-EMPTY': {
    spec: null,
    nexusd: 'Version cannot be empty',
    ftl: 'err-version-empty',
    carriers: same(['H']),
    reachable: BOTH,
    aliases: ['Invalid handshake'],
  },
  'E-VERSION-TOO-LONG': {
    spec: null,
    nexusd: 'Version is too long (max {max_length} characters)',
    ftl: 'err-version-too-long',
    defaults: { max_length: 32 },
    carriers: same(['H']),
    reachable: BOTH,
    aliases: ['Invalid handshake'],
  },
  'E-VERSION-INVALID-SEMVER': {
    spec: null,
    nexusd: 'Version must be in semver format (MAJOR.MINOR.PATCH)',
    ftl: 'err-version-invalid-semver',
    carriers: same(['H']),
    reachable: BOTH,
    aliases: ['Invalid handshake'],
  },
  'E-VERSION-MAJOR-MISMATCH': {
    spec: null,
    nexusd: 'Incompatible protocol version: server is version {server_major}.x, client is version {client_major}.x',
    ftl: 'err-version-major-mismatch',
    carriers: same(['H']),
    reachable: BOTH,
    aliases: ['Unsupported protocol version. Server: {server_version}, Client: {client_version}', 'Invalid handshake'],
  },
  'E-VERSION-CLIENT-TOO-NEW': {
    spec: null,
    nexusd:
      'Client version {client_version} is newer than server version {server_version}. Please update the server or use an older client.',
    ftl: 'err-version-client-too-new',
    carriers: same(['H']),
    reachable: BOTH,
    aliases: ['Unsupported protocol version. Server: {server_version}, Client: {client_version}', 'Invalid handshake'],
  },
  // Later upstream only (SES-HS-3): the era's server never sends it.
  'E-VERSION-MINOR-MISMATCH': {
    spec: null,
    nexusd: 'Incompatible protocol version. Server: {server_version}, Client: {client_version}. Both must use the same minor version.',
    ftl: 'err-version-minor-mismatch',
    carriers: same(['H']),
    reachable: NEVER,
    aliases: ['Unsupported protocol version. Server: {server_version}, Client: {client_version}', 'Invalid handshake'],
  },

  // --- §3 Login field validation --------------------------------------------------------------
  'E-USERNAME-EMPTY': {
    spec: 'Username is empty',
    nexusd: 'Username cannot be empty',
    ftl: 'err-username-empty',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-USERNAME-TOO-LONG': {
    spec: 'Username too long',
    nexusd: 'Username is too long (max {max_length} characters)',
    ftl: 'err-username-too-long',
    defaults: { max_length: 32 },
    carriers: { spec: ['E!', 'T'], nexusd: ['E!', 'T'] },
    reachable: BOTH,
  },
  'E-USERNAME-INVALID': {
    spec: 'Invalid username',
    nexusd: 'Username contains invalid characters (letters, numbers, and symbols allowed - no whitespace or control characters)',
    ftl: 'err-username-invalid',
    carriers: { spec: ['E!', 'T'], nexusd: ['E!', 'T'] },
    reachable: BOTH,
  },
  'E-PASSWORD-TOO-LONG': {
    spec: 'Password too long',
    nexusd: 'Password is too long (max {max_length} characters)',
    ftl: 'err-password-too-long',
    defaults: { max_length: 256 },
    carriers: { spec: ['E!', 'T'], nexusd: ['E!', 'T'] },
    reachable: BOTH,
  },
  'E-LOCALE-TOO-LONG': {
    spec: null,
    nexusd: 'Locale is too long (max {max_length} characters)',
    ftl: 'err-locale-too-long',
    defaults: { max_length: 16 },
    carriers: { spec: ['E!', 'T'], nexusd: ['E!'] },
    reachable: BOTH,
  },
  'E-LOCALE-INVALID-CHARACTERS': {
    spec: null,
    nexusd: 'Locale contains invalid characters',
    ftl: 'err-locale-invalid-characters',
    carriers: { spec: ['E!', 'T'], nexusd: ['E!'] },
    reachable: BOTH,
  },
  'E-FEATURES-TOO-MANY': {
    spec: null,
    nexusd: 'Too many features (max {max_count})',
    ftl: 'err-features-too-many',
    defaults: { max_count: 16 },
    carriers: { spec: ['E!', 'T'], nexusd: ['E!'] },
    reachable: BOTH,
  },
  'E-FEATURES-EMPTY-FEATURE': {
    spec: null,
    nexusd: 'Feature name cannot be empty',
    ftl: 'err-features-empty-feature',
    carriers: { spec: ['E!', 'T'], nexusd: ['E!'] },
    reachable: BOTH,
  },
  'E-FEATURES-FEATURE-TOO-LONG': {
    spec: null,
    nexusd: 'Feature name is too long (max {max_length} characters)',
    ftl: 'err-features-feature-too-long',
    defaults: { max_length: 32 },
    carriers: { spec: ['E!', 'T'], nexusd: ['E!'] },
    reachable: BOTH,
  },
  'E-FEATURES-INVALID-CHARACTERS': {
    spec: null,
    nexusd: 'Feature name contains invalid characters',
    ftl: 'err-features-invalid-characters',
    carriers: { spec: ['E!', 'T'], nexusd: ['E!'] },
    reachable: BOTH,
  },
  'E-AVATAR-TOO-LARGE': {
    spec: null,
    nexusd: 'Avatar is too large (max {max_length} characters)',
    ftl: 'err-avatar-too-large',
    defaults: { max_length: 176000 },
    carriers: { spec: ['E!', 'T'], nexusd: ['E!'] },
    reachable: BOTH,
  },
  'E-AVATAR-INVALID-FORMAT': {
    spec: null,
    nexusd: 'Invalid avatar format (must be a data URI with base64 encoding)',
    ftl: 'err-avatar-invalid-format',
    carriers: { spec: ['E!', 'T'], nexusd: ['E!'] },
    reachable: BOTH,
  },
  'E-AVATAR-UNSUPPORTED-TYPE': {
    spec: null,
    // The text omits JPEG although JPEG is accepted (errors.md §3).
    nexusd: 'Unsupported avatar type (PNG, WebP, or SVG only)',
    ftl: 'err-avatar-unsupported-type',
    carriers: { spec: ['E!', 'T'], nexusd: ['E!'] },
    reachable: BOTH,
  },
  'E-NICKNAME-REQUIRED': {
    spec: null,
    nexusd: 'Nickname required for shared accounts',
    ftl: 'err-nickname-required',
    carriers: { spec: ['E!', 'T'], nexusd: ['E!'] },
    reachable: BOTH,
    aliases: ['Nickname is required'],
  },
  'E-NICKNAME-EMPTY': {
    spec: 'Nickname is empty',
    nexusd: 'Nickname cannot be empty',
    ftl: 'err-nickname-empty',
    carriers: { spec: ['E!', 'T'], nexusd: ['E!', 'T'] },
    reachable: BOTH,
  },
  'E-NICKNAME-TOO-LONG': {
    spec: 'Nickname too long',
    nexusd: 'Nickname is too long (max {max_length} characters)',
    ftl: 'err-nickname-too-long',
    defaults: { max_length: 32 },
    carriers: { spec: ['E!', 'T'], nexusd: ['E!', 'T'] },
    reachable: BOTH,
  },
  'E-NICKNAME-INVALID': {
    spec: 'Invalid nickname',
    nexusd: 'Nickname contains invalid characters (letters, numbers, and symbols allowed - no whitespace or control characters)',
    ftl: 'err-nickname-invalid',
    carriers: { spec: ['E!', 'T'], nexusd: ['E!', 'T'] },
    reachable: BOTH,
  },
  'E-NICKNAME-IS-USERNAME': {
    spec: null,
    nexusd: 'Nickname cannot be an existing username',
    ftl: 'err-nickname-is-username',
    carriers: { spec: ['E!', 'T'], nexusd: ['E!'] },
    reachable: BOTH,
    aliases: ['Nickname matches existing username'],
  },
  'E-NICKNAME-IN-USE': {
    spec: null,
    nexusd: 'Nickname is already in use',
    ftl: 'err-nickname-in-use',
    carriers: { spec: ['E!', 'T'], nexusd: ['E!'] },
    reachable: BOTH,
  },

  // --- §4 Users ---------------------------------------------------------------------------------
  'E-PERMISSION-DENIED': {
    spec: 'Permission denied',
    nexusd: 'Permission denied',
    ftl: 'err-permission-denied',
    carriers: { spec: ['T'], nexusd: ['E', 'T'] },
    reachable: BOTH,
  },
  // The seed's literal payload example wins over its table label "User not online" (README §Error-string profiles).
  'E-NICKNAME-NOT-ONLINE': {
    spec: "User '{nickname}' is not online",
    nexusd: "User '{nickname}' is not online",
    ftl: 'err-nickname-not-online',
    carriers: same(['T']),
    reachable: BOTH,
    aliases: ['User not online', 'User is not online'],
  },
  'E-STATUS-TOO-LONG': {
    spec: null,
    nexusd: 'Status message is too long (max {max_length} characters)',
    ftl: 'err-status-too-long',
    defaults: { max_length: 128 },
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-STATUS-CONTAINS-NEWLINES': {
    spec: null,
    nexusd: 'Status message cannot contain newlines',
    ftl: 'err-status-contains-newlines',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-STATUS-INVALID-CHARACTERS': {
    spec: null,
    nexusd: 'Status message contains invalid characters',
    ftl: 'err-status-invalid-characters',
    carriers: same(['T']),
    reachable: BOTH,
  },

  // --- §5 Administration ------------------------------------------------------------------------
  'E-USERNAME-EXISTS': {
    spec: 'Username already exists',
    nexusd: "Username '{username}' already exists",
    ftl: 'err-username-exists',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-USER-NOT-FOUND': {
    spec: 'User not found',
    nexusd: "User '{username}' not found",
    ftl: 'err-user-not-found',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-PASSWORD-EMPTY': {
    spec: 'Password is empty',
    nexusd: 'Password cannot be empty',
    ftl: 'err-password-empty',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-CANNOT-CREATE-ADMIN': {
    spec: null,
    nexusd: 'Only admins can create admin users',
    ftl: 'err-cannot-create-admin',
    carriers: { spec: ['T', 'E', 'E!'], nexusd: ['E!'] },
    reachable: BOTH,
  },
  'E-SHARED-CANNOT-BE-ADMIN': {
    spec: null,
    nexusd: 'Shared accounts cannot be admins',
    ftl: 'err-shared-cannot-be-admin',
    carriers: same(['T']),
    reachable: BOTH,
  },
  // `spec` removes shared-forbidden names silently (MERGE-5), so only `nexusd` sends this.
  'E-SHARED-INVALID-PERMISSIONS': {
    spec: null,
    nexusd: 'Shared accounts cannot have these permissions: {permissions}',
    ftl: 'err-shared-invalid-permissions',
    carriers: same(['T']),
    reachable: { spec: false, nexusd: true },
  },
  'E-UNKNOWN-PERMISSION': {
    spec: null,
    nexusd: "Unknown permission: '{permission}'",
    ftl: 'err-unknown-permission',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-PERMISSIONS-TOO-MANY': {
    spec: null,
    nexusd: 'Too many permissions (max {max_count})',
    ftl: 'err-permissions-too-many',
    defaults: { max_count: PERMISSIONS_MAX_COUNT },
    anyNumber: ['max_count'],
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-PERMISSIONS-EMPTY-PERMISSION': {
    spec: null,
    nexusd: 'Permission name cannot be empty',
    ftl: 'err-permissions-empty-permission',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-PERMISSIONS-PERMISSION-TOO-LONG': {
    spec: null,
    nexusd: 'Permission name is too long (max {max_length} characters)',
    ftl: 'err-permissions-permission-too-long',
    defaults: { max_length: 32 },
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-PERMISSIONS-CONTAINS-NEWLINES': {
    spec: null,
    nexusd: 'Permission name cannot contain newlines',
    ftl: 'err-permissions-contains-newlines',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-PERMISSIONS-INVALID-CHARACTERS': {
    spec: null,
    nexusd: 'Permission name contains invalid characters',
    ftl: 'err-permissions-invalid-characters',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-CANNOT-EDIT-SELF': {
    spec: null,
    nexusd: 'You cannot edit yourself',
    ftl: 'err-cannot-edit-self',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-CANNOT-EDIT-ADMIN': {
    spec: 'Cannot edit admin users',
    nexusd: 'Only admins can edit admin users',
    ftl: 'err-cannot-edit-admin',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-CURRENT-PASSWORD-REQUIRED': {
    spec: null,
    nexusd: 'Current password is required to change your password',
    ftl: 'err-current-password-required',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-CURRENT-PASSWORD-INCORRECT': {
    spec: 'Incorrect current password',
    nexusd: 'Current password is incorrect',
    ftl: 'err-current-password-incorrect',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-SHARED-CANNOT-CHANGE-PASSWORD': {
    spec: null,
    nexusd: 'Cannot change password on shared account',
    ftl: 'err-shared-cannot-change-password',
    carriers: same(['T']),
    reachable: BOTH,
    // Later upstream renamed the key (err-shared-cannot-self-edit).
    aliases: ['Shared accounts cannot edit themselves'],
  },
  'E-CANNOT-RENAME-GUEST': {
    spec: 'Cannot rename the guest account',
    nexusd: 'The guest account cannot be renamed',
    ftl: 'err-cannot-rename-guest',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-CANNOT-CHANGE-GUEST-PASSWORD': {
    spec: 'Cannot change the guest account password',
    nexusd: 'The guest account password cannot be changed',
    ftl: 'err-cannot-change-guest-password',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-CANNOT-DELETE-GUEST': {
    spec: 'Cannot delete the guest account',
    nexusd: 'The guest account cannot be deleted',
    ftl: 'err-cannot-delete-guest',
    carriers: same(['T']),
    reachable: BOTH,
  },
  // ADMP-6 / SELF-1: the LAST-ADMIN keys need the last enabled admin to be demoted, disabled or
  // deleted. Only an admin may do that to an admin (ADM-UPDATE-5, ADM-DELETE-8) and nobody may do it
  // to themselves (ADM-UPDATE-4, ADM-DELETE-4), so the requesting admin always remains: unreachable.
  'E-CANNOT-DEMOTE-LAST-ADMIN': {
    spec: null,
    nexusd: 'Cannot demote the last admin',
    ftl: 'err-cannot-demote-last-admin',
    carriers: same(['T']),
    reachable: NEVER,
  },
  'E-CANNOT-DISABLE-LAST-ADMIN': {
    spec: null,
    nexusd: 'Cannot disable the last admin',
    ftl: 'err-cannot-disable-last-admin',
    carriers: same(['T']),
    reachable: NEVER,
  },
  // Storage fallback of ADM-UPDATE-13 after every other check passed: internal, not provokable.
  'E-UPDATE-FAILED': {
    spec: null,
    nexusd: "Failed to update user '{username}'",
    ftl: 'err-update-failed',
    carriers: same(['T']),
    reachable: NEVER,
  },
  'E-CANNOT-DELETE-SELF': {
    spec: 'Cannot delete your own account',
    nexusd: 'You cannot delete yourself',
    ftl: 'err-cannot-delete-self',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-CANNOT-DELETE-ADMIN': {
    spec: 'Cannot delete admin users',
    nexusd: 'Only admins can delete admin users',
    ftl: 'err-cannot-delete-admin',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-CANNOT-DELETE-LAST-ADMIN': {
    spec: null,
    nexusd: 'Cannot delete the last admin',
    ftl: 'err-cannot-delete-last-admin',
    carriers: same(['T']),
    reachable: NEVER,
  },
  'E-CANNOT-KICK-SELF': {
    spec: 'Cannot kick yourself',
    nexusd: 'You cannot kick yourself',
    ftl: 'err-cannot-kick-self',
    carriers: same(['T']),
    reachable: BOTH,
  },
  'E-CANNOT-KICK-ADMIN': {
    spec: 'Cannot kick admin users',
    nexusd: 'Cannot kick admin users',
    ftl: 'err-cannot-kick-admin',
    carriers: same(['T']),
    reachable: BOTH,
  },
  // The seeds' ServerInfoUpdate table says "Permission denied" for a non-admin (ADM-SINFO-3).
  'E-ADMIN-REQUIRED': {
    spec: 'Permission denied',
    nexusd: 'Admin privileges required',
    ftl: 'err-admin-required',
    carriers: { spec: ['T'], nexusd: ['E'] },
    reachable: BOTH,
  },
  'E-NO-FIELDS-TO-UPDATE': {
    spec: null,
    nexusd: 'No fields to update',
    ftl: 'err-no-fields-to-update',
    carriers: { spec: ['T'], nexusd: ['E'] },
    reachable: BOTH,
  },
  'E-SERVER-NAME-EMPTY': {
    spec: 'Server name cannot be empty',
    nexusd: 'Server name cannot be empty',
    ftl: 'err-server-name-empty',
    carriers: { spec: ['T'], nexusd: ['E'] },
    reachable: BOTH,
  },
  'E-SERVER-NAME-TOO-LONG': {
    spec: 'Server name too long',
    nexusd: 'Server name is too long (max {max_length} characters)',
    ftl: 'err-server-name-too-long',
    defaults: { max_length: 64 },
    carriers: { spec: ['T'], nexusd: ['E'] },
    reachable: BOTH,
  },
  'E-SERVER-NAME-CONTAINS-NEWLINES': {
    spec: null,
    nexusd: 'Server name cannot contain newlines',
    ftl: 'err-server-name-contains-newlines',
    carriers: { spec: ['T'], nexusd: ['E'] },
    reachable: BOTH,
  },
  'E-SERVER-NAME-INVALID-CHARACTERS': {
    spec: null,
    nexusd: 'Server name contains invalid characters',
    ftl: 'err-server-name-invalid-characters',
    carriers: { spec: ['T'], nexusd: ['E'] },
    reachable: BOTH,
  },
  'E-SERVER-DESCRIPTION-TOO-LONG': {
    spec: 'Description too long',
    nexusd: 'Server description is too long (max {max_length} characters)',
    ftl: 'err-server-description-too-long',
    defaults: { max_length: 256 },
    carriers: { spec: ['T'], nexusd: ['E'] },
    reachable: BOTH,
  },
  'E-SERVER-DESCRIPTION-CONTAINS-NEWLINES': {
    spec: null,
    nexusd: 'Server description cannot contain newlines',
    ftl: 'err-server-description-contains-newlines',
    carriers: { spec: ['T'], nexusd: ['E'] },
    reachable: BOTH,
  },
  'E-SERVER-DESCRIPTION-INVALID-CHARACTERS': {
    spec: null,
    nexusd: 'Server description contains invalid characters',
    ftl: 'err-server-description-invalid-characters',
    carriers: { spec: ['T'], nexusd: ['E'] },
    reachable: BOTH,
  },
  // The text says 512KB; the enforced limit is 700 000 bytes (errors.md §5).
  'E-SERVER-IMAGE-TOO-LARGE': {
    spec: 'Image too large',
    nexusd: 'Server image is too large (max 512KB)',
    ftl: 'err-server-image-too-large',
    carriers: { spec: ['T'], nexusd: ['E'] },
    reachable: BOTH,
  },
  'E-SERVER-IMAGE-INVALID-FORMAT': {
    spec: 'Invalid image format',
    nexusd: 'Invalid server image format (must be a data URI with base64 encoding)',
    ftl: 'err-server-image-invalid-format',
    carriers: { spec: ['T'], nexusd: ['E'] },
    reachable: BOTH,
  },
  // The seeds use one label for both image failures.
  'E-SERVER-IMAGE-UNSUPPORTED-TYPE': {
    spec: 'Invalid image format',
    nexusd: 'Unsupported server image type (PNG, WebP, JPEG, or SVG only)',
    ftl: 'err-server-image-unsupported-type',
    carriers: { spec: ['T'], nexusd: ['E'] },
    reachable: BOTH,
  },
  // VAL-LIMIT: the seed-era `nexusd` accepts 0 (= unlimited) and never sends these.
  'E-MAX-CONNECTIONS-PER-IP-INVALID': {
    spec: null,
    nexusd: 'Max connections per IP must be greater than 0',
    ftl: 'err-max-connections-per-ip-invalid',
    carriers: { spec: ['T'], nexusd: ['E'] },
    reachable: { spec: true, nexusd: false },
  },
  'E-MAX-TRANSFERS-PER-IP-INVALID': {
    spec: null,
    nexusd: 'Max transfers per IP must be greater than 0',
    ftl: null,
    carriers: { spec: ['T'], nexusd: ['E'] },
    reachable: { spec: true, nexusd: false },
  },

  // --- §6 notices to removed sessions -----------------------------------------------------------
  'E-KICKED-BY': {
    spec: null,
    nexusd: 'You have been kicked by {username}',
    ftl: 'err-kicked-by',
    carriers: same(['N']),
    reachable: BOTH,
  },
  'E-ACCOUNT-DELETED': {
    spec: null,
    nexusd: 'Your account has been deleted',
    ftl: 'err-account-deleted',
    carriers: same(['N']),
    reachable: BOTH,
  },
  'E-ACCOUNT-DISABLED-BY-ADMIN': {
    spec: null,
    nexusd: 'Account disabled by admin',
    ftl: 'err-account-disabled-by-admin',
    carriers: same(['N']),
    reachable: BOTH,
  },
};

export const ERROR_CATALOGUE: Record<ErrorKey, ErrorEntry> = Object.fromEntries(
  Object.entries(CATALOGUE_INIT).map(([k, e]) => [k, { key: k as ErrorKey, ...e }]),
) as Record<ErrorKey, ErrorEntry>;

/** Every key of errors.md, in document order. */
export const ERROR_KEYS: readonly ErrorKey[] = Object.keys(CATALOGUE_INIT) as ErrorKey[];

export function errorEntry(key: ErrorKey): ErrorEntry {
  const entry = ERROR_CATALOGUE[key];
  if (!entry) throw new Error(`unknown error key ${key}`);
  return entry;
}

/** The template a profile renders: the seed wording where one exists, else the `nexusd` wording. */
export function templateOf(key: ErrorKey, profile: Profile): string {
  const e = errorEntry(key);
  return profile === 'spec' ? (e.spec ?? e.nexusd) : e.nexusd;
}

/** Parameter names a template uses, in order. */
export function templateParams(template: string): string[] {
  return [...template.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1] as string);
}

/**
 * Renders `key` in `profile`. `nexusd` wraps every parameter value in U+2068 … U+2069 (Fluent
 * isolation, README §Error-string profiles); `spec` renders values bare. A parameter missing from
 * `params` takes the entry's default; a parameter with neither is a programming error.
 */
export function renderError(key: ErrorKey, params: ErrorParams, profile: Profile): string {
  const e = errorEntry(key);
  const template = templateOf(key, profile);
  return template.replace(/\{([a-z_]+)\}/g, (_m, name: string) => {
    const value = params[name] ?? e.defaults?.[name];
    if (value === undefined) throw new Error(`${key}: missing parameter ${name}`);
    return profile === 'nexusd' ? `${FSI}${String(value)}${PDI}` : String(value);
  });
}

/**
 * `exact` for keys with a build-dependent number (ErrorEntry.anyNumber): the profile's rendering
 * with those parameters left open (digits), the others as given.
 */
function matchesWithAnyNumber(plain: string, key: ErrorKey, params: ErrorParams, profile: Profile): boolean {
  const open = errorEntry(key).anyNumber;
  if (!open) return false;
  const marker = '\u0000N\u0000';
  const rendered = stripIsolation(renderError(key, { ...params, ...Object.fromEntries(open.map((p) => [p, marker])) }, profile));
  const pattern = rendered.split(marker).map(escapeRegExp).join('\\d+');
  return new RegExp(`^${pattern}$`, 'u').test(plain);
}

/** Removes Fluent isolation marks; matchers compare after this (README §Error-string profiles). */
export function stripIsolation(text: string): string {
  return text.replace(/[\u2068\u2069]/g, '');
}

// Numeric parameters match digits only; text parameters (names as typed) match anything, including ''.
const NUMERIC_PARAMS = new Set(['max_length', 'max_count', 'server_major', 'client_major']);

function patternOf(template: string): RegExp {
  let src = '';
  let last = 0;
  for (const m of template.matchAll(/\{([a-z_]+)\}/g)) {
    src += escapeRegExp(template.slice(last, m.index));
    src += NUMERIC_PARAMS.has(m[1] as string) ? '\\d+' : '[\\s\\S]*';
    last = (m.index ?? 0) + m[0].length;
  }
  src += escapeRegExp(template.slice(last));
  return new RegExp(`^${src}$`, 'u');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every pattern a key is recognised by: both profiles' wordings and the docs-only aliases. */
const CLASSIFIERS: Array<{ key: ErrorKey; pattern: RegExp }> = ERROR_KEYS.flatMap((key) => {
  const e = errorEntry(key);
  const templates = new Set([e.nexusd, ...(e.spec !== null ? [e.spec] : []), ...(e.aliases ?? [])]);
  return [...templates].map((t) => ({ key, pattern: patternOf(t) }));
});

/**
 * `key` matcher mode: the candidate keys a received string may stand for, from both profiles'
 * patterns after stripping isolation marks. Some wordings are shared ("Permission denied" →
 * E-PERMISSION-DENIED and E-ADMIN-REQUIRED; "Invalid image format" → both image format keys).
 */
export function classifyError(text: string): ErrorKey[] {
  const plain = stripIsolation(text);
  const found: ErrorKey[] = [];
  for (const { key, pattern } of CLASSIFIERS) {
    if (pattern.test(plain) && !found.includes(key)) found.push(key);
  }
  return found;
}

/**
 * Does a received error string match the expected key and parameters?
 * - `exact`: equals this profile's rendering, isolation marks stripped on both sides;
 * - `key`: the key is among `classifyError(text)`;
 * - `lenient`: equals either profile's rendering, or matches by key.
 */
export function errorMatches(text: string, key: ErrorKey, params: ErrorParams, profile: Profile, mode: MatchMode): boolean {
  const plain = stripIsolation(text);
  switch (mode) {
    case 'exact':
      return plain === stripIsolation(renderError(key, params, profile)) || matchesWithAnyNumber(plain, key, params, profile);
    case 'key':
      return classifyError(plain).includes(key);
    case 'lenient':
      return (
        plain === stripIsolation(renderError(key, params, 'spec')) ||
        plain === stripIsolation(renderError(key, params, 'nexusd')) ||
        classifyError(plain).includes(key)
      );
  }
}
