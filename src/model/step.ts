// The reference model's single entry point: step(state, event) → {state, outputs}. Pure: the input
// state is never mutated (the Ctx copies what an event changes and shares the rest), time comes in with the event, fresh ids
// come from the state's seed. Sequencing is wire.md §10; per-message rules live in the handlers.
// Where a handler reaches an [UNDETERMINED] point (Ctx.choose), the event is run again from the same
// input state once per other option, and those runs come back as `alternatives`.
import { decodeClientFrame, readClientJson, type OpenDecoding } from '../protocol/messages.ts';
import type { ConnId, RawFrame } from '../protocol/types.ts';
import { isClientType, isTransferPortType } from '../protocol/types.ts';
import { Ctx } from './ctx.ts';
import type { ChoicePoint, Choices, Request } from './ctx.ts';
import { renderError } from './errors.ts';
import type { CloseOutput, CloseReason, Event, Output, StepAlternative, StepResult } from './events.ts';
import { HANDLERS } from './messages/index.ts';
import { handshake } from './session/handshake.ts';
import { login } from './session/login.ts';
import type { Connection, State } from './state.ts';
import { cloneData } from './state.ts';
import { unmapIPv4 } from './ip.ts';
import type { ViewCache } from './view-cache.ts';

export interface StepOptions {
  /** Options to take at choice points instead of the reference's (a server variant, tests). */
  choices?: Choices;
  /** false: do not compute `alternatives` (the reference server never reads them). Default true. */
  alternatives?: boolean;
  /**
   * Memoised views (view-cache.ts), for a caller that never changes a state in place: the
   * reference server. Outputs may then share view objects (a UserList's `users`) between steps.
   */
  views?: ViewCache;
}

/** Upper bound on the outcomes of one event (every choice point multiplies them). */
const MAX_OUTCOMES = 16;

export function step(state: State, event: Event, opts: StepOptions = {}): StepResult<State> {
  const first = run(state, event, opts.choices ?? {}, opts.views);
  if (first.choices.length === 0) return { state: first.state, outputs: first.outputs };
  if (opts.alternatives === false) return { state: first.state, outputs: first.outputs, label: labelOf(first.choices) };
  // Depth-first over the choice points: every point a run reached is tried with each other option
  // (the points before it keep their options, later ones start at the reference's again).
  const runs = [first];
  const seen = new Set([assignment(first.choices)]);
  for (let i = 0; i < runs.length && runs.length < MAX_OUTCOMES; i++) {
    const r = runs[i]!;
    for (const [at, made] of r.choices.entries()) {
      for (const option of made.point.options) {
        if (option.value === made.value || runs.length >= MAX_OUTCOMES) continue;
        const forced: Record<string, string> = { ...r.forced };
        for (const earlier of r.choices.slice(0, at)) forced[earlier.point.id] = earlier.value;
        forced[made.point.id] = option.value;
        const next = run(state, event, forced, opts.views);
        const key = assignment(next.choices);
        if (seen.has(key)) continue;
        seen.add(key);
        runs.push(next);
      }
    }
  }
  const alternatives: Array<StepAlternative<State>> = runs.slice(1).map((r) => ({
    state: r.state,
    outputs: r.outputs,
    rules: [...new Set(r.choices.flatMap((c) => c.point.rules))],
    label: labelOf(r.choices),
  }));
  return { state: first.state, outputs: first.outputs, label: labelOf(first.choices), alternatives };
}

interface Run {
  state: State;
  outputs: Output[];
  forced: Choices;
  choices: Ctx['choices'];
}

