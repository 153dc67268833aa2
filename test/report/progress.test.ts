// Progress: a live line on a terminal, plain lines in CI, nothing otherwise; colours only on a
// terminal and never with NO_COLOR.
import { describe, expect, it } from 'vitest';
import { Progress } from '../../src/report/progress.ts';
import { check } from './fixtures.ts';

function harness(isTTY: boolean, env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  let now = 1_000;
  const p = new Progress({ write: (s: string) => out.push(s), isTTY }, 3, env, () => now);
  const tick = (ms: number) => (now += ms);
  return { out, p, tick };
}

const a1 = check({ id: 'a/x', section: 'a', status: 'passed' });
const a2 = check({ id: 'a/y', section: 'a', status: 'failed' });
const b1 = check({ id: 'b/z', section: 'b', status: 'passed' });

describe('progress', () => {
  it('redraws one live line on a terminal: section, done/total, failures, elapsed; coloured unless NO_COLOR', () => {
    const { out, p, tick } = harness(true, { TERM: 'xterm' });
    p.update(a1);
    tick(61_000);
    p.update(a2);
    expect(out.at(-1)).toBe('\r\x1b[Ka · 2/3 checks · \x1b[31m1 failed\x1b[39m · 1:01');
    p.clear();
    expect(out.at(-1)).toBe('\r\x1b[K');
    const plain = harness(true, { TERM: 'xterm', NO_COLOR: '1' });
    plain.p.update(a2);
    expect(plain.out.at(-1)).toBe('\r\x1b[Ka · 1/3 checks · 1 failed · 0:00');
  });

  it('prints a plain line per finished section in CI, nothing elsewhere', () => {
    const ci = harness(false, { CI: 'true' });
    [a1, a2, b1].forEach((r) => ci.p.update(r));
    ci.p.finish();
    expect(ci.out).toEqual(['progress: 2/3 checks, 1 failed, 0:00 (a done)\n', 'progress: 3/3 checks, 1 failed, 0:00 (b done)\n']);
    const piped = harness(false, {});
    [a1, a2, b1].forEach((r) => piped.p.update(r));
    piped.p.finish();
    expect(piped.out).toEqual([]);
  });
});
