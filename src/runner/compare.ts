// The comparator: is one frame the target sent an acceptable form of what the model predicts?
// It walks the model's message member by member (members.ts) and applies exactly the tolerances
// the spec grants (the table of tolerances.ts, each entry with its rule id); every difference is
// one precise line. Pure except for the learned facts (session id mapping, addresses, timestamps,
// session-ids.ts), which are returned, not stored, until the caller decides the frame matched
// (`compareMessage` commits them on a match).
import { classifyError, errorMatches, renderError, stripIsolation } from '../model/index.ts';
import type { Carrier, ErrorKey, ErrorParams, SendOutput, State } from '../model/index.ts';
import { isFreshServerId } from '../protocol/ids.ts';
import { parseServerBody } from '../protocol/messages.ts';
import type { MatchMode, Message, Profile } from '../protocol/types.ts';
import type { Walk } from './members.ts';
import { compareObject, show } from './members.ts';
import { noLearning, type Learned, type SessionIdMap } from './session-ids.ts';
import { allowedCarriers } from './tolerances.ts';

export { mapSessionIds, noLearning, SessionIdMap, type Learned } from './session-ids.ts';
export { ipPart } from './member-values.ts';

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
  /** Foreign names whose stored accounts may vanish at any time (the run's other lanes): tolerated missing too. */
  isTransientName?: (name: string) => boolean;
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
  const shapeIssues = shapeIssuesOf(msg);

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

/** An observed message's shape issues (parseServerBody), once per message: one frame is matched against several expectations and outcomes. */
const shapes = new WeakMap<Message, readonly string[]>();

function shapeIssuesOf(msg: Message): readonly string[] {
  let issues = shapes.get(msg);
  if (issues === undefined) {
    const shape = parseServerBody(msg.type, msg.body);
    issues = shape.ok ? [] : shape.issues.map((i) => `shape: ${i}`);
    shapes.set(msg, issues);
  }
  return issues;
}

function withShape(outcome: MatchOutcome, shapeIssues: readonly string[]): MatchOutcome {
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

function compareOne(cand: Candidate, obs: Message, ctx: CompareContext): MatchOutcome {
  const w: Walk = {
    ctx,
    type: obs.type,
    diffs: [],
    learned: noLearning(),
    // A UserDisconnected with an id nothing taught yet can only match a session whose id is still
    // unknown: its own, read before its LoginResponse (WIRE-ORD-3; arrivals.ts ownLogoutAhead).
    mayLearnIds: obs.type === 'LoginResponse' || obs.type === 'UserConnected' || obs.type === 'UserDisconnected',
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
    const allowed = allowedCarriers(spec.carriers, ctx.match);
    w.diffs.push(`carrier: expected ${spec.key} in ${describeCarriers(allowed, typedType)} got ${obs.type} ${summarise(obs.body)}`);
    return;
  }

  const allowed = allowedCarriers(spec.carriers, ctx.match);
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

/**
 * Whether an observed error text carries the expected error under the profile and match mode: the
 * one decision, used by the comparison here and by `Reply.expectError` (harness-actor.ts).
 */
export function errorTextMatches(
  text: string,
  spec: Pick<ErrorSpec, 'key' | 'params' | 'rendered'>,
  ctx: Pick<CompareContext, 'profile' | 'match'>,
): boolean {
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
    alt.type === 'Error' ? (typeof alt.body.command === 'string' ? alt.body.command : undefined) : alt.type.replace(/Response$/, '');
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

function summarise(body: Record<string, unknown>): string {
  const s = show(body);
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}
