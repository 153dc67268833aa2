// Fuzzer throughput: cases per second and peak RSS of each fuzzer (frames, validators, stateful),
// each in a process of its own against its own server. Until the fuzz driver (src/fuzz/run.ts)
// exists the block says so instead of reporting zeros that look like measurements.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type FuzzBlock =
  | { available: false; reason: string }
  | ({ available: true } & Record<'frames' | 'validators' | 'stateful', FuzzerFigures | { available: false; reason: string }>);

export interface FuzzerFigures {
  cases: number;
  casesPerSecond: number;
  peakRssMb: number;
}

const DRIVER = fileURLToPath(new URL('../src/fuzz/run.ts', import.meta.url));

export async function measureFuzz(): Promise<FuzzBlock> {
  if (!existsSync(DRIVER)) return { available: false, reason: 'the fuzz driver (src/fuzz/run.ts, runFuzz) is not in this build yet' };
  return { available: false, reason: 'the fuzz driver exists but the bench does not drive it yet' };
}
