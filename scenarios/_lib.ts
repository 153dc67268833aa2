// Helpers shared by the scenario files. Not a spec section: the loader skips `_`-prefixed files.
import { where, type Actor, type CheckContext, type Observed, type Reply } from '../src/runner/api.ts';
import type { ErrorKey } from '../src/model/events.ts';
import { loginBody } from '../src/runner/login-body.ts';

// --- Login bodies -------------------------------------------------------------------------------

export { loginBody };

/** The Login body of an actor's own account, with overrides. */
export function credentials(of: Actor, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return loginBody(of.username, of.password, extra);
}

/** A shared account's Login body with a session nickname. */
export function sharedLogin(of: Actor, nickname: string | null, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return loginBody(of.username, of.password, { nickname, ...extra });
}

/** A guest Login (`username` "" or any casing of "guest", password ""): the session nickname is required (SES-GUEST-3). */
export function guestLogin(
  username: string,
  nickname: string | null,
  password = '',
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return loginBody(username, password, { nickname, ...extra });
}

// --- values -------------------------------------------------------------------------------------

/** A syntactically valid avatar / image (the base64 body is not decoded in this era, VAL-AVATAR). */
export const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
export const JPEG = 'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2w==';
export const WEBP = 'data:image/webp;base64,UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==';
export const SVG = 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=';

/** Toggles the case of every letter: differs from `s` but matches it case-insensitively (GEN-7). */
export const swapCase = (s: string): string => [...s].map((ch) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase())).join('');

/** The server's protocol version as the model knows it, split into numbers (SES-HS-2). */
export function serverVersion(t: CheckContext): { text: string; major: number; minor: number; patch: number } {
  const text = t.model().config.protocolVersion;
  const [major = 0, minor = 0, patch = 0] = text.split(/[.+-]/).map((p) => Number.parseInt(p, 10));
  return { text, major, minor, patch };
}

// --- observed bodies ----------------------------------------------------------------------------

export type UserEntry = Record<string, unknown> & { username: string; nickname: string; session_ids: number[] };

/** `users` of a UserListResponse. */
export function usersOf(reply: Observed): UserEntry[] {
  const users = reply.body.users;
  return Array.isArray(users) ? (users as UserEntry[]) : [];
}

/** Entries of a list whose nickname equals `nickname` case-insensitively (GEN-7). */
export function entriesFor<E extends { nickname?: unknown }>(list: E[], nickname: string): E[] {
  return list.filter((u) => typeof u.nickname === 'string' && u.nickname.toLowerCase() === nickname.toLowerCase());
}

/** True when `names` are in ascending order of their lower-cased form (USR-LIST-5, CM-4; ties allowed). */
function sortedCaseInsensitive(names: string[]): boolean {
  return names.every((n, i) => i === 0 || names[i - 1]!.toLowerCase() <= n.toLowerCase());
}

/** A list of names in ascending case-insensitive order (USR-LIST-5, CM-4; ties allowed). */
export const CASE_INSENSITIVE_ORDER = where(
  'names in ascending case-insensitive order',
  (v) => Array.isArray(v) && v.every((n) => typeof n === 'string') && sortedCaseInsensitive(v as string[]),
);

// --- account bodies -----------------------------------------------------------------------------

/** Password of the accounts checks create themselves with UserCreate (not actors). */
export const CREATED_PASSWORD = 'Created-Pa55word';

/** A UserCreate body: a regular, enabled account without permissions unless overridden. */
export function accountBody(username: string, o: Record<string, unknown> = {}): Record<string, unknown> {
  return { username, password: CREATED_PASSWORD, is_admin: false, enabled: true, permissions: [], ...o };
}

// --- stored accounts (read back with UserEdit, ADM-EDIT-6) ----------------------------------------

/** An account as UserEdit reports it (admin.md §UserEditResponse). */
export interface StoredAccount extends Record<string, unknown> {
  username: string;
  is_admin: boolean;
  is_shared: boolean;
  enabled: boolean;
  permissions: string[];
}

