// JSON payload schemas (wire.md §5–§6): strict decoding of client bodies as the reference server
// does it, and lenient shape checks of server bodies for the harness.
import { z } from 'zod';
import type { ClientType, Profile, RawFrame } from './types.ts';
import { isClientType, isServerType, setMember } from './types.ts';

// ---------------------------------------------------------------------------------------------
// Client bodies (WIRE-JSON-3, WIRE-JSON-4)
// ---------------------------------------------------------------------------------------------

/** u32 per WIRE-JSON-4: integer 0..4294967295 (the lexical check for `1.0`/`1e0` is separate). */
export const u32 = z.number().int().min(0).max(4_294_967_295);

const str = z.string();
const bool = z.boolean();
const strList = z.array(z.string());

// Null members are removed before parsing (see `stripNulls`): optional + null = absent,
// required + null = missing (WIRE-JSON-4). Unknown members are dropped by z.object (WIRE-JSON-3).
export const CLIENT_SCHEMAS = {
  Handshake: z.object({ version: str }),
  Login: z.object({
    username: str,
    password: str,
    features: strList,
    locale: str.optional(),
    avatar: str.optional(),
    nickname: str.optional(),
  }),
  UserList: z.object({ all: bool.optional() }),
  UserInfo: z.object({ nickname: str }),
  UserAway: z.object({ message: str.optional() }),
  UserBack: z.object({}),
  UserStatus: z.object({ status: str.optional() }),
  UserCreate: z.object({
    username: str,
    password: str,
    is_admin: bool,
    is_shared: bool.optional(),
    enabled: bool,
    permissions: strList,
  }),
  UserEdit: z.object({ username: str }),
  UserUpdate: z.object({
    username: str,
    current_password: str.optional(),
    requested_username: str.optional(),
    requested_password: str.optional(),
    requested_is_admin: bool.optional(),
    requested_enabled: bool.optional(),
    requested_permissions: strList.optional(),
  }),
  UserDelete: z.object({ username: str }),
  UserKick: z.object({ nickname: str }),
  ServerInfoUpdate: z.object({
    name: str.optional(),
    description: str.optional(),
    max_connections_per_ip: u32.optional(),
    max_transfers_per_ip: u32.optional(),
    image: str.optional(),
  }),
  ConnectionMonitor: z.object({}),
} satisfies Record<ClientType, z.ZodType>;

/** Top-level u32 members whose lexical form must be a plain integer (WIRE-JSON-4, rules.md §8). */
const U32_MEMBERS: Partial<Record<ClientType, readonly string[]>> = {
  ServerInfoUpdate: ['max_connections_per_ip', 'max_transfers_per_ip'],
};

/** Decoded, normalised client body: known members only, null → absent, `type` set to the frame type. */
export type ClientBody<T extends ClientType> = z.output<(typeof CLIENT_SCHEMAS)[T]> & { type: T };

export type HandshakeBody = ClientBody<'Handshake'>;
export type LoginBody = ClientBody<'Login'>;
export type UserListBody = ClientBody<'UserList'>;
export type UserInfoBody = ClientBody<'UserInfo'>;
export type UserAwayBody = ClientBody<'UserAway'>;
export type UserBackBody = ClientBody<'UserBack'>;
export type UserStatusBody = ClientBody<'UserStatus'>;
export type UserCreateBody = ClientBody<'UserCreate'>;
export type UserEditBody = ClientBody<'UserEdit'>;
export type UserUpdateBody = ClientBody<'UserUpdate'>;
export type UserDeleteBody = ClientBody<'UserDelete'>;
export type UserKickBody = ClientBody<'UserKick'>;
export type ServerInfoUpdateBody = ClientBody<'ServerInfoUpdate'>;
export type ConnectionMonitorBody = ClientBody<'ConnectionMonitor'>;

/**
 * Payload features whose decoding `spec` leaves open (rules.md §8 lists the reference's pick):
 * a missing `"type"` (WIRE-JSON-2, reference: accepted), lone-surrogate escapes and integral
 * floats in u32 members (WIRE-JSON-4, reference: decode failure). `nexusd` rejects all three.
 */
export type OpenDecoding = 'missing-type' | 'lone-surrogate' | 'integral-float';

