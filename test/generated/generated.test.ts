// The generated sections (scenarios/generated/) against the reference server pass, and each
// generator catches a server broken in its class: two adjacent checks swapped, a length counted in
// the wrong unit or off by one, a frame element accepted that must be rejected, a state-dependent
// rule ignored. Each broken server fails the generated checks of its class.
import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/protocol/types.ts';
import { expectedLines, type RunResult } from '../../src/report/types.ts';
import type { Section } from '../../src/runner/api.ts';
import { loadSections } from '../../src/runner/load.ts';
import { runSuite } from '../../src/runner/run.ts';
import type { ServerFault } from '../../src/server/fault.ts';
import { type ServerOptions } from '../../src/server/server.ts';
import {
  bytesInsteadOfChars,
  caseInsensitiveTypeNames,
  disabledSharedLogsIn,
  firstUserWhenNobodyOnline,
  lookupBeforePermission,
  offByOne,
  typeMemberIgnored,
} from '../support/broken-servers.ts';
import { perTest } from '../support/per-test.ts';
import { runOptions } from '../support/options.ts';

const ADMIN = { username: 'gen-admin', password: 'gen-admin-pw' };
let sections: Section[] | null = null;

const { serve } = perTest('nc-test-');

async function run(
  grep: string,
  profile: Profile = 'spec',
  faults: ServerFault[] = [],
  variant?: ServerOptions['variant'],
): Promise<RunResult> {
  sections ??= (await loadSections()).filter((s) => s.id.startsWith('generated/'));
  const srv = await serve({ profile, faults, ...(variant ? { variant } : {}) });
  return runSuite(runOptions(srv, { admin: ADMIN, timeoutMs: 2000, seed: 909, sections, grep }));
}

const failedIds = (r: RunResult): string[] => r.checks.filter((c) => c.status === 'failed').map((c) => c.id);
const failureOf = (r: RunResult, id: string) => r.checks.find((c) => c.id === id)?.failures[0];

describe('generated sections', () => {
  it.each(['spec', 'nexusd'] as const)('pass against the reference server (%s)', async (profile) => {
    const r = await run('generated/', profile);
    expect(failedIds(r)).toEqual([]);
    expect(r.checks.filter((c) => c.status === 'passed').length).toBeGreaterThan(50);
  });

  it('check order: a server that looks the kicked nickname up before checking user_kick is caught', async () => {
    const r = await run('generated/check-order/user-kick', 'spec', [lookupBeforePermission('UserKick', 'user_kick')]);
    expect(failedIds(r)).toEqual(['generated/check-order/user-kick']);
    const first = failureOf(r, 'generated/check-order/user-kick')!;
    expect(first.rule).toBe('ADM-KICK-5');
    expect(expectedLines(first).join('\n')).toContain('E-PERMISSION-DENIED');
  });

  it('validator boundaries: a nickname limit counted in bytes, and a username limit off by one, are caught', async () => {
    const bytes = await run('generated/validator-boundaries/user-info-nickname', 'spec', [bytesInsteadOfChars('UserInfo', 'nickname', 32)]);
    expect(failedIds(bytes)).toEqual(['generated/validator-boundaries/user-info-nickname']);
    expect(JSON.stringify(failureOf(bytes, 'generated/validator-boundaries/user-info-nickname')!.actual)).toMatch(/too long/i);
    const off = await run('generated/validator-boundaries/user-create-username', 'nexusd', [offByOne('UserCreate', 'username', 32)]);
    expect(failedIds(off)).toEqual(['generated/validator-boundaries/user-create-username']);
  });

  it('frame grammar: type names matched case-insensitively, and a mismatching "type" member ignored, are caught', async () => {
    const lenient = caseInsensitiveTypeNames();
    const caseless = await run('generated/frame-grammar/type/', 'spec', lenient.faults, lenient.variant);
    expect(failedIds(caseless)).toEqual(['generated/frame-grammar/type/lower-case', 'generated/frame-grammar/type/upper-case']);
    const typeless = await run('generated/frame-grammar/payload/', 'nexusd', [typeMemberIgnored()]);
    expect(failedIds(typeless)).toEqual(['generated/frame-grammar/payload/type-mismatch']);
  });

  it('state matrix: a first-user rule keyed on "nobody online", and a disabled shared account that logs in, are caught', async () => {
    const nobody = await run('generated/state-matrix/first-user/', 'spec', [firstUserWhenNobodyOnline()]);
    expect(failedIds(nobody)).toEqual(['generated/state-matrix/first-user/accounts-nobody-online']);
    const disabled = await run('generated/state-matrix/login/', 'nexusd', [disabledSharedLogsIn()]);
    expect(failedIds(disabled)).toEqual(['generated/state-matrix/login/shared-account-states']);
  });
});
