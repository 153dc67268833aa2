// The comparator: is one frame the target sent an acceptable form of what the model predicts?
// It walks the model's message member by member and applies exactly the tolerances the spec grants
// (listed at each rule below); every difference is one precise line. Pure except for the learned
// facts (session id mapping, addresses, timestamps), which are returned, not stored, until the
// caller decides the frame matched (`compareMessage` commits them on a match).
import { classifyError, compareCodePoints, errorMatches, renderError, stripIsolation } from '../model/index.ts';
import type { Carrier, ErrorKey, ErrorParams, SendOutput, State } from '../model/index.ts';
import { isFreshServerId } from '../protocol/ids.ts';
import { parseServerBody } from '../protocol/messages.ts';
import type { MatchMode, Message, Profile } from '../protocol/types.ts';
import { maskBody } from './render.ts';
import { isLoopback, unmapIPv4 } from '../model/ip.ts';

// --- what the comparator learns while a run goes on ------------------------------------------------

/** Facts learned from one matching frame; committed with `SessionIdMap.apply`. */
export interface Learned {
  /** [target session id, model session id] */
  sessions: Array<[number, number]>;
  /** [model IP, IP the target reports for it] */
  addresses: Array<[string, string]>;
  /** [consistency key, unix seconds] */
  times: Array<[string, number]>;
}

export function noLearning(): Learned {
  return { sessions: [], addresses: [], times: [] };
}

/**
 * Target ↔ model correspondences. Session ids differ between a target and the model (SES-LR-2 says
 * not to assert values), so each target id is mapped onto the model id of the same session; IPs
 * the target reports for non-loopback harness addresses (NAT) are learned once and must stay the
 * same; timestamps must stay the same for the same session or account.
 */
export class SessionIdMap {
  private readonly targetToModel = new Map<number, number>();
  private readonly modelToTarget = new Map<number, number>();
  readonly addresses = new Map<string, string>();
  readonly times = new Map<string, number>();

  toModel(targetId: number): number | undefined {
    return this.targetToModel.get(targetId);
  }

  toTarget(modelId: number): number | undefined {
    return this.modelToTarget.get(modelId);
  }

  link(targetId: number, modelId: number): void {
    const oldModel = this.targetToModel.get(targetId);
    if (oldModel !== undefined) this.modelToTarget.delete(oldModel);
    const oldTarget = this.modelToTarget.get(modelId);
    if (oldTarget !== undefined) this.targetToModel.delete(oldTarget);
    this.targetToModel.set(targetId, modelId);
    this.modelToTarget.set(modelId, targetId);
  }

  apply(learned: Learned): void {
    for (const [t, m] of learned.sessions) this.link(t, m);
    for (const [m, o] of learned.addresses) this.addresses.set(m, o);
    for (const [k, v] of learned.times) this.times.set(k, v);
  }

  clear(): void {
    this.targetToModel.clear();
    this.modelToTarget.clear();
    this.addresses.clear();
    this.times.clear();
  }
}

export interface CompareContext {
  profile: Profile;
  match: MatchMode;
  ids: SessionIdMap;
  /** Unix seconds, for timestamp plausibility. */
  now: number;
  /**
   * Whether a username or nickname belongs to this run (run prefix, the admin). List entries of
   * other accounts are foreign: tolerated missing or extra. Absent: every name is the run's.
   */
  isOwnName?: (name: string) => boolean;
  /** The model after the step (not read by the comparison itself; kept for callers' judges). */
  model?: Readonly<State>;
}

/** The part of a received frame the comparator reads (`Received` of src/net/connection.ts fits). */
export interface ObservedFrame {
  message: Message | null;
  parseError?: string;
}

export interface MatchOutcome {
  differences: string[];
  learned: Learned;
}

// --- entry points -----------------------------------------------------------------------------------

/**
 * Compares without side effects. `accept.alternatives` are tried in turn; the first clean one wins,
 * otherwise the primary expectation's differences are returned. Shape issues of the observed body
 * (parseServerBody) are always reported.
 */