/** One run of `event` over a copy-on-write view of `state` (ctx.ts), taking `forced` options at choice points. */
function run(state: State, event: Event, forced: Choices, views?: ViewCache): Run {
  const ctx = new Ctx(state, event.now, forced, views);
  switch (event.kind) {
    case 'connect':
      onConnect(ctx, event.conn, event.ip, event.port);
      break;
    case 'frame':
      onFrame(ctx, event.conn, event.frame);
      break;
    case 'malformed':
      // wire.md §7: every framing failure is answered alike.
      abort(ctx, event.conn, 'malformed', ['SES-ERR-1', event.error.rule]);
      break;
    case 'timeout':
      abort(ctx, event.conn, 'timeout', ['SES-ERR-1', 'WIRE-TMO-1', 'WIRE-TMO-2']);
      break;
    case 'close':
      onClose(ctx, event.conn);
      break;
    case 'foreign-login': {
      // The harness reports a stranger it saw log in on the target; the model only records it.
      const s = event.session;
      if (event.account) ctx.putAccount(s.accountKey, cloneData(event.account));
      ctx.putSession({ ...cloneData(s), conn: null, loginSeq: ctx.state.nextLoginSeq++ });
      ctx.state.nextSessionId = Math.max(ctx.state.nextSessionId, s.id + 1);
      break;
    }
    case 'foreign-logout':
      ctx.removeSession(event.sessionId);
      break;
  }
  applyCloses(ctx);
  return { state: ctx.state, outputs: ctx.outputs, forced, choices: ctx.choices };
}

function assignment(choices: Ctx['choices']): string {
  return choices.map((c) => `${c.point.id}=${c.value}`).join('&');
}

function labelOf(choices: Ctx['choices']): string {
  return choices
    .map((c) => `${c.point.id.split(':')[0]}: ${c.point.options.find((o) => o.value === c.value)?.label ?? c.value}`)
    .join('; ');
}

// --- connect: WIRE-IP-1 -----------------------------------------------------------------------

/** UND-12 reference choice: an IPv4 peer and its IPv4-mapped IPv6 form count as one address. */
export const ipKey = unmapIPv4;

function onConnect(ctx: Ctx, conn: ConnId, ip: string, port: number): void {
  if (ctx.state.connections[conn]) return; // already known: a harness bug, nothing to model
  // WIRE-IP-1: concurrently open connections from one IP, whatever their phase. WIRE-IP-3: the
  // limit in force now applies; 0 means unlimited (`nexusd`; `spec` never stores 0, ADM-SINFO-8).
  const limit = ctx.state.serverInfo.max_connections_per_ip;
  const open = Object.values(ctx.state.connections).filter((c) => ipKey(c.ip) === ipKey(ip)).length;
  if (limit > 0 && open >= limit) {
    // WIRE-IP-2: dropped before TLS, no frame; the connection is never recorded.
    ctx.close(conn, 'ip-limit', ['WIRE-IP-1', 'WIRE-IP-2']);
    return;
  }
  ctx.putConnection({ id: conn, ip, port, phase: 'new', sessionId: null, locale: 'en' });
}

// --- frames: wire.md §10 ----------------------------------------------------------------------

/** UND-10 / WIRE-JSON-6: what a server does with duplicate member names (reference: last wins, rules.md §8). */
const DUPLICATE_MEMBERS: ChoicePoint = {
  id: 'UND-10',
  rules: ['WIRE-JSON-6', 'UND-10'],
  options: [
    { value: 'last', label: 'duplicate member names: the last value is used' },
    { value: 'first', label: 'duplicate member names: the first value is used' },
    { value: 'reject', label: 'duplicate member names: framing error' },
  ],
};

const ACCEPT_ALL = { 'missing-type': true, 'lone-surrogate': true, 'integral-float': true } as const;

/** `spec` [UNDETERMINED] decodings (rules.md §8: the reference's pick is listed first). */
const OPEN_DECODINGS: Record<OpenDecoding, ChoicePoint> = {
  'missing-type': {
    id: 'WIRE-JSON-2',
    rules: ['WIRE-JSON-2', 'WIRE-BAD-10'],
    options: [
      { value: 'accepted', label: 'a payload without "type" is processed' },
      { value: 'rejected', label: 'a payload without "type" is a decoding failure' },
    ],
  },
  'lone-surrogate': {
    id: 'WIRE-JSON-4:lone-surrogate',
    rules: ['WIRE-JSON-4', 'WIRE-BAD-12'],
    options: [
      { value: 'rejected', label: 'a lone-surrogate escape is a decoding failure' },
      { value: 'accepted', label: 'a lone-surrogate escape is decoded' },
    ],
  },
  'integral-float': {
    id: 'WIRE-JSON-4:integral-float',
    rules: ['WIRE-JSON-4', 'WIRE-BAD-12'],
    options: [
      { value: 'rejected', label: 'an integral float in a u32 member is a decoding failure' },
      { value: 'accepted', label: 'an integral float in a u32 member is taken as the integer' },
    ],
  },
};

