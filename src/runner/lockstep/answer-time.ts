// How long the target usually takes to show what an exchange predicts, and from that, how long to
// wait before proving a missing answer with a round trip (steps.ts proveUnanswered). WIRE-ORD-1
// puts the answers to a request before anything the target writes after reading the next one, so
// once an answer is overdue a barrier request settles it in one round trip instead of a timeout.
// Sending the barrier too early costs only a round trip (a conforming target answers in order),
// so the estimate only decides speed, never a verdict. Pure: the caller measures and reports.

/** Never prove before this (ms): below it, scheduling noise on the harness's side dominates. */
const MIN_GRACE_MS = 10;
/** An answer is overdue after this many typical exchanges. */
const GRACE_FACTOR = 10;
/** Weight of the newest measure in the running estimate. */
const WEIGHT = 0.1;

export class AnswerTime {
  /** Running estimate (ms) of a completed exchange; null before the first. */
  private typical: number | null = null;

  /** An exchange that showed everything it predicted took `ms` (write to last arrival). */
  completed(ms: number): void {
    this.typical = this.typical === null ? ms : this.typical + WEIGHT * (ms - this.typical);
  }

  /**
   * How long to wait for an exchange's answers before proving them missing; `timeoutMs` (never
   * prove) until an exchange has completed, so a remote target's round trip is known first.
   */
  grace(timeoutMs: number): number {
    if (this.typical === null) return timeoutMs;
    return Math.min(timeoutMs, Math.max(MIN_GRACE_MS, GRACE_FACTOR * this.typical));
  }
}