export function matchMessage(expected: SendOutput, observed: ObservedFrame, ctx: CompareContext): MatchOutcome {
  const msg = observed.message;
  if (msg === null) {
    return { differences: [`payload: ${observed.parseError ?? 'not a JSON object'}`], learned: noLearning() };
  }
  const shape = parseServerBody(msg.type, msg.body);
  const shapeIssues = shape.ok ? [] : shape.issues.map((i) => `shape: ${i}`);

  const locales = expected.accept?.anyLocaleOf ?? [];
  const primary = compareOne({ message: expected.message, error: expected.error, locales }, msg, ctx);
  if (primary.differences.length === 0) return withShape(primary, shapeIssues);
  for (const alt of expected.accept?.alternatives ?? []) {
    const message: Message = { type: alt.type, id: expected.message.id, body: alt.body };
    const outcome = compareOne({ message, error: alternativeError(expected, message), locales }, msg, ctx);
    if (outcome.differences.length === 0) return withShape(outcome, shapeIssues);
  }
  return withShape(primary, shapeIssues);
}

/** Compares and, when the frame matches, commits what it taught (session ids, addresses, times). */
export function compareMessage(expected: SendOutput, observed: ObservedFrame, ctx: CompareContext): string[] {
  const outcome = matchMessage(expected, observed, ctx);
  if (outcome.differences.length === 0) ctx.ids.apply(outcome.learned);
  return outcome.differences;
}

function withShape(outcome: MatchOutcome, shapeIssues: string[]): MatchOutcome {
  return shapeIssues.length === 0 ? outcome : { ...outcome, differences: [...shapeIssues, ...outcome.differences] };
}

// --- one candidate ------------------------------------------------------------------------------------

interface Candidate {
  message: Message;
  error: ErrorSpec | undefined;
  /** UND-14: aggregated entries whose locale may be any of their sessions' (SendAccept.anyLocaleOf). */
  locales: NonNullable<NonNullable<SendOutput['accept']>['anyLocaleOf']>;
}

/** An expected error: the model's annotation, or one read off an alternative's text. */
interface ErrorSpec {
  key: ErrorKey;
  params: ErrorParams;
  carriers: Carrier[];
  command?: string;
  /** The exact text an alternative carries (its key may not be the model's). */
  rendered?: string;
}

interface Walk {
  ctx: CompareContext;
  type: string;
  diffs: string[];
  learned: Learned;
  /** LoginResponse and UserConnected introduce new sessions: unknown ids may be learned there. */
  mayLearnIds: boolean;
  locales: Candidate['locales'];
}

function compareOne(cand: Candidate, obs: Message, ctx: CompareContext): MatchOutcome {
  const w: Walk = {
    ctx,
    type: obs.type,
    diffs: [],
    learned: noLearning(),
    mayLearnIds: obs.type === 'LoginResponse' || obs.type === 'UserConnected',
    locales: cand.locales,
  };
  if (cand.error) compareError(cand.message, cand.error, obs, w);
  else compareRegular(cand.message, obs, w);
  return { differences: w.diffs, learned: w.learned };
}

function compareRegular(exp: Message, obs: Message, w: Walk): void {
  if (obs.type !== exp.type) {
    w.diffs.push(`type: expected ${exp.type} got ${obs.type}`);
    return;
  }
  checkId(exp, obs, isDirectAnswer(exp.type), w);
  compareObject(exp.body, obs.body, '', w, exp.type);
}

/** Direct answers echo the request id (WIRE-ID-2); everything else is server-initiated (WIRE-ID-3). */
function isDirectAnswer(type: string): boolean {
  return type.endsWith('Response');
}

function checkId(exp: Message, obs: Message, direct: boolean, w: Walk): void {
  if (direct) {
    if (obs.id !== exp.id) w.diffs.push(`id: expected the request id ${exp.id} echoed byte for byte got ${obs.id} (WIRE-ID-2)`);
  } else if (!isFreshServerId(obs.id)) {
    w.diffs.push(`id: expected a fresh id of 12 lower-case hex digits got ${obs.id} (WIRE-ID-3)`);
  }
}

// --- errors -------------------------------------------------------------------------------------------

/** Carriers as the wire shows them: a typed response, a HandshakeResponse, or an Error frame. */
type SeenCarrier = 'T' | 'H' | 'Error';

function allowedCarriers(spec: ErrorSpec, match: MatchMode): Set<Carrier> {
  const allowed = new Set(spec.carriers);
  // README §Error-string profiles: `lenient` accepts either carrier message (GEN-4).
  if (match === 'lenient') {
    if (allowed.has('T')) allowed.add('E');
    if (allowed.has('E') || allowed.has('E!')) allowed.add('T');
  }
  return allowed;
}

