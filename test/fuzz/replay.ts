// Replays a recorded fixture the way `nexus-conform replay` does: parse it (zod), turn its steps
// back into a check (toCheck) and run it through a fresh run session against a server.
import { readFileSync } from 'node:fs';
import { parseFixture } from '../../src/fuzz/fixture.ts';
import { toCheck } from '../../src/fuzz/steps.ts';
import type { Profile } from '../../src/protocol/types.ts';
import type { ActorSpec } from '../../src/runner/api.ts';
import type { CheckResult } from '../../src/report/types.ts';
import { RunSession } from '../../src/runner/session.ts';
import type { ReferenceServer } from '../../src/server/server.ts';
import { ADMIN } from './context.ts';

export async function replayFixture(
  path: string,
  srv: ReferenceServer,
  profile: Profile,
): Promise<{ result: CheckResult; restored: { ok: boolean; differences: string[] } }> {
  const fx = parseFixture(readFileSync(path, 'utf8'), path);
  const session = await RunSession.open({
    target: { host: srv.host, port: srv.port, transport: 'plain', embedded: true },
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