/**
 * Reads an account back as `viewer` (a user_edit holder) sees it. A refused read fails the check
 * with `rule` (default: the check's first rule); the runner compares the body with the model.
 */
export async function storedAccount(viewer: Actor, username: string, rule?: string): Promise<StoredAccount> {
  const reply = await viewer.request('UserEdit', { username }).expectSuccess(rule);
  return reply.body as StoredAccount;
}

/** Reads `username` back as the run's admin and expects the fields `pattern` lists (`t.expectBody`). */
export async function expectStored(
  t: CheckContext,
  username: string,
  pattern: Record<string, unknown>,
  rule: string,
  what?: string,
): Promise<void> {
  t.expectBody(await storedAccount(t.admin, username), pattern, rule, what);
}

/** Proves that no account `username` is stored: UserEdit answers "User not found" (ADM-EDIT-4). */
export async function noStoredAccount(viewer: Actor, username: string): Promise<void> {
  await viewer.request('UserEdit', { username }).expectError('E-USER-NOT-FOUND');
}

// --- outcomes that depend on the profile --------------------------------------------------------

/**
 * WIRE-LIM-4 / UND-11: a value one unit over a validator limit in a single-field message. `spec`:
 * the frame is within its limit, so it MUST reach the validator (documented error). `nexusd`: the
 * era's exact frame limit may answer first (E-INVALID-MESSAGE-FORMAT + close), a padded build
 * reaches the validator. The runner predicts a framing outcome only where the spec allows one
 * (src/runner/outcomes.ts) and follows the one the target took: no direct answer means that one.
 * After the validator's error the connection stays open unless the error closes it (`closes`).
 */
export async function expectValidatorPastFrameLimit(actor: Actor, reply: Reply, key: ErrorKey, closes = false): Promise<void> {
  if ((await reply) === null) {
    await actor.expectClosed();
    return;
  }
  await reply.expectError(key);
  if (closes) await actor.expectClosed();
  else await actor.expectConnected();
}

/**
 * GEN-2: a request on a connection whose session someone else removed. The target may already have
 * closed the socket (SES-KICK-3, UND-6) — then nothing answers; if it is still open the answer is
 * E-AUTHENTICATION and a close. The runner's model comparison accepts exactly these outcomes; in
 * both the connection ends.
 */
export async function requestAfterRemoval(
  victim: Actor,
  type: Parameters<Actor['request']>[0],
  body: Record<string, unknown> = {},
): Promise<void> {
  await victim.request(type, body);
  await victim.expectClosed();
}

/** Kicks every session of `victim`'s account (or its shared session) through `by` (ADM-KICK-8). */
export async function kick(by: Actor, victim: Actor): Promise<void> {
  await by.request('UserKick', { nickname: victim.nickname }).expectSuccess();
}

/** The one UserList (all:false) entry of `nickname` as `viewer` (a user_list holder) sees it. */
export async function listEntry(viewer: Actor, nickname: string): Promise<UserEntry | undefined> {
  const list = usersOf(await viewer.request('UserList', { all: false }).expectSuccess());
  const found = entriesFor(list, nickname);
  return found.length === 1 ? found[0] : undefined;
}

/** VAL-PATHCHARS: the path-sensitive characters later builds refuse in names (`#` in usernames only). */
export const PATH_CHARACTERS = ['/', '\\', ':', '.', '<', '>', '"', '|', '?', '*'] as const;

/** A string (for members whose value the model, not the check, decides). */
export const A_STRING = where('a string', (v) => typeof v === 'string');

/** A string that is not empty. */
export const A_NON_EMPTY_STRING = where('a non-empty string', (v) => typeof v === 'string' && v !== '');

/** A non-negative integer. */
export const A_COUNT = where('a non-negative integer', (v) => Number.isInteger(v) && (v as number) >= 0);

/** A session id: a u32 above 0 (SES-LR-2). */
export const A_SESSION_ID = where('a u32 > 0', (v) => Number.isInteger(v) && (v as number) > 0 && (v as number) <= 0xffffffff);
