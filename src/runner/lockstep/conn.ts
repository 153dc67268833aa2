// One harness connection as the lockstep sees it: the socket and its inbox (the target's frames and
// close, in arrival order, read from the connection's one stream), the decoder that reads what the
// harness writes as the target must, the expectations the model queued on it (in order), and its
// life as one explicit state.
import type { CloseOutput, SendOutput, State } from '../../model/index.ts';
import { FrameDecoder } from '../../protocol/frame.ts';
import { frameLimitFor } from '../../protocol/limits.ts';
import type { ConnId, Profile } from '../../protocol/types.ts';
import { isClientType } from '../../protocol/types.ts';
import type { Arrival, NexusConnection, Received } from '../../net/connection.ts';
import { isLoopback } from '../../model/ip.ts';
import type { ConnView } from '../outcomes.ts';
import { renderBytes, renderMessage } from '../render.ts';
import { lazyText, type TrafficEvent } from './types.ts';
import { REMOVAL_CLOSE, type AudienceSide, type OutputKind } from './absent-outputs.ts';

/** What the model predicted on a connection, and what met it. */
export interface Expectation {
  output: SendOutput | CloseOutput;
  conn: ConnId;
  /** Rendered frames of the exchange that produced it. */
  sent: string;
  /** Request ids written by that exchange (direct answers echo one of them). */
  requestIds: string[];
  /** Part of a settling probe (dropped if the connection closes instead, see ConnLife `undo`). */
  probe: boolean;
  matched: Received | null;
  /** The client message type (or connection event) whose step sent it (outcomes.ts causeOf). */
  cause: string;
  /** Its kind, when only a timeout proves it missing (outputKind); null otherwise, or when no kind is kept (Core.expect). */
  kind: OutputKind | null;
  /** The body of the request this output answers (diagnoses read it). */
  request?: Record<string, unknown>;
}

/** A frame the target writes in answer to one of the exchange's requests (not a broadcast, not a close). */
export function isDirectAnswer(e: { output: Expectation['output']; requestIds: readonly string[] }): boolean {
  return e.output.kind === 'send' && e.requestIds.includes(e.output.message.id);
}

/** A frame the target writes that answers no request of the exchange that predicted it. */
export function isBroadcast<E extends { output: Expectation['output']; requestIds: readonly string[] }>(
  e: E,
): e is E & { output: SendOutput } {
  return e.output.kind === 'send' && !isDirectAnswer(e);
}

/** A close of a session that another session's request removed (SES-KICK-3: kick, deletion, disabling). */
export function isRemovalClose(output: Expectation['output']): boolean {
  return output.kind === 'close' && output.reason === 'removed';
}

/**
 * The kind (absent-outputs.ts) of an output that only a timeout proves missing: a broadcast, its
 * recipient on the side `side()` tells, or a removal close; null for any other output.
 */
export function outputKind(
  e: Pick<Expectation, 'output' | 'cause'> & { requestIds: readonly string[] },
  side: () => AudienceSide,
): OutputKind | null {
  if (isBroadcast(e)) return { type: e.output.message.type, cause: e.cause, side: side() };
  if (isRemovalClose(e.output)) return { type: REMOVAL_CLOSE, cause: e.cause, side: null };
  return null;
}

/**
 * A connection's life. `open`: a close the model does not predict is a failure. `may-close`: the
 * spec allows the target to close here but does not require it (E! among the carriers, an
 * optional close). `undo`: while a settling probe is out, the model before it, restored when the
 * target closes instead of reading the probe. `removed`: SES-KICK-3 `nexusd`, the session is gone
 * and the socket may close at any time or stay open. `closed`: handled; `instead` when the close
 * was one the spec allowed in place of answers (may-close or removed at the time).
 */
export type ConnLife =
  | { kind: 'open'; undo: State | null }
  | { kind: 'may-close'; undo: State | null }
  | { kind: 'removed' }
  | { kind: 'closed'; instead: boolean };

/**
 * The address the target sees for a harness connection. Loopback targets see the loopback address
 * of the same family; for remote targets the local address is used when the connection exposes
 * it — the comparator learns the NAT-translated address on first sight anyway (compare.ts).
 */
export function harnessAddress(conn: NexusConnection): string {
  if (conn.localAddress !== '') return conn.localAddress;
  return isLoopback(conn.remoteAddress) ? conn.remoteAddress : '0.0.0.0';
}

