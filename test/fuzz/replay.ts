// Replays a recorded fixture the way `nexus-conform replay` does: parse it (zod), turn its steps
// back into a check (toCheck) and run it through a fresh run session against a server.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parseFixture, type Fixture } from '../../src/fuzz/fixture.ts';
import { toCheck } from '../../src/fuzz/steps.ts';
import type { Profile } from '../../src/protocol/types.ts';
import type { ActorSpec } from '../../src/runner/api.ts';
import type { CheckResult } from '../../src/report/types.ts';
import { RunSession } from '../../src/runner/session.ts';
import type { ReferenceServer } from '../../src/server/server.ts';
import { targetOf } from '../support/options.ts';
import type { PerTest } from '../support/per-test.ts';
import { ADMIN } from './context.ts';

export async function replayFixture(
  path: string,
  srv: ReferenceServer,
  profile: Profile,
): Promise<{ result: CheckResult; restored: { ok: boolean; differences: string[] } }> {
  const fx = parseFixture(readFileSync(path, 'utf8'), path);
  const session = await RunSession.open({
    target: targetOf(srv),
    admin: ADMIN,
    profile,
    match: fx.match,
    timeoutMs: 2000,
    seed: fx.seed,
    connectionsNeeded: 16,
  });
  const result = await session.runCheck(
    { id: 'replay', title: 'replay', checks: [] },
    toCheck({ id: fx.fuzzer, title: fx.title, rules: fx.rules, actors: fx.actors as Record<string, ActorSpec>, steps: fx.steps }),
  );
  return { result, restored: await session.finish() };
}

/**
 * The fixture at `path` replays to the same failure (the same rules) against the spec server
 * `broken` it was found on, and passes against the reference server in both profiles.
 */
export async function expectReplays(path: string, broken: ReferenceServer, fixture: Fixture, serve: PerTest['serve']): Promise<void> {
  const again = await replayFixture(path, broken, 'spec');
  expect(again.result.status).toBe('failed');
  expect(new Set(again.result.failures.map((f) => f.rule))).toEqual(new Set(fixture.rules));
  for (const profile of ['spec', 'nexusd'] as const) {
    const ref = await serve({ port: 0, profile });
    const ok = await replayFixture(path, ref, profile);
    expect(ok.result.failures).toEqual([]);
    expect(ok.result.status).toBe('passed');
    expect(ok.restored.ok).toBe(true);
  }
}