function onFrame(ctx: Ctx, connId: ConnId, frame: RawFrame): void {
  // WIRE-SEQ-8: a connection that was closed (or never accepted) processes nothing.
  const conn = ctx.state.connections[connId];
  if (!conn) return;
  // WIRE-BAD-15: a transfer-port type only gets here from a decoder that knows it (the reference's
  // does not, WIRE-FRM-8); such a server refuses it as not supported.
  if (isTransferPortType(frame.type)) return notSupported(ctx, connId, frame);
  // WIRE-JSON-6 / UND-10 [UNDETERMINED]: duplicate member names are processed (either value) or rejected.
  let duplicates: 'last' | 'first' = 'last';
  // Read once here and by the decoder (a type that is not a client's is refused before its payload).
  const read = isClientType(frame.type) ? readClientJson(frame.payload) : undefined;
  if (read?.ok && read.duplicates) {
    const choice = ctx.choose(DUPLICATE_MEMBERS);
    if (choice === 'reject') return abort(ctx, connId, 'malformed', ['SES-ERR-1', 'WIRE-JSON-6', 'UND-10']);
    duplicates = choice === 'first' ? 'first' : 'last';
  }
  // WIRE-BAD-9..12 (and WIRE-BAD-3/11 for a non-client type name): the payload is decoded first.
  // `spec` leaves three decodings open (WIRE-JSON-2 missing "type", WIRE-JSON-4 lone surrogates and
  // integral floats): a payload that decodes when they are accepted reaches a choice per feature.
  // (A payload that fails with all three accepted fails with any pick; `nexusd` rejects all three.)
  const decoded = decodeClientFrame(frame, ctx.profile, { duplicates, accept: ACCEPT_ALL, ...(read ? { read } : {}) });
  if (decoded.ok) {
    for (const feature of decoded.open ?? []) {
      if (ctx.choose(OPEN_DECODINGS[feature]) === 'rejected') {
        return abort(ctx, connId, 'malformed', ['SES-ERR-1', ...OPEN_DECODINGS[feature].rules]);
      }
    }
  }
  if (!decoded.ok) {
    abort(ctx, connId, 'malformed', ['SES-ERR-1', decodeRule(frame.type)]);
    return;
  }
  const type = decoded.type;
  const session = conn.sessionId !== null ? (ctx.session(conn.sessionId) ?? null) : null;
  // The body was validated against its type's schema; each handler reads it as its own type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const req: Request<any> = { conn, session, id: frame.id, type, body: decoded.body };

  // WIRE-SEQ-1/5/6/7 and SES-LOGIN-2/3: Handshake and Login judge the phase themselves.
  if (type === 'Handshake') return handshake(ctx, req);
  if (type === 'Login') return login(ctx, req);

  if (conn.phase === 'new' || conn.phase === 'shaken') {
    notLoggedIn(ctx, req);
    return;
  }
  // AUTH, or REMOVED (the handler answers GEN-2 at its rule's position). A type with no handler
  // registered yet is not answered.
  const handler = HANDLERS[type];
  if (handler) handler(ctx, req);
}

/** Which WIRE-BAD rule a decode failure falls under (for reports only). */
function decodeRule(type: string): string {
  return isClientType(type) ? 'WIRE-BAD-12' : 'WIRE-BAD-11';
}

/**
 * GEN-1 / WIRE-SEQ-3: any other request before Login → E-NOT-LOGGED-IN with the command, then close.
 * WIRE-SEQ-4 / ADM-SINFO-1 [DIVERGENT] ServerInfoUpdate: `nexusd` keeps the connection open; `spec`
 * accepts either (reference: close, rules.md §8).
 */
