// `npm run bench [-- --quick] [--runs N] [--out FILE] [--only PARTS]`: measures every fast path of
// the harness and the reference server against its physical floor on loopback, writes
// reports/bench.json and prints a table. Not a test: nothing here passes or fails on timing; CI
// runs `--quick` once to prove the bench works. Every figure is the median of several runs with
// min and max (the machine may be shared), and each ratio is computed from figures of the same run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { measureCatalogue } from './catalogue.ts';
import { measureFuzz } from './fuzz.ts';
import { machineInfo } from './machine.ts';
import type { ServerProcess } from './processes.ts';
import { measureScale, type ScaleResult } from './scale.ts';
import { soak } from './soak.ts';
import { measureStartup } from './startup.ts';
import { figure } from './stats.ts';
import { FAILING_SERVERS, measureFailing, measureSuite, withServer } from './suite.ts';
import { MAX_LANES as MAX_JOBS } from '../src/runner/names.ts';
import { defaultJobs } from '../src/runner/schedule.ts';
import { formatTable } from './table.ts';
import type { BenchReport } from './report.ts';

const PARTS = ['suite', 'failing', 'catalogue', 'fuzz', 'server', 'soak', 'startup'] as const;
type Part = (typeof PARTS)[number];

type Budget = {
  suiteRuns: number;
  failingRuns: number;
  rttSamples: number;
  loginSamples: number;
  sessions: number;
  scaleRuns: number;
  listSamples: number;
  broadcasts: number;
  soakFrames: number;
  startupRuns: number;
  fuzzRuns: number;
  fuzzCases: number;
  /** Cases per run of the frame fuzzer's fast tier (`--frames-mode fast`): enough to amortise its set-up. */
  fuzzFastCases: number;
  /** `--grep` of the suite runs ('' = the whole suite). */
  suiteGrep: string;
  /** `--grep` of the failing-run measurement (and of its passing baseline); '' = the whole suite. */
  failingGrep: string;
  /** Lane counts (`--jobs`) the suite and the failing run are measured with, interleaved. */
  jobs: number[];
  /** Repeats of each suite run in its own process; the last one is the warm figure. */
  warmRepeats: number;
  /** `--grep` of the catalogue's runs ('' = the whole suite), and how many faults (absent: all). */
  catalogueGrep: string;
  catalogueFaults?: number;
};

const FULL: Budget = {
  suiteRuns: 5,
  // A failing whole-suite run takes a few seconds now that a broadcast type the target never sends
  // is presumed absent after one full wait (it used to wait ~369 × 2 s: one round only).
  failingRuns: 5,
  rttSamples: 300,
  loginSamples: 50,
  sessions: 1000,
  scaleRuns: 3,
  listSamples: 300,
  broadcasts: 7,
  soakFrames: 1_000_000,
  startupRuns: 5,
  fuzzRuns: 3,
  fuzzCases: 100,
  fuzzFastCases: 20_000,
  suiteGrep: '',
  // The whole suite: 369 of its checks expect the missing broadcast.
  failingGrep: '',
  jobs: [1, 4],
  // The third run of a process: V8 keeps compiling through the second one.
  warmRepeats: 2,
  catalogueGrep: '',
};
const QUICK: Budget = {
  suiteRuns: 1,
  failingRuns: 1,
  rttSamples: 50,
  loginSamples: 10,
  sessions: 50,
  scaleRuns: 1,
  listSamples: 30,
  broadcasts: 3,
  soakFrames: 5_000,
  startupRuns: 1,
  fuzzRuns: 1,
  fuzzCases: 5,
  fuzzFastCases: 200,
  suiteGrep: '',
  failingGrep: 'session/presence',
  jobs: [1, 4],
  warmRepeats: 1,
  catalogueGrep: 'session/presence',
  catalogueFaults: 3,
};

const SEED = 20_260_101;
const TIMEOUT_MS = 2000;
const SOAK_WORKERS = 4;

class BadInput extends Error {}

function parse(argv: string[]): { budget: Budget; quick: boolean; out: string; only: Set<Part> } {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      out: { type: 'string', default: 'reports/bench.json' },
      only: { type: 'string' },
      grep: { type: 'string' },
      jobs: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      `usage: npm run bench -- [--quick] [--runs N] [--out FILE] [--grep CHECKS] [--jobs 1,4,…] [--only ${PARTS.join(',')}]\n`,
    );
    process.exit(0);
  }
  const budget = { ...(values.quick ? QUICK : FULL) };
  if (values.runs !== undefined) {
    const n = Number(values.runs);
    if (!Number.isInteger(n) || n < 1 || n > 50) throw new BadInput(`--runs must be an integer 1..50, got ${JSON.stringify(values.runs)}`);
    budget.suiteRuns = n;
    budget.scaleRuns = n;
    budget.startupRuns = n;
    budget.failingRuns = Math.min(n, budget.failingRuns);
  }
  if (values.grep !== undefined) {
    if (values.grep === '') throw new BadInput('--grep needs a check id or title pattern');
    budget.suiteGrep = values.grep;
    budget.failingGrep = values.grep;
    budget.catalogueGrep = values.grep;
  }
  if (values.jobs !== undefined) {
    const list = values.jobs.split(',').map((x) => Number(x.trim()));
    if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_JOBS)) {
      throw new BadInput(`--jobs takes lane counts 1..${MAX_JOBS} separated by commas, got ${JSON.stringify(values.jobs)}`);
    }
    budget.jobs = [...new Set(list)];
  }
  const only = new Set<Part>();
  for (const p of (values.only ?? PARTS.join(',')).split(',').map((s) => s.trim())) {
    if (!(PARTS as readonly string[]).includes(p)) throw new BadInput(`--only takes ${PARTS.join(', ')}; got ${JSON.stringify(p)}`);
    only.add(p as Part);
  }
  return { budget, quick: values.quick === true, out: values.out!, only };
}

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

