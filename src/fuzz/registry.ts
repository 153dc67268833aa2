// Which fuzzers exist: each name maps to a lazy import of its module (`export const fuzzer`), so a
// run loads only the fuzzers it runs. `all` runs every registered fuzzer in this order.
import type { FuzzerName } from './fixture.ts';
import type { Fuzzer } from './types.ts';

export const FUZZER_MODULES: Partial<Record<FuzzerName, () => Promise<{ fuzzer: Fuzzer }>>> = {
  frames: () => import('./frames/index.ts'),
  validators: () => import('./validators/index.ts'),
  stateful: () => import('./stateful/index.ts'),
};

/** The registered fuzzers, in the order `all` runs them. */
export function registeredFuzzers(): FuzzerName[] {
  return Object.keys(FUZZER_MODULES) as FuzzerName[];
}

export async function loadFuzzer(name: FuzzerName): Promise<Fuzzer> {
  const load = FUZZER_MODULES[name];
  if (load === undefined) throw new Error(`the ${name} fuzzer is not part of this build`);
  return (await load()).fuzzer;
}