export class HarnessConn {
  /**
   * Decodes what the harness writes as the target does (one per connection: raw bytes may split
   * frames); replaced by the adopted outcome's copy when a target may decode differently (UND-11).
   */
  decoder: FrameDecoder;
  queue: Expectation[] = [];
  life: ConnLife = { kind: 'open', undo: null };
  /**
   * The request written where only a close is still due, to prove the connection kept open
   * (steps.ts proveStillOpen): an answer with this id is the proof (arrivals.ts provenOpen).
   * `afterClosingError`: the target did write the closing error (else another answer). `before`:
   * the model before the exchange, which the target still holds of this connection if it answers.
   */
  closeProof: { id: string; afterClosingError: boolean; before: State } | null = null;
  /**
   * The kind of the removal close reported missing on this connection, if any: the target closing
   * it later after all shows that kind (Core.markClosed; absent-outputs.ts).
   */
  lateClose: OutputKind | null = null;
  /** Whether the harness wrote a Handshake, and a Login after it, on this connection (TrafficStats `logins`). */
  readonly wrote = { handshake: false, login: false };
  private conn_: NexusConnection | null = null;
  private unwatch: () => void = () => {};

  constructor(
    readonly id: ConnId,
    /** Actor name, for failure messages and transcripts. */
    readonly label: string,
    profile: Profile,
  ) {
    this.decoder = new FrameDecoder({ isKnownType: isClientType, limitFor: frameLimitFor(profile) });
  }

  get conn(): NexusConnection | null {
    return this.conn_;
  }

  get closed(): boolean {
    return this.life.kind === 'closed';
  }

  get removed(): boolean {
    return this.life.kind === 'removed';
  }

  /** The target may close now without a failure (optional close, E! carrier, removed session). */
  get closeTolerated(): boolean {
    return this.life.kind === 'may-close' || this.life.kind === 'removed';
  }

  /**
   * Attaches the socket and starts reading its inbox: what arrived before (the raw client's
   * exchanges on the control connection) is not the lockstep's; every later arrival wakes the engine
   * (and `arrived` hears the frame).
   */
  attach(
    conn: NexusConnection,
    wake: () => void,
    tap: ((e: TrafficEvent) => void) | undefined,
    arrived: ((frame: Received) => void) | undefined,
  ): void {
    this.conn_ = conn;
    conn.inbox.discardPending();
    tap?.({ at: Date.now(), conn: this.id, actor: this.label, dir: 'opened', text: '' });
    this.unwatch = conn.inbox.watch((a) => {
      if (a.kind === 'frame') {
        const r = a.frame;
        arrived?.(r);
        tap?.(
          lazyText({ at: r.at, conn: this.id, actor: this.label, dir: 'received' as const, type: r.raw.type, id: r.raw.id }, () =>
            r.message ? renderMessage(r.message) : renderBytes(r.raw.payload),
          ),
        );
      } else {
        tap?.({ at: Date.now(), conn: this.id, actor: this.label, dir: 'closed', text: '' });
      }
      wake();
    });
  }

  /** The next arrival not handled yet: a frame, or the close once every frame is handled. */
  next(): Arrival | null {
    return this.closed ? null : (this.conn_?.inbox.head() ?? null);
  }

  /** Marks the frame `next()` returned as handled. */
  handled(): void {
    this.conn_?.inbox.shift();
  }

  /** The spec allows a close from here on (unless the session is already removed, which allows more). */
  tolerateClose(): void {
    if (this.life.kind === 'open') this.life = { kind: 'may-close', undo: this.life.undo };
  }

  /** SES-KICK-3 `nexusd`: the session is removed; the socket may close at any time or stay open. */
  markRemoved(): void {
    if (this.life.kind !== 'closed') this.life = { kind: 'removed' };
  }

  /** A settling probe is written: remember the model before it (see ConnLife). */
  startProbe(before: State): void {
    if (this.life.kind === 'open' || this.life.kind === 'may-close') this.life = { ...this.life, undo: before };
  }

  /** The probe settled what it was sent for: a close is no longer tolerated, nothing to undo. */
  endProbe(): void {
    if (this.life.kind === 'open' || this.life.kind === 'may-close') this.life = { kind: 'open', undo: null };
  }

  /** The model before the probe, when the target closed instead of reading it and that was allowed. */
  probeUndo(): State | null {
    return this.life.kind === 'may-close' ? this.life.undo : null;
  }

  /** The connection is handled as closed: nothing more is read from it (called by Core.markClosed, which reads a late removal close first). */
  markClosed(): void {
    if (this.life.kind === 'closed') return;
    this.life = { kind: 'closed', instead: this.closeTolerated };
    this.unwatch();
  }

  /** Whether a missing answer is explained by a close the spec allowed (Answer.closedInstead). */
  get closedInstead(): boolean {
    return this.life.kind === 'closed' && this.life.instead;
  }

  /** Drops what was received and expected so far (raw cleanup, raw requests made outside the lockstep). */
  forget(): void {
    this.conn_?.inbox.discardPending();
    this.queue = [];
  }

  /** How `decide` (outcomes.ts) sees this connection. */
  view(): ConnView {
    return {
      id: this.id,
      queue: this.queue,
      inbox: this.conn_?.inbox.frames() ?? [],
      closed: this.conn_?.closeInfo != null,
      closeTolerated: this.life.kind === 'may-close',
      lazyRemoved: this.life.kind === 'removed',
    };
  }
}
