// One scripted-suite run in a process of its own, so its peak RSS is the harness's alone: against a
// server the bench started, or (`embedded`) against a reference server in this very process, the
// way `nexus-conform` with no target runs it; that run first measures its own floor against a
// server in this process too. Prints one JSON line: wall time, the runner's counters (sequential
// round trips, connections), verdict counts, the slowest checks and peak RSS.
import { loadSections } from '../src/runner/load.ts';
import { runSuite } from '../src/runner/run.ts';
import type { Profile } from '../src/protocol/types.ts';
import { freshAdmin } from '../src/runner/admin-credentials.ts';
import { startServer } from '../src/server/server.ts';
import { measureFloor, type FloorSample } from './floor.ts';
import { benchState, FLOOR_SERVER } from './server-state.ts';

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
  /** With `embedded`: the floor measured against a server in this process. */
  floor?: FloorSample;
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
// A fresh server: the first login creates this admin (SES-AUTH-2).
const admin = freshAdmin();
const cpu0 = process.cpuUsage();
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
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  cpuMs: (cpu.user + cpu.system) / 1000,
  ...(floor ? { floor } : {}),
};
process.stdout.write(JSON.stringify(result) + '\n');