export type DecodeResult<T extends ClientType> =
  | {
      ok: true;
      body: ClientBody<T>;
      /** The open features this payload has (all accepted, see DecodeOptions.accept); absent: none. */ open?: OpenDecoding[];
    }
  | { ok: false; reason: string };

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface DecodeOptions {
  /**
   * Which value of a duplicated member name counts (WIRE-JSON-6, UND-10): `last` like JSON.parse
   * (the reference, rules.md §8), or `first`. Nested objects follow the same rule.
   */
  duplicates?: 'last' | 'first';
  /**
   * Which open features to accept (profile `spec` only; `nexusd` rejects them all). Default: the
   * reference's picks — a missing `"type"` accepted, the other two rejected.
   */
  accept?: Partial<Record<OpenDecoding, boolean>>;
  /** The payload as readClientJson already read it (the model reads once, then decides on duplicates). */
  read?: ClientJson;
}

/** A client payload read as text and JSON (WIRE-JSON-1/4), before any member is judged. */
export type ClientJson = { ok: true; text: string; value: unknown; duplicates: boolean } | { ok: false; reason: string };

/**
 * Reads a client payload: strict UTF-8 (WIRE-JSON-4; ignoreBOM keeps a BOM in the text, where
 * JSON.parse then rejects it, a BOM not being JSON whitespace), one JSON text (WIRE-JSON-1 /
 * WIRE-BAD-9), and whether some object repeats a member name (WIRE-JSON-6).
 */
export function readClientJson(payload: Uint8Array): ClientJson {
  let text: string;
  try {
    text = fatalUtf8.decode(payload);
  } catch {
    return { ok: false, reason: 'payload is not valid UTF-8' };
  }
  if (text.trim() === '') return { ok: false, reason: 'empty payload' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not JSON: ${(e as Error).message}` };
  }
  return { ok: true, text, value, duplicates: repeatsMemberName(text, value) };
}

/**
 * Whether valid JSON `text` (parsed by JSON.parse as `value`) repeats a member name in some object.
 * Every member name in the text is a string followed by optional whitespace and a colon, so the
 * count of `"` + whitespace + `:` is at least the number of members written (string contents can
 * only add to it); JSON.parse keeps one member per distinct name. When the count equals the
 * members parsed, nothing was repeated; only otherwise is the text walked member by member.
 */
function repeatsMemberName(text: string, value: unknown): boolean {
  const written = text.match(MEMBER_NAME_END)?.length ?? 0;
  if (written === countMembers(value)) return false;
  return parseValidJson(text, 'first').duplicates;
}

const MEMBER_NAME_END = /"[ \t\n\r]*:/g;

/** Members of every object in a parsed JSON value (iterative: unknown members may nest deeply). */
function countMembers(root: unknown): number {
  let n = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else {
      for (const k in v) {
        n++;
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
  }
  return n;
}

/**
 * Decodes a client payload the way the reference server does (WIRE-JSON-1..6, WIRE-BAD-9..12).
 * Never throws.
 */
export function decodeClientPayload<T extends ClientType>(
  type: T,
  payload: Uint8Array,
  profile: Profile,
  opts: DecodeOptions = {},
): DecodeResult<T> {
  const read = opts.read ?? readClientJson(payload);
  if (!read.ok) return read;
  const { text } = read;
  // Duplicate keys: last wins (UND-10, WIRE-JSON-6), as with JSON.parse, unless asked otherwise.
  let value = read.value;
  if (opts.duplicates === 'first' && read.duplicates) value = parseValidJson(text, 'first').value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'payload is not a JSON object' };
  }
  const accepts = (f: OpenDecoding): boolean => profile === 'spec' && (opts.accept?.[f] ?? f === 'missing-type');
  const open: OpenDecoding[] = [];
  // Lone-surrogate escapes in any string (keys included): decode failure (WIRE-JSON-4; `spec`
  // [UNDETERMINED], the reference rejects, rules.md §8).
  if (hasLoneSurrogate(value)) {
    if (!accepts('lone-surrogate')) return { ok: false, reason: 'string contains a lone surrogate escape' };
    open.push('lone-surrogate');
  }

  const obj = value as Record<string, unknown>;
  // WIRE-JSON-2 / WIRE-BAD-10: `nexusd` requires "type"; `spec` may accept its absence (the reference does, rules.md §8).
  if (!Object.hasOwn(obj, 'type')) {
    if (!accepts('missing-type')) return { ok: false, reason: 'missing "type" member' };
    open.push('missing-type');
  } else if (obj.type !== type) {
    return { ok: false, reason: `"type" member ${JSON.stringify(obj.type)} does not match frame type ${type}` };
  }

  // WIRE-JSON-4: integral floats (`1.0`, `1e0`) in u32 members fail; JSON.parse hides the lexical form.
  const u32Members = U32_MEMBERS[type];
  if (u32Members) {
    const raw = topLevelRawMembers(text);
    for (const name of u32Members) {
      const lexeme = raw.get(name);
      // `-0` counts as a float (serde_json parses it as -0.0); other negatives fail the range check.
      if (lexeme !== undefined && lexeme !== 'null' && !/^(0|-?[1-9][0-9]*)$/.test(lexeme)) {
        // `spec` [UNDETERMINED]: an integral float (`3.0`, `3e0`) may be taken as the integer.
        const integral = Number.isInteger(Number(lexeme)) && !lexeme.startsWith('-');
        if (!integral || !accepts('integral-float')) return { ok: false, reason: `${name}: ${lexeme} is not a JSON integer` };
        if (!open.includes('integral-float')) open.push('integral-float');
      }
    }
  }

  // WIRE-JSON-4 / WIRE-BAD-12: members checked by the schema.
  const parsed = CLIENT_SCHEMAS[type].safeParse(stripNulls(obj));
  if (!parsed.success) return { ok: false, reason: formatIssues(parsed.error.issues) };
  return { ok: true, body: { ...(parsed.data as object), type } as ClientBody<T>, ...(open.length > 0 ? { open } : {}) };
}

