// Alternative outcomes. Where the spec lets a server choose and the choice changes what happens
// next ([UNDETERMINED] points, rules.md §7), the harness predicts every allowed outcome of what it
// wrote and the lockstep adopts the first one the target's traffic matches:
//
//   decodings (how the target may decode the bytes: UND-11 limits, WIRE-BAD-15 transfer-port types)
//     × worlds (states the target may be in after earlier undecided choices, e.g. UND-7)
//     × model alternatives (StepResult.alternatives: UND-3, UND-5, UND-7, UND-10)
//   → outcomes, each a complete prediction: state, outputs, the decoder to continue with.
//
// `decide` looks at what arrived without consuming it: the earliest frame or close on the
// requester's connection that only some outcomes explain narrows the set, then the other
// connections'; once one outcome is left (or the first remaining one is complete) it is adopted.
// Pure: the lockstep owns the connections and applies the decision.
import type { CloseOutput, CloseReason, Event, Output, SendOutput, State } from '../model/index.ts';
import { step } from '../model/index.ts';
import type { Received } from '../net/connection.ts';
import type { FrameError } from '../protocol/frame-errors.ts';
import type { FrameDecoder } from '../protocol/frame.ts';
import { undeterminedLimit } from '../protocol/limits.ts';
import type { ConnId, Profile, RawFrame } from '../protocol/types.ts';
import { isClientType, isTransferPortType } from '../protocol/types.ts';

/** Upper bound on the outcomes of one exchange (each undetermined point multiplies them). */
export const MAX_OUTCOMES = 16;

/** A state the target may be in, with what led there (the adopted one is first). */
export interface World {
  state: State;
  label: string;
  rules: string[];
}

/** One complete prediction of what the target does with the bytes of one exchange. */
export interface Outcome {
  label: string;
  rules: string[];
  state: State;
  /**
   * Every output, with the body of the request it answers (the lenient matcher reads it) and what
   * caused it (causeOf).
   */
  outputs: Array<{ output: Output; cause: string; request?: Record<string, unknown> }>;
  /** The connection's decoder after the bytes, as this outcome's target decoded them. */
  decoder: FrameDecoder;
}

// --- decodings ----------------------------------------------------------------------------------------

/** One way a target may decode the bytes the harness wrote. */
export interface Decoding {
  label: string;
  rules: string[];
  decoder: FrameDecoder;
  frames: RawFrame[];
  error: FrameError | undefined;
}

interface DecoderVariant {
  /** What the reference's decoding is called when this variant decodes differently. */
  reference: string;
  label: string;
  rules: string[];
  opts: Parameters<FrameDecoder['clone']>[0];
}

/** Decoder rules a target may follow besides the reference's. */
function variants(profile: Profile): DecoderVariant[] {
  return [
    {
      // UND-11 / WIRE-LIM-2 / WIRE-LIM-4: above the profile's limit, up to the undetermined bound.
      reference: 'UND-11: frame over the limit rejected (WIRE-BAD-7)',
      label: 'UND-11: frame over the limit processed',
      rules: ['UND-11', 'WIRE-LIM-2', 'WIRE-LIM-4'],
      opts: { limitFor: (t) => (isClientType(t) ? undeterminedLimit(t, profile) : 0) },
    },
    {
      // WIRE-BAD-15: a target may know the transfer port's types and refuse them as such.
      reference: 'WIRE-BAD-15: unknown type rejected by the framing layer',
      label: 'WIRE-BAD-15: transfer-port type read and refused',
      rules: ['WIRE-BAD-15'],
      opts: { isKnownType: (t) => isClientType(t) || isTransferPortType(t) },
    },
  ];
}

/**
 * Decodes `bytes` from the position of `decoder` once as the reference does (first) and once per
 * decoder rule that a target may follow instead, keeping only those that decode differently.
 * `decoder` itself is not advanced: the lockstep continues with the adopted outcome's copy.
 */
