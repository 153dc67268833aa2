// The checked-in regression fixtures of the validator and stateful fuzzers (fixtures/validators/,
// fixtures/stateful/): each was found against a server broken by a catalogue fault (named in its
// found.against), passes against the reference server in both profiles, and still fails against
// the server it was found against.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFixture } from '../../src/fuzz/fixture.ts';
import { FAULTS, faultHooks } from '../../src/server/faults/index.ts';
import { replayFixture } from './replay.ts';
import { perTest } from '../support/per-test.ts';

const files = ['validators', 'stateful'].flatMap((fuzzer) =>
  readdirSync(join('fixtures', fuzzer))
    .filter((f) => f.endsWith('.json'))
    .map((f) => join('fixtures', fuzzer, f)),
);

const { serve } = perTest('nc-test-');

describe('checked-in fixtures of the validator and stateful fuzzers', () => {
  it('there is at least one per fuzzer', () => {
    const fuzzers = new Set(files.map((f) => parseFixture(readFileSync(f, 'utf8'), f).fuzzer));
    expect([...fuzzers].sort()).toEqual(['stateful', 'validators']);
  });

  for (const file of files) {
    it(`${file} passes against the reference server in both profiles and fails against its broken server`, async () => {
      const fx = parseFixture(readFileSync(file, 'utf8'), file);
      for (const profile of ['spec', 'nexusd'] as const) {
        const ref = await serve({ port: 0, profile });
        const { result, restored } = await replayFixture(file, ref, profile);
        expect(result.failures).toEqual([]);
        expect(result.status).toBe('passed');
        expect(restored.ok).toBe(true);
      }
      // found.against names the catalogue fault it was found with (serve --fault reproduces it).
      const fault = FAULTS.find((f) => fx.found?.against.includes(`catalogue fault ${f.name} `));
      expect(fault, `${file}: found.against names a catalogue fault`).toBeDefined();
      const broken = await serve({ port: 0, profile: fx.profile, faults: faultHooks([fault!.name]) });
      const { result } = await replayFixture(file, broken, fx.profile);
      expect(result.status).toBe('failed');
      expect(new Set(result.failures.map((f) => f.rule))).toEqual(new Set(fx.rules));
    }, 60_000);
  }
});
