// A failed check is re-run once on fresh connections (retry): pass-after-fail is `flaky` (never a
// pass) with its attempt counts and the first attempt's failures; a second failure stays `failed`.
// Failed and flaky results carry the transcript of every connection involved, passwords masked.
import { describe, expect, it } from 'vitest';
import type { TrafficEvent } from '../../src/runner/lockstep.ts';
import { check, section, user } from '../../src/runner/api.ts';
import { runSuite } from '../../src/runner/run.ts';
import { perTest } from '../support/per-test.ts';
import { runOptions, TEST_ADMIN as ADMIN } from '../support/options.ts';

const { serve } = perTest('nc-test-');

/** Sections whose `flaky` check fails on its first run only. */
function demo() {
  let runs = 0;
  return section({ id: 'demo/retry', title: 'Retries' }, [
    check({
      id: 'flaky',
      title: 'Fails the first time only',
      rules: ['USR-LIST-3'],
      actors: { viewer: user({ permissions: ['user_list'] }) },
      run: async ({ viewer }, t) => {
        await viewer.request('UserList', {}).expectSuccess();
        runs++;
        t.assert(runs > 1, 'USR-LIST-3', 'the second run passes');
      },
    }),
    check({
      id: 'always',
      title: 'Always fails',
      rules: ['USR-LIST-3'],
      actors: { viewer: user({ permissions: ['user_list'] }) },
      run: async ({ viewer }, t) => {
        await viewer.request('UserList', {}).expectSuccess();
        t.assert(false, 'USR-LIST-3', 'never holds');
      },
    }),
    check({
      id: 'fine',
      title: 'Passes',
      rules: ['USR-LIST-3'],
      actors: { viewer: user({ permissions: ['user_list'] }) },
      run: async ({ viewer }) => void (await viewer.request('UserList', {}).expectSuccess()),
    }),
  ]);
}

async function run(retry: boolean, onTraffic?: (e: TrafficEvent) => void) {
  const srv = await serve({ port: 0 });
  const result = await runSuite(runOptions(srv, { seed: 11, sections: [demo()], retry, ...(onTraffic ? { onTraffic } : {}) }));
  return { result, byId: Object.fromEntries(result.checks.map((c) => [c.id.split('/').pop()!, c])) };
}

describe('retry and transcripts', () => {
  it('reports pass-after-fail as flaky with counts, a repeated failure as failed', async () => {
    const heard: TrafficEvent[] = [];
    const { result, byId } = await run(true, (e) => heard.push(e));
    expect(byId.flaky).toMatchObject({ status: 'flaky', attempts: { runs: 2, failed: 1 } });
    expect(byId.flaky!.failures[0]).toMatchObject({ rule: 'USR-LIST-3', expected: ['the second run passes'] });
    expect(byId.always).toMatchObject({ status: 'failed', attempts: { runs: 2, failed: 2 } });
    expect(byId.fine).toMatchObject({ status: 'passed' });
    expect(byId.fine!.transcript).toBeUndefined();
    expect(result.summary).toEqual({ passed: 1, failed: 1, skipped: 0, flaky: 1, total: 3 });
    // The caller's own tap still hears everything.
    expect(heard.some((e) => e.type === 'UserList')).toBe(true);
  });

  it('without retry the first failure stands', async () => {
    const { byId } = await run(false);
    expect(byId.flaky).toMatchObject({ status: 'failed' });
    expect(byId.flaky!.attempts).toBeUndefined();
  });

  it("attaches the failed attempt's transcript of every connection, passwords masked", async () => {
    const { result, byId } = await run(false);
    const t = byId.always!.transcript!;
    const actors = new Set(t.entries.map((e) => e.actor));
    expect(actors.has('viewer')).toBe(true);
    expect(t.entries.map((e) => e.dir)).toEqual(expect.arrayContaining(['opened', 'sent', 'received']));
    expect(t.entries.some((e) => e.dir === 'sent' && e.text.includes('|Login|') && e.text.includes('"password":"***"'))).toBe(true);
    expect(t.entries.some((e) => e.dir === 'received' && e.text.includes('UserListResponse'))).toBe(true);
    expect(JSON.stringify(result)).not.toContain(ADMIN.password);
  });
});
