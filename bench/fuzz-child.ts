// One fuzzer's throughput against a server the bench started, in a process of its own (its peak
// RSS is the harness's alone). Drives the fuzzer through the shared contract (src/fuzz/types.ts):
// a run session, a budget of cases, no fixtures written. Prints one JSON line.
import { randomBytes } from 'node:crypto';
import { RunSession } from '../src/runner/session.ts';
import type { Fuzzer, FuzzContext } from '../src/fuzz/types.ts';

export interface FuzzChildArgs {
  fuzzer: 'validators' | 'stateful';
  host: string;
  port: number;
  seed: number;
  timeoutMs: number;
  runs: number;
}

export interface FuzzChildResult {
  cases: number;
  failures: number;
  durationMs: number;
  casesPerSecond: number;
  /** Model-checked requests (the lockstep's round trips) per second. */
  requestsPerSecond: number;
  peakRssMb: number;
}

const a = JSON.parse(process.argv[2] ?? '{}') as FuzzChildArgs;
const loaded: { fuzzer: Fuzzer; connections: number } =
  a.fuzzer === 'stateful'
    ? await import('../src/fuzz/stateful/index.ts').then((m) => ({ fuzzer: m.fuzzer, connections: m.CONNECTIONS_NEEDED }))
    : await import('../src/fuzz/validators/index.ts').then((m) => ({ fuzzer: m.fuzzer, connections: 8 }));
const admin = { username: `bench-admin-${randomBytes(3).toString('hex')}`, password: randomBytes(18).toString('base64url') };
const session = await RunSession.open({
  target: { host: a.host, port: a.port, transport: 'plain', embedded: true },
  admin,
  profile: 'spec',
  match: 'exact',
  timeoutMs: a.timeoutMs,
  seed: a.seed,
  connectionsNeeded: loaded.connections,
});
const ctx: FuzzContext = {
  session,
  profile: 'spec',
  match: 'exact',
  seed: a.seed,
  timeoutMs: a.timeoutMs,
  budget: { runs: a.runs },
  against: `${a.host}:${a.port}`,
  progress: () => {},
  record: () => undefined,
};
const rt0 = session.stats.roundTrips;
const t0 = process.hrtime.bigint();
const r = await loaded.fuzzer.run(ctx);
const durationMs = Number(process.hrtime.bigint() - t0) / 1e6;
const requests = session.stats.roundTrips - rt0;
await session.finish();
const result: FuzzChildResult = {
  cases: r.cases,
  failures: r.failures.length,
  durationMs,
  casesPerSecond: r.cases / (durationMs / 1000),
  requestsPerSecond: requests / (durationMs / 1000),
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
};
process.stdout.write(JSON.stringify(result) + '\n');
