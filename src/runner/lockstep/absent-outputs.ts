// Outputs the target has never made in this run, by kind: what only a timeout proves missing,
// because no request orders it (WIRE-ORD-3): a broadcast to another connection, and the close of a
// session another session's request removed (a kick, a deletion, a disabling: SES-KICK-3 asks for
// a prompt close, and a target may read one more frame first). A broadcast's kind is its frame
// type, what causes it (the request, or the connection event, whose step sends it) and which side
// of the audience line (`user_list`) the recipient is on; a removal close's is its cause. A target
// that never makes one kind (say `UserConnected` after a Login, `UserUpdated` after a UserAway
// while UserBack's still comes, or the close after a UserKick) costs every check that expects it
// the whole `--timeout`: minutes for a suite. Once FULL_MISSES waits of the whole timeout found a
// kind missing and no output of that kind has arrived, the kind is presumed absent: a later wait
// that misses only presumed-absent outputs ends at once and fails with a note saying so. A
// presumption never decides a verdict alone: when an output of the kind arrives later in the run,
// the presumption ends and every check that failed on it runs again with full waits (schedule.ts),
// so a presumed verdict stands only against a target that made none in the whole run.
// A frame "of the kind" is one that met an expectation of that kind, or one that looks like a
// broadcast reported missing (a late copy, on any connection, a sibling lane's included), or one of
// the type that nothing explains (it may have any cause); a close of the kind is one that met such
// an expectation, or the target's late close of a connection whose removal close was reported
// missing. A recipient whose session gains or loses `user_list` in the step that sends the
// broadcast is on a side of its own (a target may draw the audience before or after the change, the
// same way every time). Shared by every lane of a run; pure bookkeeping, no I/O.
import type { Received } from '../../net/connection.ts';

/** Full-timeout misses of a kind, with none of its frames seen, before it is presumed absent. */
export const FULL_MISSES = 1;

/**
 * Where a broadcast's recipient stands to `user_list`, the line most audiences follow (most
 * broadcasts go to its holders, some to every session: a server that gets an audience wrong misses
 * one side only): it holds it, it does not, or it gains or loses it in the step that sends the
 * broadcast (the target may draw the audience before or after the change).
 */
export type AudienceSide = 'holder' | 'other' | 'gaining' | 'losing';

/** The `type` of a removal close's kind (a frame of this type nothing explains ends its presumption too, which only costs waits). */
export const REMOVAL_CLOSE = 'close';

/**
 * A broadcast type, what sends it (a client message type, or a connection event: `close`, …), and
 * the recipient's side; or REMOVAL_CLOSE and what removed the session (side null: a close has no
 * audience).
 */
export interface OutputKind {
  type: string;
  cause: string;
  side: AudienceSide | null;
}

/** What a connection event is, where a broadcast follows it rather than a request. */
const EVENT_CAUSES: Record<string, string> = {
  'closing-error': 'a connection the server closed on an error',
  close: 'a connection closed',
  connect: 'a connection opened',
  malformed: 'a malformed frame',
  timeout: "the server's timer",
};

const TO_SIDE: Record<AudienceSide, string> = {
  holder: '',
  other: ' to a session without user_list',
  gaining: ' to a session gaining user_list',
  losing: ' to a session losing user_list',
};

/**
 * How a note names a kind: `UserUpdated after a UserAway`, `… to a session without user_list`,
 * `close of a removed session's connection after a UserKick`.
 */
export function describeKind(kind: OutputKind): string {
  const cause = EVENT_CAUSES[kind.cause] ?? `a ${kind.cause}`;
  if (kind.type === REMOVAL_CLOSE) return `close of a removed session's connection after ${cause}`;
  return `${kind.type} after ${cause}${kind.side === null ? '' : TO_SIDE[kind.side]}`;
}

/** Whether a session on this side holds `user_list` (a side of change has no late copies, see `arrived`). */
const HOLDS_LIST: Partial<Record<AudienceSide, boolean>> = { holder: true, other: false };

const keyOf = (kind: OutputKind): string => `${kind.type}\n${kind.cause}\n${kind.side}`;

