// Run and fuzz options against a test's server: the target from its address and the defaults tests
// share, each overridable. One place, so a new required option is added once.
import type { FuzzOptions } from '../../src/fuzz/run.ts';
import type { RunOptions } from '../../src/runner/run.ts';
import type { ReferenceServer } from '../../src/server/server.ts';

/** A test's server: its address, and its model when it is a reference server. */
export type TestServer = { host: string; port: number } & Partial<Pick<ReferenceServer, 'state'>>;

/** The admin a test's run logs in as unless it says otherwise (a fresh server makes it its first admin). */
export const TEST_ADMIN = { username: 'root', password: 'root-secret-pw' };

/** The server's address over plain TCP, started by the harness (embedded). */
export function targetOf(srv: { host: string; port: number }, over: Partial<RunOptions['target']> = {}): RunOptions['target'] {
  return { host: srv.host, port: srv.port, transport: 'plain', embedded: true, ...over };
}

/** What runOptions and fuzzOptions share: the reference server's own profile, else spec. */
function shared(srv: TestServer): Pick<RunOptions, 'target' | 'admin' | 'profile' | 'match' | 'timeoutMs' | 'seed'> {
  return {
    target: targetOf(srv),
    admin: TEST_ADMIN,
    profile: srv.state ? srv.state().config.profile : 'spec',
    match: 'exact',
    timeoutMs: 3000,
    seed: 4242,
  };
}

export function runOptions(srv: TestServer, over: Partial<RunOptions> = {}): RunOptions {
  return { ...shared(srv), sections: [], ...over };
}

export function fuzzOptions(srv: TestServer, over: Partial<FuzzOptions> = {}): FuzzOptions {
  return { ...shared(srv), fuzzers: ['frames'], ...over };
}
