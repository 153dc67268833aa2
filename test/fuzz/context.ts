// A FuzzContext built by hand for the fuzzers' tests: a run session against a reference server
// (optionally broken by faults or taking variant choices), the traffic tap kept for transcripts,
// and a record() that writes fixtures to a temporary folder the caller provides (perTest's tempDir,
// so the folder is removed after the test).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Fixture } from '../../src/fuzz/fixture.ts';
import type { FuzzContext } from '../../src/fuzz/types.ts';
import type { Profile } from '../../src/protocol/types.ts';
import type { TrafficEvent } from '../../src/runner/lockstep.ts';
import { RunSession } from '../../src/runner/session.ts';
import type { ReferenceServer } from '../../src/server/server.ts';
import { targetOf } from '../support/options.ts';

export const ADMIN = { username: 'fuzz-admin', password: 'fuzz-admin-pw' };

export interface TestFuzzContext extends FuzzContext {
  recorded: Array<{ fixture: Fixture; path: string }>;
  traffic: TrafficEvent[];
}

export async function fuzzContext(
  srv: ReferenceServer,
  o: {
    profile: Profile;
    seed: number;
    runs: number;
    connections?: number;
    timeoutMs?: number;
    /** Makes the folder record() writes fixtures to: perTest's tempDir, which removes it after the test. */
    tempDir: () => string;
  },
): Promise<TestFuzzContext> {
  const traffic: TrafficEvent[] = [];
  const session = await RunSession.open({
    target: targetOf(srv),
    admin: ADMIN,
    profile: o.profile,
    match: 'exact',
    timeoutMs: o.timeoutMs ?? 2000,
    seed: o.seed,
    connectionsNeeded: o.connections ?? 20,
    onTraffic: (e) => {
      traffic.push(e);
      if (traffic.length > 20_000) traffic.splice(0, 10_000);
    },
  });
  const dir = o.tempDir();
  const recorded: TestFuzzContext['recorded'] = [];
  return {
    session,
    profile: o.profile,
    match: 'exact',
    seed: o.seed,
    timeoutMs: o.timeoutMs ?? 2000,
    budget: { runs: o.runs },
    against: `embedded ${srv.host}:${srv.port}`,
    progress: () => {},
    record: (fixture) => {
      const path = join(dir, `${fixture.fuzzer}-${fixture.seed}.json`);
      writeFileSync(path, `${JSON.stringify(fixture, null, 2)}\n`);
      recorded.push({ fixture, path });
      return path;
    },
    recorded,
    traffic,
  };
}
