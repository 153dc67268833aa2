// A connection's inbox: the one ordered stream of what the peer sent — decoded frames in arrival
// order, then the close — that every consumer reads (the lockstep's arrivals, the raw client's
// requests). Consumers take frames out of the pending queue; watchers are told of every arrival
// (to wake a waiting consumer or record traffic) but never take anything. Nothing is kept once
// taken: what the inbox holds is what its consumers have not taken yet, so a reader that needs
// something from the whole stream folds it from a watcher as frames arrive (server-info-seen.ts).
import type { Message, RawFrame } from '../protocol/types.ts';
import type { CloseInfo } from './errors.ts';

export interface Received {
  /** Arrival order across every connection of the process (see nextSeq). */
  seq: number;
  /** null when the payload is not a UTF-8 JSON object (see parseError). */
  message: Message | null;
  raw: RawFrame;
  /** Arrival time, ms since the epoch. */
  at: number;
  parseError?: string;
}

/** One item of the stream: a frame, or the close that ends it. */
export type Arrival = { kind: 'frame'; frame: Received; seq: number } | { kind: 'close'; info: CloseInfo; seq: number };

let seqCounter = 0;
/**
 * Next value of the process-wide arrival counter. It only orders events (frames and closes of
 * every connection, so the lockstep can handle them in the order they happened); nothing reads its
 * value as data, so sharing it between runs in one process changes nothing.
 */
export function nextSeq(): number {
  seqCounter += 1;
  return seqCounter;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A decoded frame as the inbox keeps it, stamped with its arrival order and time. */
export function toReceived(raw: RawFrame): Received {
  const r: Received = { seq: nextSeq(), message: null, raw, at: Date.now() };
  let text: string;
  try {
    text = utf8.decode(raw.payload);
  } catch {
    r.parseError = 'payload is not valid UTF-8';
    return r;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    r.parseError = `payload is not JSON: ${(e as Error).message}`;
    return r;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    r.parseError = 'payload is not a JSON object';
    return r;
  }
  r.message = { type: raw.type, id: raw.id, body: value as Record<string, unknown> };
  return r;
}

export class Inbox {
  private pending: Received[] = [];
  private pendingPayload = 0;
  private arrived = 0;
  private end: CloseInfo | null = null;
  private readonly watchers = new Set<(a: Arrival) => void>();

  // --- written by the connection ---------------------------------------------------------------------

  /** A frame arrived. */
  push(r: Received): void {
    if (this.end !== null) return;
    this.arrived += 1;
    this.pending.push(r);
    this.pendingPayload += r.raw.payload.length;
    this.tell({ kind: 'frame', frame: r, seq: r.seq });
  }

  /** The stream ended; nothing arrives after this. */
  close(info: CloseInfo): void {
    if (this.end !== null) return;
    this.end = info;
    this.tell({ kind: 'close', info, seq: info.seq });
  }

  // --- read by consumers -------------------------------------------------------------------------------

  /** Frames received so far, taken or not (a counter: the frames themselves are gone once taken). */
  get count(): number {
    return this.arrived;
  }

  /** Frames not taken yet. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Payload bytes of the frames not taken yet, all together. */
  get pendingBytes(): number {
    return this.pendingPayload;
  }

  /** How the stream ended, once it has. */
  get closeInfo(): CloseInfo | null {
    return this.end;
  }

  /** Frames not taken yet, in arrival order. */
  frames(): readonly Received[] {
    return this.pending;
  }

  /** The next item of the stream: the first frame not taken, else the close once there is one. */
  head(): Arrival | null {
    const f = this.pending[0];
    if (f) return { kind: 'frame', frame: f, seq: f.seq };
    return this.end === null ? null : { kind: 'close', info: this.end, seq: this.end.seq };
  }

  /** Takes the first frame not taken yet. */
  shift(): Received | undefined {
    return this.taken(this.pending.shift());
  }

  /** Takes `r` out of the queue; false when it was taken already. */
  remove(r: Received): boolean {
    const i = this.pending.lastIndexOf(r);
    if (i < 0) return false;
    this.taken(this.pending.splice(i, 1)[0]);
    return true;
  }

  /** Takes the first pending frame `pred` accepts (pred may throw: the caller's to handle). */
  takeFirst(pred: (r: Received) => boolean): Received | undefined {
    const i = this.pending.findIndex(pred);
    return i < 0 ? undefined : this.taken(this.pending.splice(i, 1)[0]);
  }

  /** Drops every pending frame (a new consumer starts from what arrives next). */
  discardPending(): void {
    this.pending = [];
    this.pendingPayload = 0;
  }

  /** Calls `watcher` for every later arrival, frames and the close. Returns the unsubscribe function. */
  watch(watcher: (a: Arrival) => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  private taken(r: Received | undefined): Received | undefined {
    if (r) this.pendingPayload -= r.raw.payload.length;
    return r;
  }

  private tell(a: Arrival): void {
    for (const w of [...this.watchers]) w(a);
  }
}