function notLoggedIn(ctx: Ctx, req: Request<unknown>): void {
  if (req.type === 'ServerInfoUpdate') {
    ctx.fail(
      req,
      'E-NOT-LOGGED-IN',
      {},
      { spec: 'E!', nexusd: 'E' },
      {
        rules: ['GEN-1', 'WIRE-SEQ-4', 'ADM-SINFO-1', 'SES-ERR-2'],
        alsoAllowed: ctx.byProfile({ spec: ['E'], nexusd: [] }),
        closeOptional: true,
      },
    );
    return;
  }
  ctx.fail(req, 'E-NOT-LOGGED-IN', {}, 'E!', { rules: ['GEN-1', 'WIRE-SEQ-3', 'SES-ERR-2'] });
}

/**
 * WIRE-BAD-15 [UNDETERMINED]: `Error` "Message type not supported" (echoing the request, with or
 * without `command`) or E-INVALID-MESSAGE-FORMAT, the connection closed or not. (A server that
 * rejects the type name at the framing layer instead is the decoder's outcome, WIRE-BAD-3.)
 */
function notSupported(ctx: Ctx, connId: ConnId, frame: RawFrame): void {
  const rules = ['WIRE-BAD-15'];
  const unsupported = renderError('E-MESSAGE-NOT-SUPPORTED', {}, ctx.profile);
  const invalid = renderError('E-INVALID-MESSAGE-FORMAT', {}, ctx.profile);
  const error = (message: string, command?: string) => ({
    type: 'Error',
    body: { type: 'Error', message, ...(command ? { command } : {}) },
  });
  ctx.send(
    connId,
    'Error',
    { message: unsupported, command: frame.type },
    {
      id: frame.id,
      rules,
      error: { key: 'E-MESSAGE-NOT-SUPPORTED', params: {}, carriers: ['E', 'E!'], command: frame.type },
      accept: { alternatives: [error(unsupported), error(invalid), error(invalid, frame.type)] },
    },
  );
  ctx.close(connId, 'error', rules, { optional: true });
}

// --- malformed input, timeouts, peer close ----------------------------------------------------

/**
 * WIRE-BAD-1..13, WIRE-TMO-1/2, SES-ERR-1: an optional `Error` E-INVALID-MESSAGE-FORMAT without
 * `command`, with a fresh id, then close; a session on the connection ends (SES-BC-3, via applyCloses).
 */
function abort(ctx: Ctx, connId: ConnId, reason: CloseReason, rules: string[]): void {
  if (!ctx.state.connections[connId]) return;
  ctx.send(
    connId,
    'Error',
    { message: renderError('E-INVALID-MESSAGE-FORMAT', {}, ctx.profile) },
    {
      rules,
      accept: { optional: true },
      error: { key: 'E-INVALID-MESSAGE-FORMAT', params: {}, carriers: ['E!'] },
    },
  );
  ctx.close(connId, reason, rules);
}

/** WIRE-BAD-14 / WIRE-IP-1: the peer went away; its slot is free and its session ends (SES-BC-3, BC-2). */
function onClose(ctx: Ctx, connId: ConnId): void {
  const conn = ctx.state.connections[connId];
  if (!conn) return;
  forget(ctx, conn, ['WIRE-BAD-14']);
}

function forget(ctx: Ctx, conn: Connection, rules: string[]): void {
  if (conn.sessionId !== null && ctx.session(conn.sessionId)) ctx.endSession(conn.sessionId, rules, true);
  ctx.removeConnection(conn.id);
}

/**
 * WIRE-SEQ-8: after a close output the connection accepts nothing more, so its record goes (and its
 * session ends with the BC-2 broadcast, e.g. WIRE-SEQ-5/7 in AUTH). Two kinds of close keep the
 * record: an optional close (the target may stay open, e.g. WIRE-SEQ-4 in `spec`) and a lazy one
 * (SES-KICK-3 `nexusd`: the next request gets E-AUTHENTICATION). The reference server performs those
 * closes anyway and reports the socket's end as a `close` event, which forgets the record then.
 */
function applyCloses(ctx: Ctx): void {
  const closes = ctx.outputs.filter((o): o is CloseOutput => o.kind === 'close');
  for (const c of closes) {
    if (c.accept?.optional || c.accept?.lazy) continue;
    const conn = ctx.state.connections[c.conn];
    if (conn) forget(ctx, conn, [...c.rules, 'SES-BC-3']);
  }
}
