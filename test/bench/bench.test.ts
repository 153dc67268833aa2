// The bench (npm run bench) on a tiny budget: it runs end to end and writes the report shape the
// issue asks for (to reports/bench-quick.json, so CI keeps it). Timing never decides this test: only the shape, the counts and that the soak
// crashed nothing are checked.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const isFigure = (f: unknown): void => {
  expect(f).toMatchObject({ median: expect.any(Number), min: expect.any(Number), max: expect.any(Number), runs: expect.any(Number) });
  const x = f as { median: number; min: number; max: number };
  expect(x.min).toBeLessThanOrEqual(x.median);
  expect(x.median).toBeLessThanOrEqual(x.max);
};

describe('npm run bench -- --quick', () => {
  it('writes its report (reports/bench-quick.json) with every block of the issue', () => {
    // Kept in reports/ (CI's artifacts): this test is the CI step that proves the bench runs.
    const out = 'reports/bench-quick.json';
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/main.ts', '--quick', '--grep', 'users/info/success', '--jobs', '4', '--out', out],
      {
        encoding: 'utf8',
        timeout: 290_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('| Figure |');
    const report = JSON.parse(readFileSync(out, 'utf8'));

    for (const k of ['wallMs', 'rttMs', 'loginMs', 'connectMs', 'floorMs', 'ratio', 'peakRssMb'] as const) isFigure(report.suite[k]);
    expect(report.suite.roundTrips).toBeGreaterThan(0);
    expect(report.suite.connections).toBeGreaterThan(0);
    expect(report.suite.checks.failed).toBe(0);
    expect(report.suite.server).toBe('own process');
    // The way `nexus-conform` with no target runs: the server in the harness's process, its own floor.
    expect(report.suiteEmbedded).toMatchObject({ jobs: 1, server: 'harness process', roundTrips: report.suite.roundTrips });
    for (const k of ['wallMs', 'rttMs', 'loginMs', 'floorMs', 'ratio'] as const) isFigure(report.suiteEmbedded[k]);
    expect(report.suiteEmbedded.checks.failed).toBe(0);
    // The same run repeated in its process: what the harness costs once V8 has compiled it.
    for (const block of [report.suite, report.suiteEmbedded]) {
      expect(block.warm).toMatchObject({ run: 2, failed: 0 });
      for (const k of ['wallMs', 'floorMs', 'ratio', 'cpuMs'] as const) isFigure(block.warm[k]);
    }
    // Where the harness's CPU went by thread: Linux's scheduler statistics, null elsewhere.
    for (const t of [report.suite.threads, report.suite.warm.threads, report.suiteEmbedded.threads]) {
      if (process.platform !== 'linux') expect(t).toBeNull();
      else for (const k of ['mainOnCpuMs', 'mainWaitMs', 'otherThreadsOnCpuMs'] as const) isFigure(t[k]);
    }
    if (process.platform === 'linux') expect(report.suite.threads.mainOnCpuMs.median).toBeGreaterThan(0);
    for (const t of ['plain', 'tls'] as const) {
      isFigure(report.floor[t].rttMs);
      isFigure(report.floor[t].loginMs);
      isFigure(report.floor[t].connectMs);
    }
    isFigure(report.failingSuite.wallMs);
    expect(report.failingSuite.checks.failed).toBeGreaterThan(0); // the server really dropped a broadcast family
    // The catalogue sweep, on the quick budget's first faults: each run against a passing one.
    expect(report.catalogue).toMatchObject({ jobs: 4, passingWallMs: expect.any(Number), medianRatio: expect.any(Number) });
    expect(report.catalogue.faults + report.catalogue.notRun.length).toBe(3);
    expect(report.catalogue.slowest.length).toBe(report.catalogue.faults);
    for (const x of report.catalogue.slowest) {
      expect(x).toMatchObject({ fault: expect.stringMatching(/^[a-z0-9-]+$/), wallMs: expect.any(Number), failed: expect.any(Number) });
      expect(x.ratio).toBeCloseTo(x.wallMs / report.catalogue.passingWallMs, 1);
    }

    for (const name of ['frames', 'validators', 'stateful']) {
      const f = report.fuzz[name];
      if (f.available === false) expect(f.reason).toEqual(expect.any(String));
      else {
        expect(f.cases).toBeGreaterThan(0);
        for (const k of ['casesPerSecond', 'requestsPerSecond', 'peakRssMb']) isFigure(f[k]);
        if (name === 'frames') for (const k of ['casesPerSecond', 'steadyCasesPerSecond', 'peakRssMb']) isFigure(f.fast[k]);
      }
    }

    expect(report.server.sessions).toBeGreaterThan(0);
    isFigure(report.server.userList.p50Ms);
    isFigure(report.server.userList.p99Ms);
    isFigure(report.server.broadcastAllMs);
    isFigure(report.server.rssPerSessionKb);
    expect(report.server.soak).toMatchObject({ frames: expect.any(Number), crashes: 0, peakRssMb: expect.any(Number) });
    expect(report.server.soak.frames).toBeGreaterThan(0);
    isFigure(report.startup.helpMs);
    isFigure(report.startup.listMs);
    expect(report.machine).toMatchObject({ cpus: expect.any(Number), node: process.version });
  }, 300_000);

  it('refuses bad options with one line and exit 2', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/main.ts', '--runs', 'many'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--runs');
  }, 60_000);
});
