// One fuzzer's throughput against a server the bench started, in a process of its own (its peak
// RSS is the harness's alone). Runs it through the fuzz driver (src/fuzz/run.ts, runFuzz) with a
// budget of cases and no fixtures written (the frame fuzzer in the tier the bench asks for). Prints
// one JSON line.
import { runFuzz } from '../src/fuzz/run.ts';
import type { FuzzerName } from '../src/fuzz/fixture.ts';
import type { FramesMode } from '../src/fuzz/types.ts';
import { freshAdmin } from '../src/runner/admin-credentials.ts';
import { tuneV8 } from '../bin/jit.mjs';

// As the executable does: V8 tuning once the modules are loaded, before any code is hot.
tuneV8();

export interface FuzzChildArgs {
  fuzzer: FuzzerName;
  host: string;
  port: number;
  tls: boolean;
  fingerprint?: string;
  seed: number;
  timeoutMs: number;
  runs: number;
  /** The frame fuzzer's tiers (bench: `checked` for the model-checked rows, `fast` for tier 1's). */
  framesMode?: FramesMode;
}

export interface FuzzChildResult {
  cases: number;
  failures: number;
  durationMs: number;
  casesPerSecond: number;
  /**
   * Cases per second over the second half of the run (from its progress reports): the rate once V8
   * has compiled the hot code and the pools are full, which a long campaign runs at.
   */
  steadyCasesPerSecond: number;
  /** Model-checked requests (the lockstep's round trips) per second of the fuzzer's run. */
  requestsPerSecond: number;
  /** The harness's CPU time (user + system, set-up included) per model-checked request, ms: steadier than wall time on a busy machine. */
  cpuPerRequestMs: number;
  peakRssMb: number;
}

const a = JSON.parse(process.argv[2] ?? '{}') as FuzzChildArgs;
const admin = freshAdmin();
const cpu0 = process.cpuUsage();
const progress: Array<{ cases: number; elapsedMs: number }> = [];
const r = await runFuzz({
  target: {
    host: a.host,
    port: a.port,
    transport: a.tls ? 'tls' : 'plain',
    ...(a.fingerprint ? { fingerprint: a.fingerprint } : {}),
    embedded: true,
  },
  admin,
  profile: 'spec',
  match: 'exact',
  timeoutMs: a.timeoutMs,
  seed: a.seed,
  fuzzers: [a.fuzzer],
  runs: a.runs,
  ...(a.framesMode ? { framesMode: a.framesMode } : {}),
  onProgress: (p) => void progress.push({ cases: p.cases, elapsedMs: p.elapsedMs }),
});
const cpu = process.cpuUsage(cpu0);
const f = r.fuzz[0]!;
const seconds = Math.max(f.durationMs, 1) / 1000;
/** The rate between the first progress report past half the run and the end. */
function steadyRate(): number {
  const half = progress.find((p) => p.elapsedMs >= f.durationMs / 2);
  if (half === undefined || f.durationMs <= half.elapsedMs) return f.cases / seconds;
  return ((f.cases - half.cases) * 1000) / (f.durationMs - half.elapsedMs);
}
const result: FuzzChildResult = {
  cases: f.cases,
  failures: f.failures.length,
  durationMs: f.durationMs,
  casesPerSecond: f.cases / seconds,
  steadyCasesPerSecond: steadyRate(),
  requestsPerSecond: r.stats.roundTrips / seconds,
  cpuPerRequestMs: (cpu.user + cpu.system) / 1000 / Math.max(1, r.stats.roundTrips),
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
};
process.stdout.write(JSON.stringify(result) + '\n');
