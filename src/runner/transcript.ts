// Per-check transcripts: the session's traffic tap (every frame, open and close of every harness
// connection, passwords masked by render.ts) recorded while a check runs, so a failed check's
// result carries the exchange of every connection involved. Long checks keep their head and their
// tail (where a failure usually is) and say how much was left out. Events are kept as heard and
// rendered only when a transcript is asked for (most checks pass and never show theirs).
import type { TrafficEvent } from './lockstep.ts';
import type { TranscriptEntry } from './results.ts';

const HEAD = 150;
const TAIL = 250;

export class TranscriptRecorder {
  private head: TrafficEvent[] = [];
  private tail: TrafficEvent[] = [];
  private omitted = 0;
  private recording = false;

  /** The tap to hand to the lockstep; forwards every event to `next` (the caller's own tap). */
  tap(next?: (e: TrafficEvent) => void): (e: TrafficEvent) => void {
    return (e) => {
      if (this.recording) this.add(e);
      next?.(e);
    };
  }

  start(): void {
    this.head = [];
    this.tail = [];
    this.omitted = 0;
    this.recording = true;
  }

  /** Stops recording; the result renders what was heard since start() when called. */
  stop(): () => { entries: TranscriptEntry[]; omitted: number } {
    this.recording = false;
    const { head, tail, omitted } = this;
    return () => ({ entries: [...head, ...tail].map(toEntry), omitted });
  }

  private add(e: TrafficEvent): void {
    if (this.head.length < HEAD) {
      this.head.push(e);
      return;
    }
    this.tail.push(e);
    if (this.tail.length > TAIL) {
      this.tail.shift();
      this.omitted++;
    }
  }
}

function toEntry(e: TrafficEvent): TranscriptEntry {
  return { at: e.at, conn: e.conn, actor: e.actor, dir: e.dir, text: e.text };
}
