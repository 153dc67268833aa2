// runPlanned's order of results: plan order as they settle, except a check held on a presumed
// absence, which comes last, after one notice saying why; its value keeps plan order. A scripted
// lane stands in for the target, so each case is exact (what failed on a presumption, what showed
// the type later).
import { describe, expect, it } from 'vitest';
import { check, section } from '../../src/runner/api.ts';
import type { Lane } from '../../src/runner/lane.ts';
import type { CheckResult } from '../../src/runner/results.ts';
import { runPlanned, type LaneSource, type Planned } from '../../src/runner/schedule.ts';
import type { OutputKind } from '../../src/runner/lockstep.ts';

const SECTION = section({ id: 'demo', title: 'demo' }, []);
const plan = (n: number): Planned[] =>
  Array.from({ length: n }, (_, i) => ({
    section: SECTION,
    check: check({ id: `c${i}`, title: `c${i}`, rules: ['GEN-1'], run: async () => {} }),
  }));

/** What the scripted lane's runs of one check do: `presumed` fails on a presumed UserConnected after a Login. */
type Run = 'pass' | 'fail' | 'presumed';

/** When the presumed type shows up: never, once the plan has run (before the held checks run again), or as soon as a check failed on it. */
type Seen = 'never' | 'at-the-end' | 'at-once';

function scripted(runs: Record<string, Run[]>, seen: Seen, planned: number) {
  let presumedNow: OutputKind[] = [];
  const ran: string[] = [];
  const lane = {
    concurrent: false,
    leavesGuest: false,
    presumedInLastCheck: () => presumedNow,
    runCheck: async (_s: unknown, c: { id: string }): Promise<CheckResult> => {
      ran.push(c.id);
      const outcome = runs[c.id]?.shift() ?? 'pass';
      presumedNow = outcome === 'presumed' ? [{ type: 'UserConnected', cause: 'Login', side: 'holder' }] : [];
      const status = outcome === 'pass' ? 'passed' : 'failed';
      return {
        id: `demo/${c.id}`,
        section: 'demo',
        title: c.id,
        rules: ['GEN-1'],
        errors: [],
        status,
        failures: [],
        durationMs: 1,
        roundTrips: 1,
      };
    },
  } as unknown as Lane;
  let closes = 0;
  const source = {
    stopped: null,
    absent: { hasSeen: () => seen === 'at-once' || (seen === 'at-the-end' && new Set(ran).size === planned) },
    openLanes: async () => [lane],
    closeOtherLanes: async () => void closes++,
  } as unknown as LaneSource;
  return { source, ran, closes: () => closes };
}

async function run(runs: Record<string, Run[]>, seen: Seen) {
  const s = scripted(runs, seen, 5);
  const streamed: string[] = [];
  const results = await runPlanned(s.source, plan(5), {
    jobs: 1,
    retry: false,
    onResult: (r) => streamed.push(`${r.id.slice(5)}:${r.status}`),
    onNotice: (line) => streamed.push(`notice: ${line}`),
  });
  return { streamed, results: results.map((r) => `${r.id.slice(5)}:${r.status}`), ran: s.ran, closes: s.closes() };
}

describe('runPlanned: results held on a presumed absence', () => {
  it('streams the other results past a held one; the held one comes last, after a notice, and still stands', async () => {
    const r = await run({ c1: ['presumed'], c3: ['fail'] }, 'never');
    expect(r.streamed).toEqual([
      'c0:passed',
      'c2:passed',
      'c3:failed',
      'c4:passed',
      'notice: 1 check failed while no UserConnected after a Login had arrived, so their results were held for the end of the run: 1 check stands: none arrived in the whole run.',
      'c1:failed',
    ]);
    expect(r.results).toEqual(['c0:passed', 'c1:failed', 'c2:passed', 'c3:failed', 'c4:passed']);
    expect(r.ran).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
  });

  it('a type that arrived later: the held checks run again, alone, and their second verdict is the one reported', async () => {
    const r = await run({ c0: ['presumed', 'pass'], c2: ['presumed', 'fail'] }, 'at-the-end');
    expect(r.ran).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c0', 'c2']);
    expect(r.closes).toBe(1);
    expect(r.streamed).toEqual([
      'c1:passed',
      'c3:passed',
      'c4:passed',
      'notice: 2 checks failed while no UserConnected after a Login had arrived, so their results were held for the end of the run: 2 checks ran again with full waits once one arrived.',
      'c0:passed',
      'c2:failed',
    ]);
    expect(r.results).toEqual(['c0:passed', 'c1:passed', 'c2:failed', 'c3:passed', 'c4:passed']);
  });

  it('a presumption disproved by the time its check ended: the check runs again at once, on its lane, and nothing is held', async () => {
    const r = await run({ c1: ['presumed', 'pass'], c3: ['presumed', 'fail'] }, 'at-once');
    expect(r.ran).toEqual(['c0', 'c1', 'c1', 'c2', 'c3', 'c3', 'c4']);
    expect(r.closes).toBe(0);
    expect(r.streamed).toEqual(['c0:passed', 'c1:passed', 'c2:passed', 'c3:failed', 'c4:passed']);
  });

  it('nothing held: plan order and no notice', async () => {
    const r = await run({ c2: ['fail'] }, 'never');
    expect(r.streamed).toEqual(['c0:passed', 'c1:passed', 'c2:failed', 'c3:passed', 'c4:passed']);
  });
});
