// What goes into the model and what comes out of it. The reference server writes `message`s and
// performs `close`s; the harness additionally reads the `accept` annotations, which spell out every
// outcome the spec allows besides the one the reference server picks (rules.md §7, §8).
import type { ConnId, Message, RawFrame } from '../protocol/types.ts';
import type { FrameErrorInfo } from '../protocol/frame-errors.ts';
import type { Account, Session, ServerInfo } from './state.ts';

/** `E-*` keys of errors.md. */
export type ErrorKey = `E-${string}`;
export type ErrorParams = Record<string, string | number>;

/**
 * Carriers (rules.md header): T typed response; E Error, stays open; E! Error then close;
 * H HandshakeResponse then close; N notice Error with a fresh id to a session being removed.
 */
export type Carrier = 'T' | 'E' | 'E!' | 'H' | 'N';

export type Event =
  /** A TCP connection was accepted (before TLS). `now` is unix seconds. */
  | { kind: 'connect'; conn: ConnId; ip: string; port: number; now: number }
  /** A complete, well-framed frame arrived; the model decodes the payload itself (WIRE-BAD-9..12). */
  | { kind: 'frame'; conn: ConnId; frame: RawFrame; now: number }
  /** The frame decoder rejected the input (wire.md §7, WIRE-BAD-1..8, 13). */
  | { kind: 'malformed'; conn: ConnId; error: FrameErrorInfo; now: number }
  /** Pre-login idle or frame-completion timeout expired (WIRE-TMO-1/2). */
  | { kind: 'timeout'; conn: ConnId; now: number }
  /** The peer closed the connection (or it broke). */
  | { kind: 'close'; conn: ConnId; now: number }
  /** Harness only: a session the harness does not own appeared on the target (seen as UserConnected). */
  | { kind: 'foreign-login'; session: Omit<Session, 'conn' | 'loginSeq'>; account?: Account; now: number }
  /** Harness only: a foreign session ended (seen as UserDisconnected). */
  | { kind: 'foreign-logout'; sessionId: number; now: number };

/** Tolerances for one sent message. Absent = exactly this message, in this position. */
export interface SendAccept {
  /** The message may not arrive at all (e.g. the optional Error before a framing close, WIRE-BAD-1). */
  optional?: boolean;
  /** Other acceptable messages in its place (type and body), e.g. inherited vs cleared away state (SES-BC-2). */
  alternatives?: Array<{ type: string; body: Record<string, unknown> }>;
  /** May arrive before the direct response of the request that caused it (WIRE-ORD-2). */
  anyOrderWithResponse?: boolean;
  /**
   * The reference server does not write this message, but a target may send it here (e.g. a no-op
   * PermissionsUpdated in `spec`, ADM-UPDATE-14). Implies `optional`.
   */
  notSentByReference?: boolean;
  /**
   * UND-14: the `locale` of each aggregated multi-session entry in this message (`session_ids`,
   * sorted, as the key) may be the locale of any of those sessions, listed in login order; the
   * reference shows the latest login's (rules.md §8). Filled in by `Ctx.send`.
   */
  anyLocaleOf?: Array<{ sessionIds: number[]; locales: string[] }>;
}

export interface SendOutput {
  kind: 'send';
  conn: ConnId;
  message: Message;
  /** Set when the message reports an error: lets the harness match by key or leniently. */
  error?: {
    key: ErrorKey;
    params: ErrorParams;
    /** The carrier of `message`, then every other carrier the current profile allows. */
    carriers: Carrier[];
    /** The client message type being handled (for `Error.command` and typed responses). */
    command?: string;
  };
  accept?: SendAccept;
  /** Rule ids that produced this output, shown in failure messages. */
  rules: string[];
}

export type CloseReason =
  | 'error' // after a hard error (E!, H)
  | 'malformed' // framing or decoding failure
  | 'timeout'
  | 'ip-limit' // WIRE-IP-2: dropped before TLS
  | 'removed'; // kick / delete / disable (SES-KICK-3)

export interface CloseOutput {
  kind: 'close';
  conn: ConnId;
  reason: CloseReason;
  accept?: {
    /** The connection may also stay open (e.g. WIRE-SEQ-4 in `spec`, ADM-CREATE-6). */
    optional?: boolean;
    /** The session is gone but the socket may stay open until the next request (SES-KICK-3 `nexusd`). */
    lazy?: boolean;
  };
  rules: string[];
}

export type Output = SendOutput | CloseOutput;

/**
 * Another complete outcome of the same event, computed from the same input state: what a server
 * taking another allowed choice at an [UNDETERMINED] point (rules.md §7) ends up with.
 */
export interface StepAlternative<S> {
  state: S;
  outputs: Output[];
  /** The rule ids of the choice points that lead here (UND-*, VAL-PATHCHARS, …). */
  rules: string[];
  /** What this outcome is, for failure messages (e.g. "UND-5: promotion of a shared account accepted"). */
  label: string;
}

export interface StepResult<S> {
  state: S;
  outputs: Output[];
  /** Set when a choice point was reached: what this outcome (`state`, `outputs`) is called. */
  label?: string;
  /**
   * Every other outcome the spec allows for this event (absent: only this one). The reference
   * server ignores them and writes `outputs`; the harness accepts whichever the target shows.
   */
  alternatives?: Array<StepAlternative<S>>;
}

export type { ServerInfo };

/** What the reference server actually writes: every output except those only a target may send. */
export function referenceWrites(outputs: Output[]): Output[] {
  return outputs.filter((o) => o.kind !== 'send' || o.accept?.notSentByReference !== true);
}
