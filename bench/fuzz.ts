// Fuzzer throughput: cases and model-checked requests per second and peak RSS of each fuzzer, each
// run in a process of its own (fuzz-child.ts) against a fresh server, several times. A fuzzer that
// is not in this build is reported as not available, never as zeros that look like measurements.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FuzzChildArgs, FuzzChildResult } from './fuzz-child.ts';
import { runChild, ServerProcess } from './processes.ts';
import { figure, type Figure } from './stats.ts';

export interface NotAvailable {
  available: false;
  reason: string;
}

export interface FuzzerFigures {
  /** Cases per run. */
  cases: number;
  casesPerSecond: Figure | null;
  requestsPerSecond: Figure | null;
  peakRssMb: Figure | null;
  failures: number;
}

export type FuzzBlock = Record<'frames' | 'validators' | 'stateful', FuzzerFigures | NotAvailable>;

const has = (path: string): boolean => existsSync(fileURLToPath(new URL(path, import.meta.url)));

async function measure(fuzzer: FuzzChildArgs['fuzzer'], runs: number, cases: number, seed: number, timeoutMs: number): Promise<FuzzerFigures> {
  const results: FuzzChildResult[] = [];
  for (let i = 0; i < runs; i++) {
    const s = await ServerProcess.start({});
    try {
      const args: FuzzChildArgs = { fuzzer, host: '127.0.0.1', port: s.port, seed: seed + i, timeoutMs, runs: cases };
      results.push(await runChild<FuzzChildResult>('./fuzz-child.ts', args, 600_000));
    } finally {
      await s.stop();
    }
  }
  return {
    cases,
    casesPerSecond: figure(results.map((r) => r.casesPerSecond)),
    requestsPerSecond: figure(results.map((r) => r.requestsPerSecond)),
    peakRssMb: figure(results.map((r) => r.peakRssMb)),
    failures: results.reduce((n, r) => n + r.failures, 0),
  };
}

export async function measureFuzz(runs: number, cases: number, seed: number, timeoutMs: number, log: (line: string) => void): Promise<FuzzBlock> {
  const block: FuzzBlock = {
    frames: { available: false, reason: 'the frame fuzzer and its driver (src/fuzz/run.ts, runFuzz) are not in this build yet' },
    validators: { available: false, reason: 'src/fuzz/validators is not in this build' },
    stateful: { available: false, reason: 'src/fuzz/stateful is not in this build' },
  };
  for (const name of ['validators', 'stateful'] as const) {
    if (!has(`../src/fuzz/${name}/index.ts`)) continue;
    const f = await measure(name, runs, cases, seed, timeoutMs);
    block[name] = f;
    log(`fuzz ${name}: ${f.casesPerSecond?.median} cases/s, ${f.requestsPerSecond?.median} requests/s, peak RSS ${f.peakRssMb?.median} MB`);
  }
  return block;
}
