// The scripted suite against its floor, and a failing run against a passing one, for each lane
// count asked for (`--jobs`, the runner's lanes side by side). Runs interleave: every round measures
// the floor, then the suite once per lane count, so each ratio uses a floor measured next to it and
// load drifts hit every lane count alike. The floor is always the sequential one (round trips ×
// round trip + logins × login + other connections × connect, floorOf): with lanes the ratio says
// how far concurrency beats it. Each round also runs the suite the way `nexus-conform` with no
// target does, with the reference server in the harness's own process (one lane), against a floor
// measured in such a process too.
import { measureFloor, type FloorSample } from './floor.ts';
import { runChild, ServerProcess } from './processes.ts';
import type { BenchReport, FailingBlock, HarnessThreads, SuiteBlock } from './report.ts';
import type { SuiteChildArgs, SuiteChildResult } from './suite-child.ts';
import { FLOOR_SERVER } from './server-state.ts';
import { figure, median, round, type Figure } from './stats.ts';
import type { ThreadTimes } from './threads.ts';

export interface SuiteBudget {
  suiteRuns: number;
  failingRuns: number;
  rttSamples: number;
  loginSamples: number;
  /** `--grep` of the suite runs ('' = the whole suite). */
  suiteGrep: string;
  /** `--grep` of the failing-run measurement (and of its passing baseline); '' = the whole suite. */
  failingGrep: string;
  /** Lane counts to measure, e.g. [1, 4]. */
  jobs: number[];
  /** Repeats of each suite run in its process (the last is the `warm` figure); 0 = none. */
  warmRepeats: number;
}

/** A server that never sends one family of frames. */
export interface FailingServer {
  /** What it never sends, as the table names it. */
  missing: string[];
  /** Server messages of these types are never written (server-child `drop`)... */
  drop?: string[];
  /** ...or a fault of the catalogue (src/server/faults/), for what is missing only after one cause. */
  fault?: string;
}

/**
 * The failing-run measurement's servers: a broadcast type (only a timeout proves it absent,
 * WIRE-ORD-3; lanes overlap those waits), one kind of a broadcast type the server sends for other
 * causes (presumed absent by kind), the close after a closing error (a request after it proves the
 * connection kept open, WIRE-SEQ-8), and the answers of the presence requests (a barrier proves
 * them absent in one round trip, WIRE-ORD-1). The first is the headline figure (failingSuite).
 */
export const FAILING_SERVERS: readonly FailingServer[] = [
  { missing: ['UserConnected'], drop: ['UserConnected'] },
  { missing: ['UserUpdated after a UserAway'], fault: 'away-not-broadcast' },
  { missing: ['close after E-NOT-LOGGED-IN'], fault: 'not-logged-in-stays-open' },
  {
    missing: ['UserAwayResponse', 'UserBackResponse', 'UserStatusResponse'],
    drop: ['UserAwayResponse', 'UserBackResponse', 'UserStatusResponse'],
  },
];

type Log = (line: string) => void;

export async function withServer<T>(opts: Parameters<typeof ServerProcess.start>[0], f: (s: ServerProcess) => Promise<T>): Promise<T> {
  const s = await ServerProcess.start(opts);
  try {
    return await f(s);
  } finally {
    await s.stop();
  }
}

const ep = (s: ServerProcess, tls = false) => ({ host: '127.0.0.1', port: s.port, tls });

/** One suite run against a fresh server; also the server's CPU time during it. */
async function suiteRun(o: {
  seed: number;
  timeoutMs: number;
  jobs: number;
  grep: string;
  failing?: FailingServer;
  again?: number;
}): Promise<SuiteChildResult & { serverCpuMs: number }> {
  const f = o.failing;
  return withServer({ drop: f?.drop ?? [], faults: f?.fault ? [f.fault] : [] }, async (s) => {
    const args: SuiteChildArgs = {
      host: '127.0.0.1',
      port: s.port,
      tls: false,
      profile: 'spec',
      seed: o.seed,
      timeoutMs: o.timeoutMs,
      jobs: o.jobs,
    };
    if (o.grep !== '') args.grep = o.grep;
    if (o.again) args.again = o.again;
    const before = (await s.stats())!.cpuAfterGcMs;
    // With repeats, the child pauses after its first run: the server's CPU is that run's alone.
    let after: number | undefined;
    const r = await runChild<SuiteChildResult>('./suite-child.ts', args, 3_600_000, async () => {
      after = (await s.stats())?.cpuMs;
    });
    after ??= (await s.stats())?.cpuMs;
    return { ...r, serverCpuMs: (after ?? NaN) - before };
  });
}