export type ClientFrameResult =
  { ok: true; type: ClientType; body: ClientBody<ClientType>; open?: OpenDecoding[] } | { ok: false; reason: string };

/**
 * Decodes a whole frame from a client. A known name that is not a client type (e.g.
 * `LoginResponse`) is a decode failure (WIRE-BAD-11).
 */
export function decodeClientFrame(frame: RawFrame, profile: Profile, opts: DecodeOptions = {}): ClientFrameResult {
  if (!isClientType(frame.type)) {
    return { ok: false, reason: `${frame.type} is not a client message type` };
  }
  const r = decodeClientPayload(frame.type, frame.payload, profile, opts);
  return r.ok ? { ok: true, type: frame.type, body: r.body, ...(r.open ? { open: r.open } : {}) } : r;
}

/**
 * Whether a payload is valid JSON in which some object repeats a member name (WIRE-JSON-6):
 * the only payloads whose meaning depends on the decoder's duplicate rule (UND-10).
 */
export function hasDuplicateMembers(payload: Uint8Array): boolean {
  const read = readClientJson(payload);
  return read.ok && read.duplicates;
}

/**
 * Parses text that JSON.parse already accepted, keeping the first (or last) value of a repeated
 * member name, and tells whether any object repeated one. Iterative: unknown members may nest deeply.
 */
export function parseValidJson(text: string, keep: 'first' | 'last'): { value: unknown; duplicates: boolean } {
  type Frame = { container: Record<string, unknown> | unknown[]; key: string | null; seen: Set<string> | null };
  let duplicates = false;
  let i = 0;
  let result: unknown;
  const stack: Frame[] = [];
  const ws = (): void => {
    while (i < text.length && isWs(text.charCodeAt(i))) i++;
  };
  const put = (value: unknown): void => {
    const top = stack[stack.length - 1];
    if (!top) {
      result = value;
    } else if (Array.isArray(top.container)) {
      top.container.push(value);
    } else {
      const key = top.key!;
      if (top.seen!.has(key)) {
        duplicates = true;
        if (keep === 'first') return;
      }
      top.seen!.add(key);
      // defineProperty: a member named "__proto__" stays a plain member, as with JSON.parse.
      Object.defineProperty(top.container, key, { value, enumerable: true, writable: true, configurable: true });
    }
  };
  for (;;) {
    ws();
    const top = stack[stack.length - 1];
    const c = text.charCodeAt(i);
    if (top && (c === 0x2c || c === 0x7d || c === 0x5d)) {
      i++;
      if (c === 0x2c) {
        if (!Array.isArray(top.container)) readKey(top);
        continue;
      }
      stack.pop();
      put(top.container);
      if (stack.length === 0) break;
      continue;
    }
    if (c === 0x7b) {
      i++;
      const frame: Frame = { container: {}, key: null, seen: new Set() };
      ws();
      if (text.charCodeAt(i) === 0x7d) {
        i++;
        put(frame.container);
      } else {
        stack.push(frame);
        readKey(frame);
      }
    } else if (c === 0x5b) {
      i++;
      ws();
      if (text.charCodeAt(i) === 0x5d) {
        i++;
        put([]);
      } else {
        stack.push({ container: [], key: null, seen: null });
      }
    } else {
      const end = skipValue(text, i);
      put(JSON.parse(text.slice(i, end)));
      i = end;
    }
    if (stack.length === 0) break;
  }
  return { value: result, duplicates };

  function readKey(frame: Frame): void {
    ws();
    const end = skipString(text, i);
    frame.key = JSON.parse(text.slice(i, end)) as string;
    i = end;
    ws();
    i++; // ':'
  }
}