function describeCarriers(allowed: Set<Carrier>, typedType: string | undefined): string {
  const names = [...allowed].map((c) =>
    c === 'T' ? (typedType ?? 'typed response') : c === 'H' ? 'HandshakeResponse' : c === 'N' ? 'Error notice' : `Error (${c})`,
  );
  return [...new Set(names)].join(' or ');
}

function compareError(exp: Message, spec: ErrorSpec, obs: Message, w: Walk): void {
  const { ctx } = w;
  const typedType = exp.type !== 'Error' ? exp.type : spec.command !== undefined ? `${spec.command}Response` : undefined;
  let seen: SeenCarrier;
  if (obs.type === 'Error') seen = 'Error';
  else if (obs.type === typedType) seen = typedType === 'HandshakeResponse' ? 'H' : 'T';
  else if (obs.type === 'HandshakeResponse' && spec.carriers.includes('H')) seen = 'H';
  else {
    const allowed = allowedCarriers(spec, ctx.match);
    w.diffs.push(`carrier: expected ${spec.key} in ${describeCarriers(allowed, typedType)} got ${obs.type} ${summarise(obs.body)}`);
    return;
  }

  const allowed = allowedCarriers(spec, ctx.match);
  const ok = seen === 'Error' ? allowed.has('E') || allowed.has('E!') || allowed.has('N') : allowed.has(seen);
  if (!ok) w.diffs.push(`carrier: expected ${spec.key} in ${describeCarriers(allowed, typedType)} got ${obs.type}`);

  const field = seen === 'Error' ? 'message' : 'error';
  const text = obs.body[field];
  if (typeof text !== 'string') {
    w.diffs.push(`${field}: expected the text of ${spec.key} got ${show(text)}`);
  } else if (!errorTextMatches(text, spec, ctx)) {
    const expectedText = spec.rendered ?? renderError(spec.key, spec.params, ctx.profile);
    const classified = classifyError(text);
    w.diffs.push(
      `${field}: expected ${spec.key} ${JSON.stringify(stripIsolation(expectedText))} (${ctx.match} match) got ` +
        `${JSON.stringify(stripIsolation(text))}${classified.length > 0 ? ` (classified as ${classified.join(', ')})` : ' (no known error)'}`,
    );
  }

  if (seen !== 'Error' && obs.body.success !== false) {
    w.diffs.push(`success: expected false got ${show(obs.body.success)}`);
  }
  // SES-ERR-1..4: hard and soft errors name the request type; framing errors and removal notices
  // other than a kick carry none.
  if (seen === 'Error') {
    const command = obs.body.command ?? undefined;
    if (command !== spec.command) {
      w.diffs.push(`command: expected ${spec.command === undefined ? 'absent' : JSON.stringify(spec.command)} got ${show(command)}`);
    }
  }
  const notice = spec.carriers[0] === 'N';
  checkId(exp, obs, !notice && spec.command !== undefined, w);
}

function errorTextMatches(text: string, spec: ErrorSpec, ctx: CompareContext): boolean {
  if (spec.rendered === undefined) return errorMatches(text, spec.key, spec.params, ctx.profile, ctx.match);
  // An alternative's own text: exact in `exact`; by key (shared candidates) otherwise.
  const plain = stripIsolation(text);
  if (plain === stripIsolation(spec.rendered)) return true;
  if (ctx.match === 'exact') return false;
  const wanted = classifyError(spec.rendered);
  return classifyError(plain).some((k) => wanted.includes(k));
}

/** The error an alternative stands for, if it is one (an Error frame or a `success:false` response). */
function alternativeError(expected: SendOutput, alt: Message): ErrorSpec | undefined {
  const isError = alt.type === 'Error' || alt.body.success === false;
  if (!isError) return undefined;
  const text = alt.type === 'Error' ? alt.body.message : alt.body.error;
  if (typeof text !== 'string') return undefined;
  const carrier: Carrier = alt.type === 'Error' ? 'E' : alt.type === 'HandshakeResponse' ? 'H' : 'T';
  const command =
    alt.type === 'Error'
      ? typeof alt.body.command === 'string'
        ? alt.body.command
        : undefined
      : alt.type.replace(/Response$/, '');
  const base = expected.error;
  const keys = classifyError(text);
  const key = base && keys.includes(base.key) ? base.key : (keys[0] ?? base?.key ?? 'E-UNKNOWN');
  const spec: ErrorSpec = {
    key,
    params: base && key === base.key ? base.params : {},
    carriers: [carrier],
    rendered: text,
  };
  if (command !== undefined) spec.command = command;
  return spec;
}