/** The suite with its server in the harness's process, and the floor measured in such a process. */
async function embeddedRun(b: SuiteBudget, o: { seed: number; timeoutMs: number }): Promise<SuiteChildResult & { floor: FloorSample }> {
  const args: SuiteChildArgs = {
    host: '',
    port: 0,
    embedded: { rttSamples: b.rttSamples, loginSamples: b.loginSamples },
    tls: false,
    profile: 'spec',
    seed: o.seed,
    timeoutMs: o.timeoutMs,
    jobs: 1,
  };
  if (b.suiteGrep !== '') args.grep = b.suiteGrep;
  if (b.warmRepeats > 0) args.again = b.warmRepeats;
  const r = await runChild<SuiteChildResult>('./suite-child.ts', args, 3_600_000);
  if (!r.floor) throw new Error('the embedded suite run reported no floor');
  return { ...r, floor: r.floor };
}

/** Floors (plain and TLS), one suite block per lane count, and the embedded one. */
export async function measureSuite(
  b: SuiteBudget,
  o: { seed: number; timeoutMs: number },
  log: Log,
): Promise<{ floor: NonNullable<BenchReport['floor']>; suites: SuiteBlock[]; embedded: SuiteBlock }> {
  const floorRuns: Array<Awaited<ReturnType<typeof measureFloor>>> = [];
  const tlsRuns: Array<Awaited<ReturnType<typeof measureFloor>>> = [];
  const runs = new Map<number, Array<{ r: SuiteChildResult & { serverCpuMs: number }; rttMs: number; loginMs: number; connectMs: number }>>(
    b.jobs.map((j) => [j, []]),
  );
  const embeddedRuns: Array<SuiteChildResult & { floor: FloorSample }> = [];
  for (let i = 0; i < b.suiteRuns; i++) {
    const floor = await withServer(FLOOR_SERVER, (s) => measureFloor(ep(s), b.rttSamples, b.loginSamples, s));
    tlsRuns.push(await withServer({ ...FLOOR_SERVER, tls: true }, (s) => measureFloor(ep(s, true), b.rttSamples, b.loginSamples)));
    floorRuns.push(floor);
    for (const jobs of b.jobs) {
      const r = await suiteRun({ ...o, jobs, grep: b.suiteGrep, again: b.warmRepeats });
      runs.get(jobs)!.push({ r, rttMs: floor.rttMs, loginMs: floor.loginMs, connectMs: floor.connectMs });
      const floorMs = floorOf(r, floor);
      log(
        `suite run ${i + 1}/${b.suiteRuns}, --jobs ${jobs}: ${Math.round(r.wallMs)} ms (harness CPU ${Math.round(r.cpuMs)} ms${threadNote(r.threads)}), ${r.roundTrips} round trips, ${r.connections} connections (${r.logins} logged in), floor ${Math.round(floorMs)} ms, ratio ${round(r.wallMs / floorMs)}, ${r.failed} failed${warmLine(r, floor)}`,
      );
    }
    const e = await embeddedRun(b, o);
    embeddedRuns.push(e);
    log(
      `suite run ${i + 1}/${b.suiteRuns}, server in the harness's process: ${Math.round(e.wallMs)} ms (process CPU ${Math.round(e.cpuMs)} ms${threadNote(e.threads)}), floor ${Math.round(floorOf(e, e.floor))} ms (round trip ${round(e.floor.rttMs)} ms), ratio ${round(e.wallMs / floorOf(e, e.floor))}, ${e.failed} failed${warmLine(e, e.floor)}`,
    );
  }
  const floor: NonNullable<BenchReport['floor']> = {
    plain: {
      rttMs: figure(floorRuns.map((f) => f.rttMs)),
      loginMs: figure(floorRuns.map((f) => f.loginMs)),
      connectMs: figure(floorRuns.map((f) => f.connectMs)),
      cpuPerRoundTripMs: { client: figure(floorRuns.map((f) => f.clientCpuMs)), server: figure(floorRuns.map((f) => f.serverCpuMs)) },
    },
    tls: {
      rttMs: figure(tlsRuns.map((f) => f.rttMs)),
      loginMs: figure(tlsRuns.map((f) => f.loginMs)),
      connectMs: figure(tlsRuns.map((f) => f.connectMs)),
    },
  };
  const selection = b.suiteGrep === '' ? 'the whole suite' : `--grep ${b.suiteGrep}`;
  const suites = b.jobs.map((jobs) =>
    suiteBlock(
      jobs,
      'own process',
      selection,
      runs.get(jobs)!.map(({ r, ...floor }) => ({ r, floor })),
    ),
  );
  const embedded = suiteBlock(
    1,
    'harness process',
    selection,
    embeddedRuns.map((r) => ({ r, floor: r.floor })),
  );
  return { floor, suites, embedded };
}

