// The CI gate: --update-baseline records the run's failures; --expect-failures lets exactly those
// pass the gate (reported as expected), fails it again for a new failure or for a listed check that
// now passes, and rejects a malformed list with one clear line.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import type { JsonReport } from '../../src/report/json.ts';
import type { ReferenceServer } from '../../src/server/server.ts';
import { perTest } from '../support/per-test.ts';

const { serve, tempDir } = perTest('nexus-conform-expect-');
let dir: string;
let server: ReferenceServer;

beforeEach(async () => {
  dir = tempDir();
  // Never broadcasts UserDisconnected (SES-BC-3): the presence checks fail, the handshake ones pass.
  server = await serve({
    port: 0,
    faults: [
      {
        step: (s, e, next) => {
          const r = next(s, e);
          return { ...r, outputs: r.outputs.filter((o) => !(o.kind === 'send' && o.message.type === 'UserDisconnected')) };
        },
      },
    ],
  });
});

async function cli(...extra: string[]): Promise<{ code: number; out: string; err: string; report: JsonReport }> {
  const out: string[] = [];
  const err: string[] = [];
  const json = join(dir, `r-${Math.random()}.json`);
  const io = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env: { NO_COLOR: '1' },
    process: false,
  };
  const args = [
    `${server.host}:${server.port}`,
    '--admin',
    'root:expect-pw',
    '--grep',
    '/^session\\/(presence|handshake)\\//',
    '--timeout',
    '600',
    '--no-retry',
    '--quiet',
    '--json',
    json,
    ...extra,
  ];
  const code = await main(args, io);
  let report = {} as JsonReport;
  try {
    report = JSON.parse(readFileSync(json, 'utf8')) as JsonReport;
  } catch {
    // no report (usage error)
  }
  return { code, out: out.join(''), err: err.join(''), report };
}

describe('--expect-failures and --update-baseline', () => {
  it('records the failures, then gates only on changes', async () => {
    const baseline = join(dir, 'known.json');
    const first = await cli('--update-baseline', baseline);
    expect(first.code).toBe(1);
    const failedIds = first.report.checks.filter((c) => c.status === 'failed').map((c) => c.id);
    expect(failedIds.length).toBeGreaterThan(0);
    const list = JSON.parse(readFileSync(baseline, 'utf8')) as { expectedFailures: Array<{ check: string; reason: string }> };
    expect(list.expectedFailures.map((e) => e.check)).toEqual(failedIds);
    expect(list.expectedFailures[0]!.reason).toMatch(/^baseline: SES-BC-3/);

    // Exactly the known failures: the gate passes, each is reported as expected.
    const second = await cli('--expect-failures', baseline);
    expect(second.code).toBe(0);
    expect(second.out).toContain(`${failedIds.length} failed as expected`);
    expect(second.report.checks.filter((c) => c.expectedFailure?.held === true).map((c) => c.id)).toEqual(failedIds);

    // A listed check that passes now fails the gate (the list must shrink); a known one missing from
    // the list fails it as well.
    const passing = first.report.checks.find((c) => c.status === 'passed')!.id;
    writeFileSync(
      baseline,
      JSON.stringify({ expectedFailures: [...list.expectedFailures.slice(1), { check: passing, reason: 'thought broken' }] }),
    );
    const third = await cli('--expect-failures', baseline);
    expect(third.code).toBe(1);
    expect(third.out).toContain(`pass now (remove them from ${baseline}): ${passing}`);
    expect(third.report.checks.find((c) => c.id === passing)!.expectedFailure).toEqual({ reason: 'thought broken', held: false });
    expect(third.report.checks.find((c) => c.id === failedIds[0])!.expectedFailure).toBeUndefined();
  });

  it('rejects a malformed list with one line and exit 2', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ expectedFailures: [{ check: 'x' }] }));
    const run = await cli('--expect-failures', bad);
    expect(run.code).toBe(2);
    expect(run.err.trim().split('\n')).toHaveLength(1);
    expect(run.err).toContain('expectedFailures.0.reason');
  });
});
