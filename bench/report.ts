// The shape of reports/bench.json (every timing a Figure: median, min, max over runs).
import type { FuzzBlock } from './fuzz.ts';
import type { MachineInfo } from './machine.ts';
import type { SoakResult } from './soak.ts';
import type { Figure } from './stats.ts';

type F = Figure | null;

export interface BenchReport {
  generatedAt: string;
  quick: boolean;
  seed: number;
  timeoutMs: number;
  budget: Record<string, number | string>;
  machine: MachineInfo;
  floor?: {
    plain: { rttMs: F; loginMs: F; cpuPerRoundTripMs: { client: F; server: F } };
    tls: { rttMs: F; loginMs: F };
  };
  suite?: {
    selection: string;
    wallMs: F;
    roundTrips: number;
    connections: number;
    rttMs: F;
    loginMs: F;
    floorMs: F;
    ratio: F;
    peakRssMb: F;
    /** CPU time per sequential round trip, harness and server process (steadier than wall time on a busy machine). */
    cpuPerRoundTripMs: { harness: F; server: F };
    checks: { passed: number; failed: number; skipped: number };
    slowest: Array<{ id: string; ms: number; status: string }>;
  };
  failingSuite?: {
    dropped: string[];
    selection: string;
    passingWallMs: F;
    wallMs: F;
    checks: { passed: number; failed: number; skipped: number };
    failedChecksMs: number;
    slowest: Array<{ id: string; ms: number; status: string }>;
    ratioToPassing: number;
  };
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