export function decodings(decoder: FrameDecoder, bytes: Uint8Array, profile: Profile): Decoding[] {
  const primary = decoder.clone();
  const r = primary.push(bytes);
  const reference: Decoding = { label: '', rules: [], decoder: primary, frames: r.frames, error: r.error };
  const out = [reference];
  // Each variant accepts more than the reference (a limit at least as high, more known types), so
  // bytes the reference decodes without an error every variant decodes alike: nothing to try.
  if (r.error === undefined) return out;
  for (const v of variants(profile)) {
    const other = decoder.clone(v.opts);
    const o = other.push(bytes);
    if (o.frames.length === r.frames.length && o.error?.info.rule === r.error?.info.rule) continue;
    reference.label = join(reference.label, v.reference);
    reference.rules.push(...v.rules);
    out.push({ label: v.label, rules: v.rules, decoder: other, frames: o.frames, error: o.error });
  }
  return out;
}

// --- predicting ---------------------------------------------------------------------------------------

function join(a: string, b: string | undefined): string {
  return [a, b ?? ''].filter((x) => x !== '').join('; ');
}

type Step = { event: Event; request?: Record<string, unknown> };

/**
 * The cause of what follows a connection the server closed on an error, whatever the error was: a
 * server announces a session it ended that way on one path, so one full wait tells for all of them.
 */
export const CLOSING_ERROR = 'closing-error';

/** Closes that follow a closing error: a hard error (E!, H) or a framing or decoding failure (SES-ERR-1). */
export const CLOSING_ERROR_REASONS: ReadonlySet<CloseReason> = new Set(['error', 'malformed']);

/**
 * What caused a step's outputs, for the presumption of absence (lockstep/absent-outputs.ts): the
 * type of the client message, else the event's kind (`close`, …); CLOSING_ERROR for a step that
 * closes the event's own connection on an error.
 */
export function causeOf(event: Event, outputs: readonly Output[]): string {
  if (event.kind !== 'frame' && event.kind !== 'malformed') return event.kind;
  const closesOnError = outputs.some((o) => o.kind === 'close' && o.conn === event.conn && CLOSING_ERROR_REASONS.has(o.reason));
  if (closesOnError) return CLOSING_ERROR;
  return event.kind === 'frame' ? event.frame.type : event.kind;
}

/**
 * Every outcome of feeding `decs` (frames, then a framing error if any) on `conn` to the model, in
 * every world. Order: worlds, then decodings, then the model's outcomes — the reference's first.
 */
export function predict(
  worlds: readonly World[],
  conn: ConnId,
  decs: readonly Decoding[],
  now: number,
  bodyOf: (id: string) => Record<string, unknown> | undefined,
): Outcome[] {
  const out: Outcome[] = [];
  for (const world of worlds) {
    for (const d of decs) {
      const events: Step[] = d.frames.map((frame) => {
        const event: Event = { kind: 'frame', conn, frame, now };
        const request = bodyOf(frame.id);
        return request ? { event, request } : { event };
      });
      if (d.error) events.push({ event: { kind: 'malformed', conn, error: d.error.info, now } });
      const start: Outcome = {
        label: join(world.label, d.label),
        rules: [...world.rules, ...d.rules],
        state: world.state,
        outputs: [],
        decoder: d.decoder,
      };
      out.push(...stepAll(start, events));
    }
  }
  return out.slice(0, MAX_OUTCOMES);
}

/** Steps `events` in turn from `start`, branching at every step that has alternatives. */
export function stepAll(start: Outcome, events: readonly Step[]): Outcome[] {
  let partial = [start];
  for (const { event, request } of events) {
    partial = partial
      .flatMap((o) => {
        const r = step(o.state, event);
        const results = [{ state: r.state, outputs: r.outputs, label: r.label ?? '', rules: [] as string[] }, ...(r.alternatives ?? [])];
        return results.map((a): Outcome => {
          const cause = causeOf(event, a.outputs);
          return {
            label: join(o.label, a.label),
            rules: [...o.rules, ...a.rules],
            state: a.state,
            outputs: [...o.outputs, ...a.outputs.map((output) => (request ? { output, cause, request } : { output, cause }))],
            decoder: o.decoder,
          };
        });
      })
      .slice(0, MAX_OUTCOMES);
  }
  return partial;
}

// --- queue rules (shared with the lockstep) ---------------------------------------------------------

type Expected = SendOutput | CloseOutput;

/**
 * Whether the spec lets this output not happen: an optional frame (also one the reference server
 * does not write, `notSentByReference`), an optional close, a lazy close (SES-KICK-3).
 */
export function isOptional(out: Expected): boolean {
  if (out.kind === 'send') return out.accept?.optional === true || out.accept?.notSentByReference === true;
  return out.accept?.optional === true || out.accept?.lazy === true;
}

