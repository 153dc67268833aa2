// When an overdue answer is proven with a barrier (answer-time.ts): never before one exchange
// completed, never sooner than the floor, never later than the timeout, tracking the target's pace.
import { describe, expect, it } from 'vitest';
import { AnswerTime } from '../../src/runner/lockstep/answer-time.ts';

describe('AnswerTime', () => {
  it('waits the whole timeout until an exchange has completed', () => {
    expect(new AnswerTime().grace(2000)).toBe(2000);
  });

  it('proves after ten typical exchanges, at least 10 ms, at most the timeout', () => {
    const fast = new AnswerTime();
    fast.completed(0.4);
    expect(fast.grace(2000)).toBe(10);
    const remote = new AnswerTime();
    remote.completed(60);
    expect(remote.grace(2000)).toBe(600);
    expect(remote.grace(300)).toBe(300);
  });

  it('follows the target when it slows down, without jumping at one slow exchange', () => {
    const t = new AnswerTime();
    t.completed(2);
    t.completed(202); // one slow answer moves the estimate by a tenth of the difference
    expect(t.grace(10_000)).toBeCloseTo(220, 5);
    for (let i = 0; i < 100; i++) t.completed(100);
    expect(t.grace(10_000)).toBeGreaterThan(990);
    expect(t.grace(10_000)).toBeLessThanOrEqual(1000 + 1e-6);
  });
});
