// The checked-in regression fixtures of the validator and stateful fuzzers (fixtures/validators/,
// fixtures/stateful/): each was
// found against a deliberately broken server, and each passes against the reference server in
// both profiles, and still fails against the server it was found against.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFixture } from '../../src/fuzz/fixture.ts';
import type { ServerFault } from '../../src/server/fault.ts';
import { LIMITS } from '../../src/model/index.ts';
import { bytesInsteadOfChars } from '../support/broken-servers.ts';
import { faultHooks } from '../../src/server/faults/index.ts';
import { replayFixture } from './replay.ts';
import { perTest } from '../support/per-test.ts';

/** The broken server each fixture names in `found.against`. */
const FAULTS: Record<string, () => ServerFault> = {
  'bytesInsteadOfChars(UserCreate, username, 32)': () => bytesInsteadOfChars('UserCreate', 'username', LIMITS.username),
  renameAfterKickLosesBroadcast: () => faultHooks(['rename-after-kick-loses-broadcast'])[0]!,
};

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
      const fault = Object.keys(FAULTS).find((name) => fx.found?.against.includes(name));
      expect(fault, `${file}: found.against names a known fault`).toBeDefined();
      const broken = await serve({ port: 0, profile: fx.profile, faults: [FAULTS[fault!]!()] });
      const { result } = await replayFixture(file, broken, fx.profile);
      expect(result.status).toBe('failed');
      expect(new Set(result.failures.map((f) => f.rule))).toEqual(new Set(fx.rules));
    }, 60_000);
  }
});