/** The log's note on where a run's CPU went by thread, if known. */
function threadNote(t: ThreadTimes | null): string {
  return t ? `: main thread ${t.mainOnCpuMs} on a core + ${t.mainWaitMs} waiting for one, other threads ${t.otherThreadsOnCpuMs}` : '';
}

/** The log's note on a run's warm repeat, if it had one. */
function warmLine(r: SuiteChildResult, floor: Pick<FloorSample, 'rttMs' | 'loginMs' | 'connectMs'>): string {
  const w = r.warm;
  return w
    ? `; run ${w.run} in the same process ${Math.round(w.wallMs)} ms (CPU ${Math.round(w.cpuMs)} ms${threadNote(w.threads)}), ratio ${round(w.wallMs / floorOf(w, floor))}, ${w.failed} failed`
    : '';
}

type Measured = { r: SuiteChildResult & { serverCpuMs?: number }; floor: Pick<FloorSample, 'rttMs' | 'loginMs' | 'connectMs'> };

/** One suite block from its rounds, each ratio against the floor measured beside it. */
function suiteBlock(jobs: number, server: SuiteBlock['server'], selection: string, rs: Measured[]): SuiteBlock {
  const last = rs[rs.length - 1]!.r;
  const floors = rs.map(({ r, floor }) => floorOf(r, floor));
  // With the server in the harness's process, the process's CPU is both: no server figure of its own.
  const serverFigure = (f: (r: Measured['r']) => number): Figure | null =>
    server === 'own process' ? figure(rs.map(({ r }) => f(r))) : null;
  return {
    jobs,
    server,
    selection,
    wallMs: figure(rs.map(({ r }) => r.wallMs)),
    roundTrips: last.roundTrips,
    connections: last.connections,
    logins: last.logins,
    rttMs: figure(rs.map(({ floor }) => floor.rttMs)),
    loginMs: figure(rs.map(({ floor }) => floor.loginMs)),
    connectMs: figure(rs.map(({ floor }) => floor.connectMs)),
    floorMs: figure(floors),
    ratio: figure(rs.map(({ r }, i) => r.wallMs / floors[i]!)),
    peakRssMb: figure(rs.map(({ r }) => r.peakRssMb)),
    cpuMs: { harness: figure(rs.map(({ r }) => r.cpuMs)), server: serverFigure((r) => r.serverCpuMs ?? NaN) },
    cpuPerRoundTripMs: {
      harness: figure(rs.map(({ r }) => r.cpuMs / r.roundTrips)),
      server: serverFigure((r) => (r.serverCpuMs ?? NaN) / r.roundTrips),
    },
    threads: threadFigures(rs.map(({ r }) => r.threads)),
    checks: { passed: last.passed, failed: last.failed, skipped: last.skipped },
    slowest: last.slowest,
    ...warmFigures(rs),
  };
}

