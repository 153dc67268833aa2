// The shape of reports/bench.json (every timing a Figure: median, min, max over runs).
import type { FuzzBlock } from './fuzz.ts';
import type { MachineInfo } from './machine.ts';
import type { SoakResult } from './soak.ts';
import type { Figure } from './stats.ts';
import type { ThreadTimes } from './threads.ts';

type F = Figure | null;

export interface BenchReport {
  generatedAt: string;
  quick: boolean;
  seed: number;
  timeoutMs: number;
  budget: Record<string, number | string | number[]>;
  machine: MachineInfo;
  floor?: {
    plain: { rttMs: F; loginMs: F; connectMs: F; cpuPerRoundTripMs: { client: F; server: F } };
    tls: { rttMs: F; loginMs: F; connectMs: F };
  };
  /** The suite with the CLI's default lane count (`--jobs`), or the first one measured. */
  suite?: SuiteBlock;
  /** The failing run with the CLI's default lane count, or the first one measured. */
  failingSuite?: FailingBlock;
  /** Every lane count measured (bench --jobs 1,4,…), in the order asked. */
  suiteByJobs?: SuiteBlock[];
  /** The suite as `nexus-conform` with no target runs it: the server in the harness's process, one lane. */
  suiteEmbedded?: SuiteBlock;
  failingByJobs?: FailingBlock[];
  /** The whole suite against every fault of the catalogue the suite detects (catalogue.ts). */
  catalogue?: CatalogueBlock;
  fuzz?: FuzzBlock;
  server?: {
    sessions: number;
    setupMs?: F;
    userList?: { p50Ms: F; p99Ms: F; samplesPerRun: number };
    broadcastAllMs?: F;
    rssPerSessionKb?: F;
    /** Server CPU time per UserList, per login or logout broadcast, and for the whole set-up, ms. */
    serverCpu?: { userListMs: F; broadcastMs: F; setupMs: F };
    soak?: SoakResult;
  };
  startup?: { helpMs: F; listMs: F };
}

/** The scripted suite with one lane count, against the sequential floor. */
export interface SuiteBlock {
  /** Lanes side by side (`--jobs`); 1 = one check after another. */
  jobs: number;
  /**
   * Where the reference server ran: in a process of its own, or in the harness's process (as
   * `nexus-conform` with no target runs it; then the floor was measured in such a process too, and
   * the CPU figures are the process's, with no server figure of their own).
   */
  server: 'own process' | 'harness process';
  selection: string;
  wallMs: F;
  roundTrips: number;
  connections: number;
  /** Connections that logged in (Handshake then Login; both also among the round trips). */
  logins: number;
  rttMs: F;
  loginMs: F;
  connectMs: F;
  /**
   * Sequential floor (also with lanes): (round trips − 2 × logins) × round trip + logins × login +
   * (connections − logins) × connect. A login's Handshake and Login are among the runner's round
   * trips; they are charged once, in the login.
   */
  floorMs: F;
  ratio: F;
  peakRssMb: F;
  /** CPU time of the run, harness and server process (steadier than wall time on a busy machine). */
  cpuMs: { harness: F; server: F };
  /** CPU time per sequential round trip, harness and server process. */
  cpuPerRoundTripMs: { harness: F; server: F };
  /**
   * The harness's CPU by thread (bench/threads.ts; null off Linux): its main thread's time on a core
   * and runnable but waiting for one, and its other threads' (V8's compiler, GC helpers) on a core.
   */
  threads: HarnessThreads | null;
  checks: { passed: number; failed: number; skipped: number };
  slowest: Array<{ id: string; ms: number; status: string }>;
  /**
   * The same suite run again in the same process (run `run` of it), against the same server: what
   * the harness costs once V8 has compiled its hot code, which a first run pays for as it goes.
   * Its floor uses its own counters (a repeat on a target that is no longer fresh skips the checks
   * that need one) and the round's floor sample. `failed`: the most any repeat failed.
   */
  warm?: { run: number; wallMs: F; floorMs: F; ratio: F; cpuMs: F; threads: HarnessThreads | null; failed: number };
}

/** A suite block's harness CPU by thread: each figure of bench/threads.ts over the rounds, ms. */
export type HarnessThreads = { [K in keyof ThreadTimes]: F };

/** A run against a server that never sends one family of frames (`dropped`: what it never sends), against a passing run. */
export interface FailingBlock {
  jobs: number;
  dropped: string[];
  selection: string;
  passingWallMs: F;
  wallMs: F;
  checks: { passed: number; failed: number; skipped: number };
  failedChecksMs: number;
  slowest: Array<{ id: string; ms: number; status: string }>;
  ratioToPassing: number;
}

/**
 * Failing runs across the fault catalogue, server in the harness's process, each against a warm
 * passing run of the same process (`passingWallMs`). `overTarget`: faults whose run took over twice
 * the passing one, slowest first; `notRun`: faults the run could not start against (exit 2).
 */
export interface CatalogueBlock {
  jobs: number;
  selection: string;
  passingWallMs: number;
  faults: number;
  notRun: Array<{ fault: string; why: string }>;
  medianRatio: number;
  overTarget: string[];
  slowest: Array<{ fault: string; wallMs: number; failed: number; ratio: number }>;
}