// --- members ------------------------------------------------------------------------------------------

/** Optional members whose absence in the model means "must be absent or null" (WIRE-JSON-5). */
const MUST_BE_ABSENT = new Set(['error', 'status', 'avatar', 'addresses', 'command']);

function isNil(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function show(v: unknown): string {
  if (v === undefined) return 'absent';
  return JSON.stringify(maskBody(v));
}

function summarise(body: Record<string, unknown>): string {
  const s = show(body);
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}

/**
 * Member-by-member comparison of an expected object with the observed one. Only the model's members
 * are compared: unknown extra members are ignored (WIRE-JSON-3, SES-LR-7, CM-6), except optional
 * members the model knows to be empty.
 */
function compareObject(
  exp: Record<string, unknown>,
  obs: Record<string, unknown>,
  path: string,
  w: Walk,
  owner: string,
): void {
  for (const [key, e] of Object.entries(exp)) {
    if (key === 'type' && path === '') continue; // checked by the shape (WIRE-JSON-2)
    compareMember(key, e, obs[key], join(path, key), w, owner, exp);
  }
  for (const key of MUST_BE_ABSENT) {
    if (key in exp) continue;
    if (key === 'addresses' || key === 'status' || key === 'avatar') {
      if (!('username' in exp)) continue; // only user entries carry these
    }
    if (key === 'command' && owner !== 'Error') continue;
    if (key === 'error' && !('success' in exp)) continue;
    if (!isNil(obs[key])) w.diffs.push(`${join(path, key)}: expected absent got ${show(obs[key])}`);
  }
  // USR-INFO-7 [DIVERGENT]: `spec` shows `is_admin` in UserInfoDetailed to admin requesters only.
  if (owner === 'UserInfoResponse.user' && !('is_admin' in exp) && !isNil(obs.is_admin)) {
    w.diffs.push(`${join(path, 'is_admin')}: expected absent (requester is not admin, USR-INFO-7) got ${show(obs.is_admin)}`);
  }
}

function compareMember(
  key: string,
  e: unknown,
  o: unknown,
  path: string,
  w: Walk,
  owner: string,
  parent: Record<string, unknown>,
): void {
  const ctx = w.ctx;
  // SES-SI-3: ServerInfo.version is the software version, not the model's.
  if (owner === 'server_info' && key === 'version') return;
  // SES-SI-7: "", null and absence all mean "no image".
  if (owner === 'server_info' && key === 'image') {
    const norm = (v: unknown): unknown => (isNil(v) || v === '' ? '' : v);
    if (norm(e) !== norm(o)) w.diffs.push(`${path}: expected ${show(e)} got ${show(o)} ("", null and absent are alike)`);
    return;
  }
  // SES-SI: every ServerInfo member is optional on the wire. LoginResponse (SES-LR-5) may leave
  // members out; ServerInfoUpdated carries the complete ServerInfo (ADM-SINFO-10).
  if (owner === 'server_info' && w.type === 'LoginResponse' && isNil(o)) return;
  // SES-LR-6: chat_info is optional; compared only when both sides carry it.
  if (key === 'chat_info') {
    if (isNil(e) || isNil(o)) return;
    return compareValue(e, o, path, w, 'chat_info');
  }
  // ADM-UPDATE-14: PermissionsUpdated.server_info may be partial or (lenient) absent; extra ones are not errors.
  if (key === 'server_info' && owner === 'PermissionsUpdated') {
    if (isNil(e)) return;
    if (isNil(o)) {
      if (ctx.match !== 'lenient') w.diffs.push(`${path}: expected ${show(e)} got absent (ADM-UPDATE-14)`);
      return;
    }
    if (!isObject(o) || !isObject(e)) return compareValue(e, o, path, w, 'server_info');
    // `spec`: the seeds give the member as the server info (admin.md §PermissionsUpdated), so the
    // model's full ServerInfo is compared; `nexusd` sends a partial one (max_connections_per_ip only).
    if (ctx.profile === 'spec' && ctx.match !== 'lenient') return compareObject(e, o, path, w, 'server_info');
    const present = Object.fromEntries(Object.entries(e).filter(([k]) => k in o));
    return compareObject(present, o, path, w, 'server_info');
  }

  // WIRE-JSON-5: absent and null are alike.
  if (isNil(e)) {
    if (!isNil(o)) w.diffs.push(`${path}: expected ${e === null ? 'null' : 'absent'} got ${show(o)}`);
    return;
  }
  // USR-LIST-4: stored account entries (no sessions) may leave away members out or false.
  if (key === 'is_away' && e === false && isNil(o) && Array.isArray(parent.session_ids) && parent.session_ids.length === 0) {
    return;
  }
  if (isNil(o)) {
    w.diffs.push(`${path}: expected ${show(e)} got absent`);
    return;
  }

  switch (key) {
    case 'session_id':
      return compareSessionId(e, o, path, w);
    case 'session_ids':
      return compareSessionIds(e, o, path, w);
    case 'login_time':
    case 'created_at':
      return compareTimestamp(o, path, w, timeKey(key, parent, w.type));
    case 'permissions':
      // ADM-UPDATE-14, ADM-EDIT-6: an admin's stored names are irrelevant (GEN-5), except LoginResponse (SES-LR-3).
      if (parent.is_admin === true && owner !== 'LoginResponse') return;
      return compareStringSet(e, o, path, w, 'GEN-8');
    case 'features':
      return compareStringSet(e, o, path, w, 'USR-INFO-6');
    case 'addresses':
      return compareAddresses(e, o, path, w);
    case 'ip':
      return compareIp(e, o, path, w, 'CM-5');
    case 'users':
    case 'connections':
      return compareList(e, o, path, w, key);
    case 'locale':
      return compareLocale(e, o, path, w, parent);
    case 'username':
    case 'nickname':
      // SES-BC-1: UserConnected may carry the name as typed at Login; compare case-insensitively.
      if (w.type === 'UserConnected' && typeof e === 'string' && typeof o === 'string') {
        if (e.toLowerCase() !== o.toLowerCase()) w.diffs.push(`${path}: expected ${show(e)} got ${show(o)} (case-insensitive, SES-BC-1)`);
        return;
      }
      break;
  }
  const childOwner = key === 'user' ? `${owner}.user` : key === 'server_info' ? 'server_info' : key;
  compareValue(e, o, path, w, childOwner);
}

function compareValue(e: unknown, o: unknown, path: string, w: Walk, owner: string): void {
  if (isObject(e)) {
    if (!isObject(o)) {
      w.diffs.push(`${path}: expected an object got ${show(o)}`);
      return;
    }
    compareObject(e, o, path, w, owner);
    return;
  }
  if (Array.isArray(e)) {
    if (!Array.isArray(o) || o.length !== e.length || e.some((x, i) => JSON.stringify(x) !== JSON.stringify(o[i]))) {
      w.diffs.push(`${path}: expected ${show(e)} got ${show(o)}`);
    }
    return;
  }
  if (e !== o) w.diffs.push(`${path}: expected ${show(e)} got ${show(o)}`);
}

// --- session ids --------------------------------------------------------------------------------------

function learnedModelOf(w: Walk, targetId: number): number | undefined {
  const l = w.learned.sessions.find(([t]) => t === targetId);
  return l ? l[1] : w.ctx.ids.toModel(targetId);
}

function modelIdIsTaken(w: Walk, modelId: number): boolean {
  return w.ctx.ids.toTarget(modelId) !== undefined || w.learned.sessions.some(([, m]) => m === modelId);
}

function isSessionIdValue(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 4_294_967_295;
}

function compareSessionId(e: unknown, o: unknown, path: string, w: Walk): void {
  if (!isSessionIdValue(o)) {
    w.diffs.push(`${path}: expected a session id (u32 > 0) got ${show(o)}`);
    return;
  }
  const mapped = learnedModelOf(w, o);
  if (mapped === e) return;
  if (mapped === undefined && typeof e === 'number' && w.mayLearnIds && !modelIdIsTaken(w, e)) {
    w.learned.sessions.push([o, e]); // a session the model just created (LoginResponse / UserConnected)
    return;
  }
  w.diffs.push(`${path}: expected ${show(e)} got ${mapped === undefined ? `unknown session (target id ${o})` : String(mapped)}`);
}

/** `session_ids` are a set (order unspecified), mapped target → model. */
function compareSessionIds(e: unknown, o: unknown, path: string, w: Walk): void {
  if (!Array.isArray(e)) return compareValue(e, o, path, w, 'session_ids');
  if (!Array.isArray(o) || !o.every(isSessionIdValue)) {
    w.diffs.push(`${path}: expected a list of session ids got ${show(o)}`);
    return;
  }
  const expected = (e as number[]).slice().sort((a, b) => a - b);
  const mapped = o.map((t) => learnedModelOf(w, t));
  const unknownTargets = o.filter((_, i) => mapped[i] === undefined);
  const unmatchedModel = expected.filter((m) => !mapped.includes(m));
  if (w.mayLearnIds && unknownTargets.length === 1 && unmatchedModel.length === 1 && !modelIdIsTaken(w, unmatchedModel[0]!)) {
    w.learned.sessions.push([unknownTargets[0]!, unmatchedModel[0]!]);
    return;
  }
  const got = o
    .map((t, i) => (mapped[i] === undefined ? `target#${t}` : String(mapped[i])))
    .sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  if (unknownTargets.length > 0 || got.length !== expected.length || got.some((g, i) => g !== String(expected[i]))) {
    w.diffs.push(`${path}: expected [${expected.join(', ')}] got [${got.join(', ')}]`);
  }
}

// --- timestamps ---------------------------------------------------------------------------------------

/** Same session (or account creation) → the same timestamp every time it is reported. */
function timeKey(key: string, parent: Record<string, unknown>, type: string): string | null {
  const username = typeof parent.username === 'string' ? parent.username.toLowerCase() : null;
  if (key === 'created_at') return username === null ? null : `created:${username}`;
  const ids = parent.session_ids;
  if (Array.isArray(ids) && ids.length > 0) return `login:${[...ids].sort((a, b) => Number(a) - Number(b)).join(',')}`;
  // USR-LIST-4: `all:true` reports the creation time as login_time for accounts without sessions.
  if (Array.isArray(ids) && type === 'UserListResponse' && username !== null) return `created:${username}`;
  return null;
}

const A_DAY = 86_400;

function compareTimestamp(o: unknown, path: string, w: Walk, key: string | null): void {
  if (typeof o !== 'number' || !Number.isInteger(o) || o < 0) {
    w.diffs.push(`${path}: expected a unix timestamp (non-negative integer) got ${show(o)}`);
    return;
  }
  if (o > w.ctx.now + A_DAY) {
    w.diffs.push(`${path}: ${o} lies in the future (now ${w.ctx.now}); expected unix seconds`);
    return;
  }
  if (key === null) return;
  const prev = w.learned.times.find(([k]) => k === key)?.[1] ?? w.ctx.ids.times.get(key);
  if (prev === undefined) w.learned.times.push([key, o]);
  else if (prev !== o) w.diffs.push(`${path}: ${o} differs from ${prev} reported earlier for the same ${key.split(':')[0] === 'created' ? 'account' : 'session'}`);
}

// --- sets, addresses, locales ---------------------------------------------------------------------------

function compareStringSet(e: unknown, o: unknown, path: string, w: Walk, rule: string): void {
  if (!Array.isArray(e)) return compareValue(e, o, path, w, path);
  if (!Array.isArray(o) || !o.every((x) => typeof x === 'string')) {
    w.diffs.push(`${path}: expected a list of names got ${show(o)}`);
    return;
  }
  const want = new Set(e as string[]);
  const got = new Set(o as string[]);
  const missing = [...want].filter((x) => !got.has(x)).sort();
  const extra = [...got].filter((x) => !want.has(x)).sort();
  if (missing.length > 0 || extra.length > 0) {
    const parts = [];
    if (missing.length > 0) parts.push(`missing ${missing.join(', ')}`);
    if (extra.length > 0) parts.push(`extra ${extra.join(', ')}`);
    w.diffs.push(`${path}: expected {${[...want].sort().join(', ')}} got {${[...got].sort().join(', ')}}: ${parts.join('; ')} (compared as sets, ${rule})`);
  }
}

/** The IP part of an address: no port, no brackets, no `::ffff:` prefix (CM-5, USR-INFO-8). */
export function ipPart(address: string): string {
  let s = address.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  s = s.toLowerCase();
  return unmapIPv4(s);
}

function ipMatches(e: string, o: string, w: Walk): boolean {
  const want = ipPart(e);
  const got = ipPart(o);
  if (want === got) return true;
  const alias = w.learned.addresses.find(([m]) => m === want)?.[1] ?? w.ctx.ids.addresses.get(want);
  if (alias !== undefined) return alias === got;
  // Behind NAT the target sees another address for the harness than its local one; learn it once.
  if (!isLoopback(want)) {
    w.learned.addresses.push([want, got]);
    return true;
  }
  return false;
}

function compareIp(e: unknown, o: unknown, path: string, w: Walk, rule: string): void {
  if (typeof e !== 'string' || typeof o !== 'string') return compareValue(e, o, path, w, path);
  if (!ipMatches(e, o, w)) {
    w.diffs.push(`${path}: expected ${show(e)} got ${show(o)} (IP part compared, ::ffff: stripped, ${rule})`);
    return;
  }
  // CM-5 `spec`: the seeds state the form as a rule ("IP addresses are shown in their canonical form
  // (IPv4-mapped IPv6 for IPv4 addresses)", connection-monitor.md §Notes), so the form is checked
  // too; only `nexusd` (listener-dependent) and `lenient` take either form.
  if (rule === 'CM-5' && w.ctx.profile === 'spec' && w.ctx.match !== 'lenient' && !sameAddressForm(e, o)) {
    w.diffs.push(`${path}: expected the canonical form ${show(e)} got ${show(o)} (IPv4 peers as ::ffff:a.b.c.d, no port, ${rule})`);
  }
}

/** Same textual form: mapped IPv4 or not, and no port or brackets (hex digits in any case). */
function sameAddressForm(e: string, o: string): boolean {
  const mapped = (s: string): boolean => /^::ffff:\d{1,3}(\.\d{1,3}){3}$/i.test(s);
  const withPort = /^\[.*\](:\d+)?$|^\d{1,3}(\.\d{1,3}){3}:\d+$|^::ffff:\d{1,3}(\.\d{1,3}){3}:\d+$/i;
  return mapped(e) === mapped(o) && !withPort.test(o);
}

function compareAddresses(e: unknown, o: unknown, path: string, w: Walk): void {
  if (!Array.isArray(e) || !e.every((x) => typeof x === 'string')) return compareValue(e, o, path, w, path);
  if (!Array.isArray(o) || !o.every((x) => typeof x === 'string')) {
    w.diffs.push(`${path}: expected a list of addresses got ${show(o)}`);
    return;
  }
  const left = [...(o as string[])];
  let ok = left.length === e.length;
  for (const want of e as string[]) {
    const i = left.findIndex((got) => ipMatches(want, got, w));
    if (i < 0) ok = false;
    else left.splice(i, 1);
  }
  if (!ok) w.diffs.push(`${path}: expected ${show(e)} got ${show(o)} (IP parts compared as a set, USR-INFO-8)`);
}

/** UND-14: an aggregated entry may show the locale of any of its sessions (SendAccept.anyLocaleOf). */
function compareLocale(e: unknown, o: unknown, path: string, w: Walk, parent: Record<string, unknown>): void {
  if (e === o) return;
  const ids = parent.session_ids;
  if (Array.isArray(ids) && ids.length > 1) {
    const key = [...ids].map(Number).sort((a, b) => a - b).join(',');
    const allowed = w.locales.find((l) => l.sessionIds.join(',') === key)?.locales ?? [];
    if (typeof o === 'string' && allowed.includes(o)) return;
    if (allowed.length > 1) {
      w.diffs.push(`${path}: expected the locale of one of its sessions ${allowed.map((l) => JSON.stringify(l)).join(' or ')} got ${show(o)} (UND-14)`);
      return;
    }
  }
  w.diffs.push(`${path}: expected ${show(e)} got ${show(o)}`);
}

// --- lists --------------------------------------------------------------------------------------------

function entryName(v: unknown, key: 'nickname' | 'username'): string {
  return isObject(v) && typeof v[key] === 'string' ? v[key] : '';
}

function entryKey(v: unknown): string {
  return `${entryName(v, 'nickname').toLowerCase()}\u0000${entryName(v, 'username').toLowerCase()}`;
}

function describeEntry(v: unknown): string {
  return `{nickname ${JSON.stringify(entryName(v, 'nickname'))}, username ${JSON.stringify(entryName(v, 'username'))}}`;
}

function isOwnEntry(v: unknown, ctx: CompareContext): boolean {
  if (!ctx.isOwnName) return true;
  return ctx.isOwnName(entryName(v, 'username')) || ctx.isOwnName(entryName(v, 'nickname'));
}

/** A stored-account entry (USR-LIST-4): no live sessions; stable, so never tolerated missing. */
function isAccountEntry(v: unknown): boolean {
  return isObject(v) && Array.isArray(v.session_ids) && v.session_ids.length === 0;
}

/** Members of a foreign entry that cannot change under our feet (its sessions may come and go). */
const STABLE_MEMBERS = ['username', 'nickname', 'is_admin', 'is_shared'];

/**
 * UserList / ConnectionMonitor arrays: sorted by lower-cased nickname (USR-LIST-5, CM-4; ties
 * unspecified), entries paired by nickname and username. Entries of foreign accounts — sessions of
 * strangers, accounts created by others during the run — may be missing or extra; when present on
 * both sides only their stable members are compared.
 */
function compareList(e: unknown, o: unknown, path: string, w: Walk, key: 'users' | 'connections'): void {
  if (!Array.isArray(e)) return compareValue(e, o, path, w, key);
  if (!Array.isArray(o)) {
    w.diffs.push(`${path}: expected a list got ${show(o)}`);
    return;
  }
  for (let i = 1; i < o.length; i++) {
    const a = entryName(o[i - 1], 'nickname').toLowerCase();
    const b = entryName(o[i], 'nickname').toLowerCase();
    if (compareCodePoints(a, b) > 0) {
      w.diffs.push(`${path}: not sorted by lower-cased nickname: ${JSON.stringify(a)} before ${JSON.stringify(b)} (${key === 'users' ? 'USR-LIST-5' : 'CM-4'})`);
      break;
    }
  }
  const owner = key === 'users' ? `${w.type}.users` : `${w.type}.connections`;
  const used = new Set<number>();
  for (const want of e) {
    const own = isOwnEntry(want, w.ctx);
    const candidates = o.map((_, i) => i).filter((i) => !used.has(i) && entryKey(o[i]) === entryKey(want));
    if (candidates.length === 0) {
      if (own || isAccountEntry(want)) w.diffs.push(`${path}: missing entry ${describeEntry(want)}`);
      continue;
    }
    let chosen: { index: number; walk: Walk } | undefined;
    for (const i of candidates) {
      const sub: Walk = { ...w, diffs: [], learned: cloneLearned(w.learned) };
      const label = `${path}[${describeEntry(want)}]`;
      if (own) compareValue(want, o[i], label, sub, owner);
      else compareStable(want, o[i], label, sub);
      if (sub.diffs.length === 0) {
        chosen = { index: i, walk: sub };
        break;
      }
      chosen ??= { index: i, walk: sub };
    }
    used.add(chosen!.index);
    w.diffs.push(...chosen!.walk.diffs);
    w.learned = chosen!.walk.learned;
  }
  o.forEach((got, i) => {
    if (!used.has(i) && isOwnEntry(got, w.ctx)) w.diffs.push(`${path}: unexpected entry ${describeEntry(got)}`);
  });
}

function compareStable(want: unknown, got: unknown, path: string, w: Walk): void {
  if (!isObject(want) || !isObject(got)) return compareValue(want, got, path, w, path);
  for (const k of STABLE_MEMBERS) {
    if (k in want && want[k] !== got[k]) w.diffs.push(`${join(path, k)}: expected ${show(want[k])} got ${show(got[k])}`);
  }
}

function cloneLearned(l: Learned): Learned {
  return { sessions: [...l.sessions], addresses: [...l.addresses], times: [...l.times] };
}

/** Rewrites target session ids to the model's in an observed body (Observed of api.ts). */
export function mapSessionIds(value: unknown, ids: SessionIdMap, key?: string): unknown {
  if (key === 'session_id' && typeof value === 'number') return ids.toModel(value) ?? value;
  if (key === 'session_ids' && Array.isArray(value)) {
    return value.map((v) => (typeof v === 'number' ? (ids.toModel(v) ?? v) : v));
  }
  if (Array.isArray(value)) return value.map((v) => mapSessionIds(v, ids));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapSessionIds(v, ids, k)]));
  }
  return value;
}
