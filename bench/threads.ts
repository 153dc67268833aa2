// Where a run's CPU went by thread of this process, from Linux's per-thread scheduler statistics
// (/proc/self/task/<tid>/schedstat: ns on a core, ns runnable but waiting for one). The main thread
// runs the harness (and, embedded, the reference server); the others are V8's compiler and garbage
// collector helpers (and libuv's pool, idle here). A run's wall time is about the main thread's time
// on a core plus its time waiting for one: what it waits for is the other threads and the server
// process on a machine with fewer cores than runnable threads. Elsewhere than Linux: null.
import { readdirSync, readFileSync } from 'node:fs';

export interface ThreadTimes {
  /** The main thread's time on a core, ms. */
  mainOnCpuMs: number;
  /** The main thread's time runnable but waiting for a core, ms. */
  mainWaitMs: number;
  /** Every other thread's time on a core, ms (V8's optimising compiler, GC helpers). */
  otherThreadsOnCpuMs: number;
}

/** Each live thread's [ns on a core, ns waiting] by thread id; null without /proc. */
export type ThreadSample = Map<number, readonly [number, number]>;

export function sampleThreads(): ThreadSample | null {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return null;
  }
  const out: ThreadSample = new Map();
  for (const tid of tids) {
    try {
      const [onCpu, waiting] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      if (Number.isFinite(onCpu) && Number.isFinite(waiting)) out.set(Number(tid), [onCpu!, waiting!]);
    } catch {
      // The thread ended between the listing and the read: its time is not counted.
    }
  }
  return out.has(process.pid) ? out : null;
}

/** The time each thread spent between two samples (a thread started since counts from zero). */
export function threadTimesBetween(before: ThreadSample | null, after: ThreadSample | null): ThreadTimes | null {
  if (before === null || after === null) return null;
  let mainOn = 0;
  let mainWait = 0;
  let others = 0;
  for (const [tid, [on, wait]] of after) {
    const [on0, wait0] = before.get(tid) ?? [0, 0];
    if (tid === process.pid) {
      mainOn = on - on0;
      mainWait = wait - wait0;
    } else others += on - on0;
  }
  const ms = (ns: number) => Math.round(ns / 1e6);
  return { mainOnCpuMs: ms(mainOn), mainWaitMs: ms(mainWait), otherThreadsOnCpuMs: ms(others) };
}