const ep = (s: ServerProcess, tls = false) => ({ host: '127.0.0.1', port: s.port, tls });

async function main(): Promise<number> {
  const { budget, quick, out, only } = parse(process.argv.slice(2));
  const machineStart = machineInfo();
  const report: BenchReport = {
    generatedAt: new Date().toISOString(),
    quick,
    seed: SEED,
    timeoutMs: TIMEOUT_MS,
    budget,
    machine: machineStart,
  };

  const timing = { seed: SEED, timeoutMs: TIMEOUT_MS };
  const preferred = <T extends { jobs: number }>(blocks: T[]): T => blocks.find((x) => x.jobs === defaultJobs(false)) ?? blocks[0]!;
  let suites: NonNullable<BenchReport['suiteByJobs']> = [];
  if (only.has('suite') || (only.has('failing') && budget.failingGrep === budget.suiteGrep)) {
    const m = await measureSuite(budget, timing, log);
    report.floor = m.floor;
    suites = m.suites;
    report.suite = preferred(suites);
    report.suiteByJobs = suites;
    report.suiteEmbedded = m.embedded;
  }
  if (only.has('failing')) {
    const blocks = await measureFailing(budget, timing, suites, log);
    report.failingSuite = preferred(blocks.filter((x) => x.dropped.join() === FAILING_SERVERS[0]!.missing.join()));
    report.failingByJobs = blocks;
  }

  if (only.has('catalogue')) {
    // One lane count: the CLI's default against a target (the sweep takes minutes per lane count).
    const jobs = defaultJobs(false);
    const limit = budget.catalogueFaults;
    report.catalogue = await measureCatalogue(
      { ...timing, jobs, grep: budget.catalogueGrep, ...(limit !== undefined ? { limit } : {}) },
      log,
    );
  }

  if (only.has('fuzz')) report.fuzz = await measureFuzz(budget.fuzzRuns, budget.fuzzCases, budget.fuzzFastCases, SEED, TIMEOUT_MS, log);

  if (only.has('server')) {
    const runs: ScaleResult[] = [];
    for (let i = 0; i < budget.scaleRuns; i++) {
      const n = budget.sessions;
      const r = await withServer({ accounts: n + 1, permissions: ['user_list'], maxConnectionsPerIp: n + 10 }, (s) =>
        measureScale(s, ep(s), n, budget.listSamples, budget.broadcasts),
      );
      runs.push(r);
      log(
        `scale run ${i + 1}/${budget.scaleRuns}: ${n} sessions in ${Math.round(r.setupMs)} ms, UserList p50 ${r.userList.p50Ms} ms p99 ${r.userList.p99Ms} ms, broadcast to all ${r.broadcastAllMs} ms, ${r.rssPerSessionKb} KB/session`,
      );
    }
    report.server = {
      sessions: budget.sessions,
      setupMs: figure(runs.map((r) => r.setupMs)),
      userList: {
        p50Ms: figure(runs.map((r) => r.userList.p50Ms)),
        p99Ms: figure(runs.map((r) => r.userList.p99Ms)),
        samplesPerRun: budget.listSamples,
      },
      broadcastAllMs: figure(runs.map((r) => r.broadcastAllMs)),
      rssPerSessionKb: figure(runs.map((r) => r.rssPerSessionKb)),
      serverCpu: {
        userListMs: figure(runs.map((r) => r.serverCpu.userListMs)),
        broadcastMs: figure(runs.map((r) => r.serverCpu.broadcastMs)),
        setupMs: figure(runs.map((r) => r.serverCpu.setupMs)),
      },
    };
  }

  if (only.has('soak')) {
    const permissions = ['user_list', 'user_info', 'connection_monitor'];
    const r = await withServer({ accounts: SOAK_WORKERS, permissions, maxConnectionsPerIp: SOAK_WORKERS * 4 }, (s) =>
      soak(s, ep(s), budget.soakFrames, SOAK_WORKERS, SEED),
    );
    log(`soak: ${r.frames} frames in ${r.wallMs} ms (${r.framesPerSecond}/s), ${r.crashes} crashes, peak RSS ${r.peakRssMb} MB`);
    report.server = { ...(report.server ?? { sessions: 0 }), soak: r };
  }

  if (only.has('startup')) {
    const s = await measureStartup(budget.startupRuns);
    report.startup = { helpMs: figure(s.help), listMs: figure(s.list) };
  }

  report.machine = { ...machineStart, loadAvgEnd: machineInfo().loadAvgStart };
  const path = resolve(out);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(formatTable(report) + `\nwritten to ${out}\n`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (e) {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  if (process.env.NEXUS_CONFORM_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 2;
}
