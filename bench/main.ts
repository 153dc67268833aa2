// `npm run bench [-- --quick] [--runs N] [--out FILE] [--only PARTS]`: measures every fast path of
// the harness and the reference server against its physical floor on loopback, writes
// reports/bench.json and prints a table. Not a test: nothing here passes or fails on timing; CI
// runs `--quick` once to prove the bench works. Every figure is the median of several runs with
// min and max (the machine may be shared), and each ratio is computed from figures of the same run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { measureFloor } from './floor.ts';
import { measureFuzz } from './fuzz.ts';
import { machineInfo } from './machine.ts';
import { runChild, ServerProcess } from './processes.ts';
import { measureScale, type ScaleResult } from './scale.ts';
import { soak } from './soak.ts';
import { measureStartup } from './startup.ts';
import type { SuiteChildArgs, SuiteChildResult } from './suite-child.ts';
import { figure, median, round } from './stats.ts';
import { formatTable } from './table.ts';
import type { BenchReport } from './report.ts';

const PARTS = ['suite', 'failing', 'fuzz', 'server', 'soak', 'startup'] as const;
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
  /** `--grep` of the suite runs ('' = the whole suite). */
  suiteGrep: string;
  /** `--grep` of the failing-run measurement (and of its passing baseline); '' = the whole suite. */
  failingGrep: string;
};

const FULL: Budget = {
  suiteRuns: 5,
  failingRuns: 3,
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
  suiteGrep: '',
  failingGrep: 'users/',
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
  suiteGrep: '',
  failingGrep: 'session/presence',
};

/** The broadcast family the failing-run measurement's server never sends. */
const DROPPED = ['UserConnected'];
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
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run bench -- [--quick] [--runs N] [--out FILE] [--grep CHECKS] [--only suite,failing,fuzz,server,soak,startup]\n',
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

async function withServer<T>(opts: Parameters<typeof ServerProcess.start>[0], f: (s: ServerProcess) => Promise<T>): Promise<T> {
  const s = await ServerProcess.start(opts);
  try {
    return await f(s);
  } finally {
    await s.stop();
  }
}

const FLOOR_SERVER = { accounts: 2, permissions: ['user_list'], maxConnectionsPerIp: 1000 };

/** One suite run against a fresh server; also the server's CPU time during it. */
async function suiteRun(drop: string[] = [], grep = ''): Promise<SuiteChildResult & { serverCpuMs: number }> {
  return withServer({ drop }, async (s) => {
    const args: SuiteChildArgs = { host: '127.0.0.1', port: s.port, tls: false, profile: 'spec', seed: SEED, timeoutMs: TIMEOUT_MS };
    if (grep !== '') args.grep = grep;
    const before = (await s.stats())!.cpuAfterGcMs;
    const r = await runChild<SuiteChildResult>('./suite-child.ts', args, 1_800_000);
    return { ...r, serverCpuMs: ((await s.stats())?.cpuMs ?? NaN) - before };
  });
}

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

  if (only.has('suite') || (only.has('failing') && budget.failingGrep === budget.suiteGrep)) {
    // The floor and the suite alternate, so each ratio uses a floor measured next to its run.
    const walls: number[] = [];
    const rtts: number[] = [];
    const logins: number[] = [];
    const floors: number[] = [];
    const ratios: number[] = [];
    const rss: number[] = [];
    const harnessCpu: number[] = [];
    const serverCpu: number[] = [];
    const floorClientCpu: number[] = [];
    const floorServerCpu: number[] = [];
    const tlsRtts: number[] = [];
    const tlsLogins: number[] = [];
    let last: SuiteChildResult | undefined;
    for (let i = 0; i < budget.suiteRuns; i++) {
      const floor = await withServer(FLOOR_SERVER, (s) => measureFloor(ep(s), budget.rttSamples, budget.loginSamples, s));
      const tlsFloor = await withServer({ ...FLOOR_SERVER, tls: true }, (s) =>
        measureFloor(ep(s, true), budget.rttSamples, budget.loginSamples),
      );
      const r = await suiteRun([], budget.suiteGrep);
      const floorMs = r.roundTrips * floor.rttMs + r.connections * floor.loginMs;
      walls.push(r.wallMs);
      rtts.push(floor.rttMs);
      logins.push(floor.loginMs);
      tlsRtts.push(tlsFloor.rttMs);
      tlsLogins.push(tlsFloor.loginMs);
      floors.push(floorMs);
      ratios.push(r.wallMs / floorMs);
      rss.push(r.peakRssMb);
      harnessCpu.push(r.cpuMs / r.roundTrips);
      serverCpu.push(r.serverCpuMs / r.roundTrips);
      floorClientCpu.push(floor.clientCpuMs);
      floorServerCpu.push(floor.serverCpuMs);
      last = r;
      log(
        `suite run ${i + 1}/${budget.suiteRuns}: ${Math.round(r.wallMs)} ms, ${r.roundTrips} round trips, ${r.connections} connections, floor ${Math.round(floorMs)} ms, ratio ${round(r.wallMs / floorMs)}, ${r.failed} failed`,
      );
    }
    report.floor = {
      plain: {
        rttMs: figure(rtts),
        loginMs: figure(logins),
        cpuPerRoundTripMs: { client: figure(floorClientCpu), server: figure(floorServerCpu) },
      },
      tls: { rttMs: figure(tlsRtts), loginMs: figure(tlsLogins) },
    };
    report.suite = {
      selection: budget.suiteGrep === '' ? 'the whole suite' : `--grep ${budget.suiteGrep}`,
      wallMs: figure(walls),
      roundTrips: last!.roundTrips,
      connections: last!.connections,
      rttMs: figure(rtts),
      loginMs: figure(logins),
      floorMs: figure(floors),
      ratio: figure(ratios),
      peakRssMb: figure(rss),
      cpuPerRoundTripMs: { harness: figure(harnessCpu), server: figure(serverCpu) },
      checks: { passed: last!.passed, failed: last!.failed, skipped: last!.skipped },
      slowest: last!.slowest,
    };
  }

  if (only.has('failing')) {
    // The passing baseline: the suite runs above, or (for a selection) passing runs of the same selection.
    const grep = budget.failingGrep;
    const passingWalls: number[] = [];
    if (grep === budget.suiteGrep && report.suite) passingWalls.push(report.suite.wallMs!.median);
    else for (let i = 0; i < budget.failingRuns; i++) passingWalls.push((await suiteRun([], grep)).wallMs);
    const walls: number[] = [];
    let last: SuiteChildResult | undefined;
    for (let i = 0; i < budget.failingRuns; i++) {
      const r = await suiteRun(DROPPED, grep);
      walls.push(r.wallMs);
      last = r;
      log(
        `failing run ${i + 1}/${budget.failingRuns} (server drops ${DROPPED.join(', ')}): ${Math.round(r.wallMs)} ms, ${r.failed} failed checks taking ${r.failedMs} ms`,
      );
    }
    const passing = median(passingWalls);
    report.failingSuite = {
      dropped: DROPPED,
      selection: grep === '' ? 'the whole suite' : `--grep ${grep}`,
      passingWallMs: figure(passingWalls),
      wallMs: figure(walls),
      checks: { passed: last!.passed, failed: last!.failed, skipped: last!.skipped },
      failedChecksMs: last!.failedMs,
      slowest: last!.slowest,
      ratioToPassing: round(median(walls) / passing),
    };
  }

  if (only.has('fuzz')) report.fuzz = await measureFuzz(budget.fuzzRuns, budget.fuzzCases, SEED, TIMEOUT_MS, log);

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