/**
 * Which queued sends may take the next frame: a send may be met when every earlier send is
 * optional or may come in any order (WIRE-ORD-2); an `anyOrderWithResponse` one at any position.
 */
export function eligible(queue: ReadonlyArray<{ output: Expected }>): number[] {
  const out: number[] = [];
  let blocked = false;
  queue.forEach((e, i) => {
    if (e.output.kind === 'close') {
      blocked = true;
      return;
    }
    const floating = e.output.accept?.anyOrderWithResponse === true;
    if (floating || !blocked) out.push(i);
    if (!floating && !isOptional(e.output)) blocked = true;
  });
  return out;
}

/** The queue after entry `index` took a frame: optional predecessors that did not come are gone. */
export function afterTaking<E extends { output: Expected }>(queue: readonly E[], index: number): E[] {
  const taken = queue[index]!.output;
  const floating = taken.kind === 'send' && taken.accept?.anyOrderWithResponse === true;
  return queue.filter((x, i) => {
    if (i === index) return false;
    if (i > index || floating) return true;
    const skippedOptional = x.output.kind === 'send' && isOptional(x.output) && !x.output.accept?.anyOrderWithResponse;
    return !skippedOptional;
  });
}

/** An Error in place of a carrier that may close (E! among the carriers) may be followed by a close. */
export function errorMayClose(out: SendOutput, frame: Received, queue: ReadonlyArray<{ output: Expected }>): boolean {
  return frame.message?.type === 'Error' && out.error?.carriers.includes('E!') === true && !queue.some((x) => x.output.kind === 'close');
}

/** Whether the target closing the connection now is what the queue allows (no required frame first). */
export function closeAllowed(queue: ReadonlyArray<{ output: Expected }>, closeTolerated: boolean, lazyRemoved: boolean): boolean {
  if (lazyRemoved) return true;
  const at = queue.findIndex((e) => e.output.kind === 'close');
  const before = at < 0 ? queue : queue.slice(0, at);
  return (at >= 0 || closeTolerated) && before.every((e) => isOptional(e.output));
}

// --- deciding -----------------------------------------------------------------------------------------

/** A harness connection as `decide` sees it. */
export interface ConnView {
  id: ConnId;
  /** Expectations queued before the exchange (optional leftovers of earlier ones). */
  queue: readonly Pending[];
  /** Frames received and not handled yet, in arrival order. */
  inbox: readonly Received[];
  /** The target closed it (after every frame in `inbox`). */
  closed: boolean;
  closeTolerated: boolean;
  lazyRemoved: boolean;
}

export interface Judge {
  /** Whether `frame` is an acceptable form of `expected` when the target is in `state`. */
  matches(expected: SendOutput, frame: Received, state: State): boolean;
  /** A frame about someone else (a stranger on a live target): it tells no outcome apart. */
  neutral(frame: Received): boolean;
  /**
   * A frame or close still due that nothing waits for any more (a broadcast or removal close
   * presumed absent, lockstep/absent-outputs.ts), in the outcome that leaves the target in `state`.
   */
  presumedAbsent(due: Pending, state: State): boolean;
}

/**
 * A frame or close still due on a connection: an expectation queued before the exchange, or an
 * output of the outcome (`requestIds` absent: those of the exchange being decided).
 */
export interface Pending {
  output: Expected;
  cause: string;
  requestIds?: readonly string[];
}

export type Decision =
  | { kind: 'wait' }
  /**
   * Adopt `outcomes[index]`. `matched`: the traffic so far fits it (false: no outcome fits, this
   * is the closest). `equivalent`: other outcomes the traffic fits just as completely.
   */
  | { kind: 'adopt'; index: number; matched: boolean; equivalent: number[] };

interface Sim {
  queue: Pending[];
  closeTolerated: boolean;
  lazyRemoved: boolean;
  closed: boolean;
}

/**
 * Which outcome the traffic that arrived so far shows, the requester's connection first. `final`:
 * the wait is over (timeout), decide now; so is a wait that only broadcasts presumed absent could
 * end. A frame no remaining outcome explains is skipped when it is about a stranger; any other
 * unexplained frame or close makes the closest outcome the answer, unmatched.
 */
