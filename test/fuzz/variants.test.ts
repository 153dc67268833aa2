// Never stricter than the spec: both fuzzers over a fixed seed and a small budget against every
// variant server (the other allowed choice and output form at every undetermined point, in both
// profiles) find nothing. A fuzzer that flags an allowed behaviour is a bug in the fuzzer.
import { describe, expect, it } from 'vitest';
import { fuzzer as stateful } from '../../src/fuzz/stateful/index.ts';
import type { Fuzzer } from '../../src/fuzz/types.ts';
import { fuzzer as validators } from '../../src/fuzz/validators/index.ts';
import { COMBINATIONS } from '../support/variants.ts';
import { fuzzContext } from './context.ts';
import { perTest } from '../support/per-test.ts';

const SEED = 20_260;
const { serve, tempDir } = perTest('nc-test-');

const BUDGET: Array<[Fuzzer, number]> = [
  [validators, 120],
  [stateful, 25],
];

describe('the fuzzers find nothing against any allowed variant of the reference server', () => {
  for (const c of COMBINATIONS) {
    it(
      c.name,
      async () => {
        const srv = await serve({ port: 0, profile: c.profile, variant: c.variant });
        for (const [f, runs] of BUDGET) {
          const ctx = await fuzzContext(srv, { profile: c.profile, seed: SEED, runs, tempDir });
          const r = await f.run(ctx);
          expect(
            r.failures.map((x) => x.message),
            `${f.name} against ${c.name}`,
          ).toEqual([]);
          expect(r.cases).toBe(runs);
          expect(await ctx.session.finish()).toEqual({ ok: true, differences: [] });
        }
      },
      120_000,
    );
  }
});
