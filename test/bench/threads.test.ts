// bench/threads.ts: a run's CPU by thread, from two samples of Linux's scheduler statistics.
import { describe, expect, it } from 'vitest';
import { sampleThreads, threadTimesBetween, type ThreadSample } from '../../bench/threads.ts';

const ms = 1e6;

describe('threadTimesBetween', () => {
  it('splits the time between the samples into the main thread (on a core, waiting) and the others', () => {
    const before: ThreadSample = new Map([
      [process.pid, [100 * ms, 10 * ms]],
      [process.pid + 1, [50 * ms, 5 * ms]],
    ]);
    const after: ThreadSample = new Map([
      [process.pid, [350 * ms, 70 * ms]],
      [process.pid + 1, [80 * ms, 9 * ms]],
      // Started between the samples: all of its time is the run's.
      [process.pid + 2, [40 * ms, 1 * ms]],
    ]);
    expect(threadTimesBetween(before, after)).toEqual({ mainOnCpuMs: 250, mainWaitMs: 60, otherThreadsOnCpuMs: 70 });
  });

  it('is null when either sample is missing (no /proc)', () => {
    const s: ThreadSample = new Map([[process.pid, [1, 1]]]);
    expect(threadTimesBetween(null, s)).toBeNull();
    expect(threadTimesBetween(s, null)).toBeNull();
  });

  it('reads this process on Linux (the main thread among its threads, its counters never going back), nothing elsewhere', () => {
    const a = sampleThreads();
    const b = sampleThreads();
    if (process.platform !== 'linux') {
      expect(a).toBeNull();
      return;
    }
    expect(a?.has(process.pid)).toBe(true);
    const t = threadTimesBetween(a, b)!;
    for (const v of Object.values(t)) expect(v).toBeGreaterThanOrEqual(0);
  });
});
