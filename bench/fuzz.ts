// Fuzzer throughput: cases and model-checked requests per second and peak RSS of each fuzzer, each
// run through the fuzz driver in a process of its own (fuzz-child.ts) against a fresh server,
// several times; the frame fuzzer also over TLS, and in both its tiers (model-checked, fast). A fuzzer that is not in this build (the registry,
// src/fuzz/registry.ts) is reported as not available, never as zeros that look like measurements.
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
  /** Harness CPU per model-checked request, ms (the server runs in a process of its own). */
  cpuPerRequestMs: Figure | null;
  peakRssMb: Figure | null;
  /** Failures found against the reference server (expected: none). */
  failures: number;
  /** The same over TLS (frame fuzzer). */
  tls?: { casesPerSecond: Figure | null; peakRssMb: Figure | null };
  /**
   * The frame fuzzer's fast tier (`--frames-mode fast`: raw connections in flight, liveness after
   * each batch, the model only for what it suspects), plain and TLS; the figures above are the
   * model-checked tier's (`--frames-mode checked`).
   */
  fast?: {
    cases: number;
    casesPerSecond: Figure | null;
    /** Over the second half of each run: the rate a long campaign runs at (fuzz-child.ts). */
    steadyCasesPerSecond: Figure | null;
    peakRssMb: Figure | null;
    tls: { casesPerSecond: Figure | null; peakRssMb: Figure | null };
    failures: number;
  };
}

export type FuzzBlock = Record<'frames' | 'validators' | 'stateful', FuzzerFigures | NotAvailable>;

const NAMES = ['frames', 'validators', 'stateful'] as const;
const REGISTRY = fileURLToPath(new URL('../src/fuzz/registry.ts', import.meta.url));

async function runs(
  fuzzer: FuzzChildArgs['fuzzer'],
  tls: boolean,
  n: number,
  cases: number,
  seed: number,
  timeoutMs: number,
  framesMode?: FuzzChildArgs['framesMode'],
): Promise<FuzzChildResult[]> {
  const results: FuzzChildResult[] = [];
  for (let i = 0; i < n; i++) {
    const s = await ServerProcess.start({ tls });
    try {
      const args: FuzzChildArgs = { fuzzer, host: '127.0.0.1', port: s.port, tls, seed: seed + i, timeoutMs, runs: cases };
      if (framesMode !== undefined) args.framesMode = framesMode;
      if (s.fingerprint) args.fingerprint = s.fingerprint;
      results.push(await runChild<FuzzChildResult>('./fuzz-child.ts', args, 900_000));
    } finally {
      await s.stop();
    }
  }
  return results;
}

export async function measureFuzz(
  n: number,
  cases: number,
  fastCases: number,
  seed: number,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<FuzzBlock> {
  const missing = (name: string): NotAvailable => ({
    available: false,
    reason: `the ${name} fuzzer is not registered in this build (src/fuzz/registry.ts)`,
  });
  const block: FuzzBlock = { frames: missing('frames'), validators: missing('validators'), stateful: missing('stateful') };
  if (!existsSync(REGISTRY)) return block;
  const { registeredFuzzers } = (await import(REGISTRY)) as { registeredFuzzers: () => string[] };
  const registered = registeredFuzzers();
  for (const name of NAMES) {
    if (!registered.includes(name)) continue;
    // The frame fuzzer's own rows are its model-checked tier's; its fast tier gets rows of its own.
    const mode = name === 'frames' ? ('checked' as const) : undefined;
    const plain = await runs(name, false, n, cases, seed, timeoutMs, mode);
    const f: FuzzerFigures = {
      cases,
      casesPerSecond: figure(plain.map((r) => r.casesPerSecond)),
      requestsPerSecond: figure(plain.map((r) => r.requestsPerSecond)),
      cpuPerRequestMs: figure(plain.map((r) => r.cpuPerRequestMs)),
      peakRssMb: figure(plain.map((r) => r.peakRssMb)),
      failures: plain.reduce((k, r) => k + r.failures, 0),
    };
    if (name === 'frames') {
      const tls = await runs(name, true, n, cases, seed, timeoutMs, mode);
      f.tls = { casesPerSecond: figure(tls.map((r) => r.casesPerSecond)), peakRssMb: figure(tls.map((r) => r.peakRssMb)) };
      f.failures += tls.reduce((k, r) => k + r.failures, 0);
      const fastPlain = await runs(name, false, n, fastCases, seed, timeoutMs, 'fast');
      const fastTls = await runs(name, true, n, fastCases, seed, timeoutMs, 'fast');
      f.fast = {
        cases: fastCases,
        casesPerSecond: figure(fastPlain.map((r) => r.casesPerSecond)),
        steadyCasesPerSecond: figure(fastPlain.map((r) => r.steadyCasesPerSecond)),
        peakRssMb: figure(fastPlain.map((r) => r.peakRssMb)),
        tls: { casesPerSecond: figure(fastTls.map((r) => r.casesPerSecond)), peakRssMb: figure(fastTls.map((r) => r.peakRssMb)) },
        failures: [...fastPlain, ...fastTls].reduce((k, r) => k + r.failures, 0),
      };
      log(
        `fuzz frames, fast tier: ${f.fast.casesPerSecond?.median} cases/s (second half of a run ${f.fast.steadyCasesPerSecond?.median}; TLS ${f.fast.tls.casesPerSecond?.median}), peak RSS ${f.fast.peakRssMb?.median} MB, ${f.fast.failures} failures`,
      );
    }
    block[name] = f;
    log(
      `fuzz ${name}: ${f.casesPerSecond?.median} cases/s${f.tls ? ` (TLS ${f.tls.casesPerSecond?.median})` : ''}, ${f.requestsPerSecond?.median} requests/s (${f.cpuPerRequestMs?.median} ms CPU each), peak RSS ${f.peakRssMb?.median} MB, ${f.failures} failures`,
    );
  }
  return block;
}