/** A broadcast reported missing: recognises its copy should it come after all. */
interface Missing {
  kind: OutputKind;
  matches: (frame: Received) => boolean;
}

export class AbsentOutputs {
  /** Types of frames nothing explained: every kind of the type counts as seen. */
  private readonly seenTypes = new Set<string>();
  private readonly seenKinds = new Set<string>();
  private readonly fullMisses = new Map<string, number>();
  /** Full misses so far, of any kind: the clock of `since`. */
  private misses = 0;
  /** When (in full misses) each kind came to be presumed absent. */
  private readonly presumedFrom = new Map<string, number>();
  /** Broadcasts reported missing, by type, until a copy arrives. */
  private readonly missing = new Map<string, Missing[]>();

  /** A frame or close met an expectation of this kind (whether or not its body was right), or a removal close came late. */
  answered(kind: OutputKind): void {
    this.seenKinds.add(keyOf(kind));
  }

  /** A frame of this type arrived that no expectation and no stranger explains: any cause may have sent it. */
  sawUnexplained(type: string): void {
    this.seenTypes.add(type);
  }

  /**
   * A wait of the whole timeout ended with this output missing; `matches` recognises a broadcast's
   * late copy (a removal close's late close is `answered` by the lockstep, which knows its connection).
   */
  missedInFullWait(kind: OutputKind, matches?: (frame: Received) => boolean): void {
    const key = keyOf(kind);
    const n = (this.fullMisses.get(key) ?? 0) + 1;
    this.fullMisses.set(key, n);
    this.misses += 1;
    if (n === FULL_MISSES) this.presumedFrom.set(key, this.misses);
    if (matches) this.reportMissing(kind, matches);
  }

  /** A broadcast failed on the presumption; `matches` recognises it should it come later. */
  reportMissing(kind: OutputKind, matches: (frame: Received) => boolean): void {
    const list = this.missing.get(kind.type);
    const entry = { kind, matches };
    if (list) list.push(entry);
    else this.missing.set(kind.type, [entry]);
  }

  /**
   * Every frame any connection of the run receives (`holdsList`: whether that connection's session
   * holds user_list now, asked only when a broadcast of the type was reported missing): a late copy
   * of a broadcast reported missing shows its kind. One to a session that gained or lost
   * user_list is not recognised: the same body reaches every holder, on every lane, with the
   * broadcast of any later change of that account.
   */
  arrived(frame: Received, holdsList: () => boolean): void {
    const list = this.missing.get(frame.raw.type);
    if (list === undefined || frame.message === undefined) return;
    const holds = holdsList();
    const hit = list.find((m) => m.kind.side !== null && HOLDS_LIST[m.kind.side] === holds && m.matches(frame));
    if (hit === undefined) return;
    const key = keyOf(hit.kind);
    this.seenKinds.add(key);
    this.missing.set(
      frame.raw.type,
      list.filter((m) => keyOf(m.kind) !== key),
    );
  }

  /**
   * Now, for a wait that begins: what `presumed` is asked with. A wait already under way when a
   * kind came to be presumed (another lane's full wait ended first) waits its whole timeout, as it
   * would have a moment earlier: its failure then needs no re-check, where a presumed one may.
   */
  since(): number {
    return this.misses;
  }

  /** Whether a wait that misses only outputs of this kind may end early (`asOf`: since() when it began; default now). */
  presumed(kind: OutputKind, asOf = this.misses): boolean {
    return !this.hasSeen(kind) && (this.presumedFrom.get(keyOf(kind)) ?? Infinity) <= asOf;
  }

  /** Whether a frame of this kind has arrived in the run (a verdict presumed on it must be re-checked). */
  hasSeen(kind: OutputKind): boolean {
    return this.seenTypes.has(kind.type) || this.seenKinds.has(keyOf(kind));
  }

  /** The note on a failure presumed on this kind. */
  note(kind: OutputKind): string {
    const n = this.fullMisses.get(keyOf(kind)) ?? 0;
    const waits = n === 1 ? 'an earlier wait of the whole timeout' : `${n} earlier waits of the whole timeout`;
    return `no ${describeKind(kind)} had arrived on any connection of this run and ${waits} found none, so this one was not waited for`;
  }
}
