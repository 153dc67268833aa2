// One scripted-suite run in a process of its own, so its peak RSS is the harness's alone: against a
// server the bench started, or (`embedded`) against a reference server in this very process, the
// way `nexus-conform` with no target runs it; that run first measures its own floor against a
// server in this process too. Prints one JSON line: wall time, the runner's counters (sequential
// round trips, connections), verdict counts, the slowest checks and peak RSS; with `again`, also
// the last of that many repeats in the same process against the same server (`warm`: what the
// harness costs once V8 has compiled its hot code, which a first run pays for as it goes).
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { loadSections } from '../src/runner/load.ts';
import { runSuite } from '../src/runner/run.ts';
import type { Profile } from '../src/protocol/types.ts';
import { freshAdmin } from '../src/runner/admin-credentials.ts';
import { startServer } from '../src/server/server.ts';
import { measureFloor, type FloorSample } from './floor.ts';
import { PAUSE } from './processes.ts';
import { benchState, FLOOR_SERVER } from './server-state.ts';
import { tuneV8 } from '../bin/jit.mjs';
import { sampleThreads, threadTimesBetween, type ThreadTimes } from './threads.ts';

// As the executable does: V8 tuning once the modules are loaded, before any code is hot.
tuneV8();

export interface SuiteChildArgs {
  /** The bench's server; ignored with `embedded`. */
  host: string;
  port: number;
  /** Serve from this process instead (plain TCP on loopback), after measuring the floor against it with these samples. */
  embedded?: { rttSamples: number; loginSamples: number };
  tls: boolean;
  fingerprint?: string;
  profile: Profile;
  seed: number;
  timeoutMs: number;
  grep?: string;
  /** Lanes side by side (runSuite `jobs`). */
  jobs: number;
  /** Runs again this many times in this process against the same server, and reports the last (`warm`). */
  again?: number;
}

/** One more run in the same process: V8 has compiled what the first run made hot. */
export interface WarmRun {
  /** Which run of the process it was (2 = the first repeat). */
  run: number;
  wallMs: number;
  roundTrips: number;
  connections: number;
  logins: number;
  failed: number;
  cpuMs: number;
  /** Its CPU by thread (Linux only). */
  threads: ThreadTimes | null;
}

export interface SuiteChildResult {
  wallMs: number;
  roundTrips: number;
  connections: number;
  /** Connections that wrote a Handshake and then a Login (the runner's counter). */
  logins: number;
  passed: number;
  failed: number;
  skipped: number;
  /** Time spent in failed checks, ms. */
  failedMs: number;
  slowest: Array<{ id: string; ms: number; status: string }>;
  peakRssMb: number;
  /** CPU time of this harness process during the run (user + system), ms; with `embedded`, the server's too. */
  cpuMs: number;
  /** The same CPU by thread: the main thread's time on a core and waiting for one, the others' (Linux only). */
  threads: ThreadTimes | null;
  /** With `embedded`: the floor measured against a server in this process. */
  floor?: FloorSample;
  /** With `again`: the last repeat. */
  warm?: WarmRun;
}

const a = JSON.parse(process.argv[2] ?? '{}') as SuiteChildArgs;
let floor: FloorSample | undefined;
let target = { host: a.host, port: a.port };
let ownServer: { close(): Promise<void> } | undefined;
if (a.embedded) {
  const floorServer = await startServer({ port: 0, initialState: benchState(FLOOR_SERVER) });
  floor = await measureFloor(
    { host: floorServer.host, port: floorServer.port, tls: false },
    a.embedded.rttSamples,
    a.embedded.loginSamples,
  );
  await floorServer.close();
  const server = await startServer({ port: 0, profile: a.profile });
  target = { host: server.host, port: server.port };
  ownServer = server;
}
const sections = await loadSections();
// A fresh server: the first login creates this admin (SES-AUTH-2); the repeats log in with it.
const admin = freshAdmin();
const timedRun = async () => {
  const cpu0 = process.cpuUsage();
  const threads0 = sampleThreads();
  const t0 = process.hrtime.bigint();
  const r = await runSuite({
    target: {
      ...target,
      transport: a.tls ? 'tls' : 'plain',
      ...(a.fingerprint ? { fingerprint: a.fingerprint } : {}),
      embedded: true,
    },
    admin,
    profile: a.profile,
    match: 'exact',
    timeoutMs: a.timeoutMs,
    seed: a.seed,
    sections,
    ...(a.grep ? { grep: a.grep } : {}),
    jobs: a.jobs,
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { r, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, threads: threadTimesBetween(threads0, sampleThreads()) };
};
const { r, wallMs, cpuMs, threads } = await timedRun();
// Read before any repeat: the first run's alone.
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
let warm: WarmRun | undefined;
if ((a.again ?? 0) > 0) {
  // The bench reads the server's CPU for the first run alone before the repeats go on.
  process.stdout.write(PAUSE + '\n');
  const answer = createInterface({ input: process.stdin });
  await once(answer, 'line');
  answer.close();
  process.stdin.destroy();
}
for (let k = 0; k < (a.again ?? 0); k++) {
  const w = await timedRun();
  warm = {
    run: k + 2,
    wallMs: w.wallMs,
    roundTrips: w.r.stats.roundTrips,
    connections: w.r.stats.connections,
    logins: w.r.stats.logins,
    failed: w.r.summary.failed,
    cpuMs: w.cpuMs,
    threads: w.threads,
  };
}
await ownServer?.close();
const result: SuiteChildResult = {
  wallMs,
  roundTrips: r.stats.roundTrips,
  connections: r.stats.connections,
  logins: r.stats.logins,
  passed: r.summary.passed,
  failed: r.summary.failed,
  skipped: r.summary.skipped,
  failedMs: r.checks.filter((c) => c.status === 'failed').reduce((s, c) => s + c.durationMs, 0),
  slowest: [...r.checks]
    .sort((x, y) => y.durationMs - x.durationMs)
    .slice(0, 5)
    .map((c) => ({ id: c.id, ms: c.durationMs, status: c.status })),
  peakRssMb,
  cpuMs,
  threads,
  ...(floor ? { floor } : {}),
  ...(warm ? { warm } : {}),
};
process.stdout.write(JSON.stringify(result) + '\n');
