// The generated sections (scenarios/generated/) against the reference server pass, and each
// generator catches a server broken in its class: two adjacent checks swapped, a length counted in
// the wrong unit or off by one, a frame element accepted that must be rejected, a state-dependent
// rule ignored. Each broken server fails the generated checks of its class.
import { afterEach, describe, expect, it } from 'vitest';
import type { Profile } from '../../src/protocol/types.ts';
import type { RunResult } from '../../src/report/types.ts';
import type { Section } from '../../src/runner/api.ts';
import { loadSections } from '../../src/runner/load.ts';
import { runSuite } from '../../src/runner/run.ts';
import type { ServerFault } from '../../src/server/fault.ts';
import { startServer, type ReferenceServer } from '../../src/server/server.ts';
import { lookupBeforePermission } from '../support/broken-servers.ts';

const ADMIN = { username: 'gen-admin', password: 'gen-admin-pw' };
const servers: ReferenceServer[] = [];
let sections: Section[] | null = null;

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function run(grep: string, profile: Profile = 'spec', faults: ServerFault[] = []): Promise<RunResult> {
  sections ??= (await loadSections()).filter((s) => s.id.startsWith('generated/'));
  const srv = await startServer({ profile, faults });
  servers.push(srv);
  return runSuite({
    target: { host: srv.host, port: srv.port, transport: 'plain', embedded: true },
    admin: ADMIN,
    profile,
    match: 'exact',
    timeoutMs: 2000,
    seed: 909,
    sections,
    grep,
  });
}

const failedIds = (r: RunResult): string[] => r.checks.filter((c) => c.status === 'failed').map((c) => c.id);

describe('generated sections', () => {
  it.each(['spec', 'nexusd'] as const)('pass against the reference server (%s)', async (profile) => {
    const r = await run('generated/', profile);
    expect(failedIds(r)).toEqual([]);
    expect(r.checks.filter((c) => c.status === 'passed').length).toBeGreaterThan(50);
  });

  it('check order: a server that looks the kicked nickname up before checking user_kick fails the pair and the leak probe', async () => {
    const r = await run('generated/check-order/user-kick/', 'spec', [lookupBeforePermission('UserKick', 'user_kick')]);
    const failed = failedIds(r);
    expect(failed).toContain('generated/check-order/user-kick/permission-before-not-online');
    expect(failed).toContain('generated/check-order/user-kick/permission-hides-nickname');
    const first = r.checks.find((c) => c.id === 'generated/check-order/user-kick/permission-before-not-online')!.failures[0]!;
    expect(first.rule).toBe('ADM-KICK-5');
    expect(first.expected).toContain('E-PERMISSION-DENIED');
  });
});