/** Removes top-level null members: null for an optional member = absent (WIRE-JSON-4). */
function stripNulls(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== null) setMember(out, k, v);
  return out;
}

/** Iterative walk (no recursion: unknown members may nest deeply) over every key and string. */
function hasLoneSurrogate(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) return true;
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (LONE_SURROGATE.test(k)) return true;
        stack.push(x);
      }
    }
  }
  return false;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * Index just past the JSON string starting at `i` (which is a `"`) in valid JSON: the first `"`
 * after it that an even run of backslashes precedes. indexOf, not a loop over every character:
 * a ServerInfo image is a 700 000-byte string.
 */
function skipString(text: string, i: number): number {
  for (let q = text.indexOf('"', i + 1); ; q = text.indexOf('"', q + 1)) {
    let k = q - 1;
    while (text.charCodeAt(k) === 0x5c) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
  }
}

/** Index just past the JSON value starting at `i`. */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 0x22) return skipString(text, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    let j = i;
    do {
      const d = text.charCodeAt(j);
      if (d === 0x22) {
        j = skipString(text, j);
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) depth--;
      j++;
    } while (depth > 0);
    return j;
  }
  let j = i;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === 0x2c || d === 0x7d || d === 0x5d || isWs(d)) break;
    j++;
  }
  return j;
}

/**
 * Raw text of each top-level member value, last occurrence winning like JSON.parse. Only called
 * on text JSON.parse accepted as an object, so the grammar is known to be valid.
 */
export function topLevelRawMembers(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const ws = (): void => {
    while (i < text.length && isWs(text.charCodeAt(i))) i++;
  };
  ws();
  i++; // '{'
  ws();
  if (text.charCodeAt(i) === 0x7d) return out;
  for (;;) {
    ws();
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string; // decodes escaped names
    i = keyEnd;
    ws();
    i++; // ':'
    ws();
    const start = i;
    i = skipValue(text, i);
    out.set(key, text.slice(start, i));
    ws();
    if (text.charCodeAt(i) !== 0x2c) break; // '}'
    i++;
  }
  return out;
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((iss) => {
      const path = iss.path.length > 0 ? iss.path.map(String).join('.') : '(body)';
      if (iss.code === 'invalid_type' && iss.input === undefined) return `${path}: required member missing or null`;
      return `${path}: ${iss.message}`;
    })
    .join('; ');
}

// ---------------------------------------------------------------------------------------------
// Server bodies: lenient shape checks for the harness (WIRE-JSON-3, WIRE-JSON-5)
// ---------------------------------------------------------------------------------------------

// Optional server members: absent and null alike (WIRE-JSON-5). Unknown members allowed.
const nstr = z.string().nullish();
const nbool = z.boolean().nullish();
const loose = z.looseObject;

/** Session id: u32 > 0 (SES-LR-2). */
export const sessionId = u32.min(1);

/** `ServerInfo`: every member optional (SES-SI-1..8). */
export const ServerInfoSchema = loose({
  name: nstr,
  description: nstr,
  version: nstr,
  transfer_port: z.number().int().min(0).max(65_535).nullish(),
  max_connections_per_ip: u32.nullish(),
  max_transfers_per_ip: u32.nullish(),
  image: nstr, // "", null or absent = no image (SES-SI-7)
});

/** `ChatInfo {topic, topic_set_by}` (SES-LR-6). */
export const ChatInfoSchema = loose({ topic: z.string(), topic_set_by: z.string() });

/** `UserInfo` (seed users.md §UserInfo); `is_away`/`status` are missing in some seed examples. */
export const UserInfoSchema = loose({
  username: z.string(),
  nickname: z.string(),
  login_time: z.number().int(),
  is_admin: z.boolean(),
  is_shared: z.boolean(),
  session_ids: z.array(u32),
  locale: z.string(),
  avatar: nstr,
  is_away: nbool,
  status: nstr,
});

/** `UserInfoDetailed` (seed users.md §UserInfoDetailed); `is_admin`/`addresses` only for admins. */
export const UserInfoDetailedSchema = loose({
  username: z.string(),
  nickname: z.string(),
  login_time: z.number().int(),
  is_shared: z.boolean(),
  session_ids: z.array(u32),
  features: z.array(z.string()),
  created_at: z.number().int(),
  locale: z.string(),
  avatar: nstr,
  is_away: nbool,
  status: nstr,
  is_admin: nbool,
  addresses: z.array(z.string()).nullish(),
});