/** The warm repeats' figures, each ratio against the floor measured beside its round. */
function warmFigures(rs: Measured[]): Pick<SuiteBlock, 'warm'> {
  const ws = rs.flatMap(({ r, floor }) => (r.warm ? [{ w: r.warm, floorMs: floorOf(r.warm, floor) }] : []));
  if (ws.length === 0) return {};
  return {
    warm: {
      run: ws[0]!.w.run,
      wallMs: figure(ws.map(({ w }) => w.wallMs)),
      floorMs: figure(ws.map(({ floorMs }) => floorMs)),
      ratio: figure(ws.map(({ w, floorMs }) => w.wallMs / floorMs)),
      cpuMs: figure(ws.map(({ w }) => w.cpuMs)),
      threads: threadFigures(ws.map(({ w }) => w.threads)),
      failed: Math.max(...ws.map(({ w }) => w.failed)),
    },
  };
}

/** The rounds' CPU by thread, where every round has it (Linux). */
function threadFigures(ts: ReadonlyArray<ThreadTimes | null>): HarnessThreads | null {
  const all = ts.filter((t): t is ThreadTimes => t !== null);
  if (all.length === 0 || all.length < ts.length) return null;
  return {
    mainOnCpuMs: figure(all.map((t) => t.mainOnCpuMs)),
    mainWaitMs: figure(all.map((t) => t.mainWaitMs)),
    otherThreadsOnCpuMs: figure(all.map((t) => t.otherThreadsOnCpuMs)),
  };
}

/**
 * What a minimal raw client needs for the run's traffic, one step after another: each connection
 * that logged in costs a login (connect + Handshake + Login, whose two round trips the runner also
 * counted), each other connection its connect, and every other round trip one round trip.
 */
function floorOf(
  r: Pick<SuiteChildResult, 'roundTrips' | 'connections' | 'logins'>,
  f: { rttMs: number; loginMs: number; connectMs: number },
): number {
  return (r.roundTrips - 2 * r.logins) * f.rttMs + r.logins * f.loginMs + (r.connections - r.logins) * f.connectMs;
}

/**
 * The failing runs (a server of FAILING_SERVERS each) against the passing wall of the same
 * selection and lane count: the suite blocks when they ran the same selection, else passing runs
 * made here. Interleaved per round like the suite. Blocks by server, then lane count.
 */
export async function measureFailing(
  b: SuiteBudget,
  o: { seed: number; timeoutMs: number },
  suites: SuiteBlock[],
  log: Log,
): Promise<FailingBlock[]> {
  const grep = b.failingGrep;
  const passing = new Map<number, number[]>(b.jobs.map((j) => [j, []]));
  const failing = new Map<string, Array<SuiteChildResult>>();
  const key = (f: FailingServer, jobs: number): string => `${f.missing.join(',')}@${jobs}`;
  for (let i = 0; i < b.failingRuns; i++) {
    for (const jobs of b.jobs) {
      const known = grep === b.suiteGrep ? suites.find((s) => s.jobs === jobs) : undefined;
      if (known && i === 0) passing.get(jobs)!.push(known.wallMs!.median);
      else if (!known) passing.get(jobs)!.push((await suiteRun({ ...o, jobs, grep })).wallMs);
      for (const f of FAILING_SERVERS) {
        const r = await suiteRun({ ...o, jobs, grep, failing: f });
        failing.set(key(f, jobs), [...(failing.get(key(f, jobs)) ?? []), r]);
        log(
          `failing run ${i + 1}/${b.failingRuns}, --jobs ${jobs} (server never sends ${f.missing.join(', ')}): ${Math.round(r.wallMs)} ms, ${r.failed} failed checks taking ${r.failedMs} ms`,
        );
      }
    }
  }
  return FAILING_SERVERS.flatMap((f) =>
    b.jobs.map((jobs): FailingBlock => {
      const rs = failing.get(key(f, jobs))!;
      const last = rs[rs.length - 1]!;
      const walls = rs.map((r) => r.wallMs);
      return {
        jobs,
        dropped: [...f.missing],
        selection: grep === '' ? 'the whole suite' : `--grep ${grep}`,
        passingWallMs: figure(passing.get(jobs)!),
        wallMs: figure(walls),
        checks: { passed: last.passed, failed: last.failed, skipped: last.skipped },
        failedChecksMs: last.failedMs,
        slowest: last.slowest,
        ratioToPassing: round(median(walls) / median(passing.get(jobs)!)),
      };
    }),
  );
}
