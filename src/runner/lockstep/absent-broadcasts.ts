// Broadcast types the target has never sent in this run. Only a timeout proves a broadcast to
// another connection missing (WIRE-ORD-3), so a target that never sends one type at all (say
// `UserConnected`) costs every check that expects it the whole `--timeout`: minutes for a suite.
// Once FULL_MISSES waits of the whole timeout found a type missing and no frame of that type has
// arrived on any connection of the run, the type is presumed absent: a later wait that misses only
// presumed-absent broadcasts ends at once and fails with a note saying so. A presumption never
// decides a verdict alone: when a frame of the type arrives later in the run, the presumption ends
// and every check that failed on it runs again with full waits (schedule.ts), so a presumed verdict
// stands only against a target that sent none in the whole run. Shared by every lane of a run;
// pure bookkeeping, no I/O.

/** Full-timeout misses of a type, with none of its frames seen, before it is presumed absent. */
export const FULL_MISSES = 1;

export class AbsentBroadcasts {
  private readonly seen = new Set<string>();
  private readonly fullMisses = new Map<string, number>();

  /** A frame of this type arrived on a connection of the run (expected or not). */
  saw(type: string): void {
    this.seen.add(type);
  }

  /** A wait of the whole timeout ended with a broadcast of this type still missing. */
  missedInFullWait(type: string): void {
    this.fullMisses.set(type, (this.fullMisses.get(type) ?? 0) + 1);
  }

  /** Whether a wait that misses only broadcasts of this type may end early. */
  presumed(type: string): boolean {
    return !this.seen.has(type) && (this.fullMisses.get(type) ?? 0) >= FULL_MISSES;
  }

  /** Whether a frame of this type has arrived in the run (a verdict presumed on it must be re-checked). */
  hasSeen(type: string): boolean {
    return this.seen.has(type);
  }

  /** The note on a failure presumed on this type. */
  note(type: string): string {
    const n = this.fullMisses.get(type) ?? 0;
    const waits = n === 1 ? 'an earlier wait of the whole timeout' : `${n} earlier waits of the whole timeout`;
    return `no ${type} had arrived on any connection of this run and ${waits} found none, so this one was not waited for`;
  }
}