/** One `ConnectionMonitorResponse` entry (CM-3). */
export const ConnectionInfoSchema = loose({
  nickname: z.string(),
  username: z.string(),
  ip: z.string(),
  login_time: z.number().int(),
  is_admin: z.boolean(),
  is_shared: z.boolean(),
});

export type ServerInfo = z.output<typeof ServerInfoSchema>;
export type ChatInfo = z.output<typeof ChatInfoSchema>;
export type UserInfo = z.output<typeof UserInfoSchema>;
export type UserInfoDetailed = z.output<typeof UserInfoDetailedSchema>;
export type ConnectionInfo = z.output<typeof ConnectionInfoSchema>;

/** Members every `*Response` carries on success (beyond `success`); checked only when success is true. */
const RESPONSE_SUCCESS: Record<string, z.ZodType> = {
  // SES-HS-4; on failure `version` is optional (SES-HS-5).
  HandshakeResponse: loose({ version: z.string() }),
  // SES-LR-1..6.
  LoginResponse: loose({
    session_id: sessionId,
    is_admin: z.boolean(),
    permissions: z.array(z.string()),
    server_info: ServerInfoSchema,
    chat_info: ChatInfoSchema.nullish(),
    locale: z.string(),
  }),
  UserListResponse: loose({ users: z.array(UserInfoSchema) }),
  UserInfoResponse: loose({ user: UserInfoDetailedSchema }),
  UserAwayResponse: loose({}),
  UserBackResponse: loose({}),
  UserStatusResponse: loose({}),
  UserCreateResponse: loose({ username: z.string() }),
  UserEditResponse: loose({
    username: z.string(),
    is_admin: z.boolean(),
    is_shared: z.boolean(),
    enabled: z.boolean(),
    permissions: z.array(z.string()),
  }),
  UserUpdateResponse: loose({ username: z.string() }),
  UserDeleteResponse: loose({ username: z.string() }),
  UserKickResponse: loose({ nickname: z.string() }),
  ServerInfoUpdateResponse: loose({}),
  ConnectionMonitorResponse: loose({ connections: z.array(ConnectionInfoSchema) }),
};

/** Shapes of the other server messages. */
const SERVER_OTHER: Record<string, z.ZodType> = {
  Error: loose({ message: z.string(), command: nstr }), // SES-ERR-1..4
  UserConnected: loose({ user: UserInfoSchema }), // SES-BC-1
  UserDisconnected: loose({ session_id: u32, nickname: z.string() }), // SES-BC-3
  UserUpdated: loose({ previous_username: z.string(), user: UserInfoSchema }), // ADM-UPDATE-16
  PermissionsUpdated: loose({
    is_admin: z.boolean(),
    permissions: z.array(z.string()),
    server_info: ServerInfoSchema.nullish(),
    chat_info: ChatInfoSchema.nullish(),
  }), // ADM-UPDATE-14
  ServerInfoUpdated: loose({ server_info: ServerInfoSchema }), // ADM-SINFO-10
};

const responseBase = loose({ success: z.boolean(), error: nstr });

/**
 * Checks a decoded server body against its type's shape. Lenient: unknown members pass,
 * optional members may be absent or null (WIRE-JSON-5). `body.type` must equal `type` (WIRE-JSON-2).
 */
export function parseServerBody(type: string, body: unknown): { ok: true } | { ok: false; issues: string[] } {
  if (!isServerType(type)) return { ok: false, issues: [`${type} is not a server message type`] };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, issues: ['body is not a JSON object'] };
  }
  const issues: string[] = [];
  const b = body as Record<string, unknown>;
  if (b.type !== type) issues.push(`type: expected ${JSON.stringify(type)}, got ${JSON.stringify(b.type)}`);

  const check = (schema: z.ZodType): void => {
    const r = schema.safeParse(b);
    if (!r.success) issues.push(...formatIssues(r.error.issues).split('; '));
  };
  const success = RESPONSE_SUCCESS[type];
  if (success) {
    const base = responseBase.safeParse(b);
    if (!base.success) {
      issues.push(...formatIssues(base.error.issues).split('; '));
    } else if (base.data.success) {
      check(success);
    } else if (typeof base.data.error !== 'string') {
      issues.push('error: required on failure'); // "If failure" in every seed response table
    }
  } else {
    check(SERVER_OTHER[type]!);
  }
  return issues.length === 0 ? { ok: true } : { ok: false, issues };
}