export function decide(
  outcomes: readonly Outcome[],
  requester: ConnId,
  views: readonly ConnView[],
  judge: Judge,
  final: boolean,
): Decision {
  const sims = outcomes.map(
    (o) =>
      new Map(
        views.map((v): [ConnId, Sim] => [
          v.id,
          {
            queue: [
              ...v.queue,
              ...o.outputs.filter((x) => x.output.conn === v.id).map((x) => ({ output: x.output as Expected, cause: x.cause })),
            ],
            closeTolerated: v.closeTolerated,
            lazyRemoved: v.lazyRemoved,
            closed: false,
          },
        ]),
      ),
  );
  let alive = outcomes.map((_, i) => i);
  const adopt = (index: number, matched: boolean, equivalent: number[] = []): Decision => ({ kind: 'adopt', index, matched, equivalent });
  const ordered = [...views.filter((v) => v.id === requester), ...views.filter((v) => v.id !== requester)];

  for (const v of ordered) {
    const observations: Array<Received | 'close'> = [...v.inbox, ...(v.closed ? (['close'] as const) : [])];
    for (const ob of observations) {
      const taken = new Map<number, Sim>();
      for (const i of alive) {
        const sim = sims[i]!.get(v.id)!;
        const next = ob === 'close' ? closeSim(sim) : takeSim(sim, ob, outcomes[i]!.state, judge);
        if (next) taken.set(i, next);
      }
      if (taken.size === 0) {
        if (ob !== 'close' && ob.message && judge.neutral(ob)) continue;
        return adopt(alive[0]!, false);
      }
      alive = alive.filter((i) => taken.has(i));
      for (const i of alive) sims[i]!.set(v.id, taken.get(i)!);
      if (alive.length === 1) return adopt(alive[0]!, true);
    }
  }
  // Several remain. The first complete one is adopted, unless an earlier one still waits for more
  // than a close it tolerates too or broadcasts presumed absent: frames on their way would show
  // that one (else the timeout does).
  const missing = (i: number) =>
    [...sims[i]!.entries()].flatMap(([conn, s]) =>
      s.closed ? [] : s.queue.filter((e) => !isOptional(e.output)).map((e) => ({ conn, e })),
    );
  const complete = alive.filter((i) => missing(i).length === 0);
  const first = complete[0];
  if (first === undefined) {
    // When every outcome still waits only for broadcasts presumed absent, waiting tells none apart.
    const moot = alive.every((i) => missing(i).every(({ e }) => judge.presumedAbsent(e, outcomes[i]!.state)));
    return final || moot ? adopt(alive[0]!, false) : { kind: 'wait' };
  }
  const tolerates = (conn: ConnId): boolean => {
    const s = sims[first]!.get(conn)!;
    return s.closed || s.closeTolerated || s.lazyRemoved || s.queue.some((e) => e.output.kind === 'close');
  };
  const subsumed = (i: number) =>
    missing(i).every(({ conn, e }) => (e.output.kind === 'close' && tolerates(conn)) || judge.presumedAbsent(e, outcomes[i]!.state));
  if (final || alive.slice(0, alive.indexOf(first)).every(subsumed)) return adopt(first, true, complete.slice(1));
  return { kind: 'wait' };
}

function takeSim(sim: Sim, frame: Received, state: State, judge: Judge): Sim | null {
  if (sim.closed || !frame.message) return null;
  for (const i of eligible(sim.queue)) {
    const out = sim.queue[i]!.output as SendOutput;
    if (!judge.matches(out, frame, state)) continue;
    const queue = afterTaking(sim.queue, i);
    return { ...sim, queue, closeTolerated: sim.closeTolerated || errorMayClose(out, frame, queue) };
  }
  return null;
}

function closeSim(sim: Sim): Sim | null {
  if (!closeAllowed(sim.queue, sim.closeTolerated, sim.lazyRemoved)) return null;
  return { ...sim, queue: [], closed: true };
}

/** The note failure messages carry after a choice among outcomes: every allowed outcome by label. */
export function outcomeNote(outcomes: readonly Outcome[], adopted: number, matched: boolean): string {
  const name = (o: Outcome): string => o.label || '(reference outcome)';
  const all = outcomes.map(name).join(' | ');
  const chosen = name(outcomes[adopted]!);
  return matched
    ? `allowed outcomes: ${all}; the target's traffic chose: ${chosen}`
    : `no allowed outcome matched (${all}); compared with: ${chosen}`;
}
