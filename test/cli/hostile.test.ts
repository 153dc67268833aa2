// Hostile targets through the real command line: each run ends by itself within its (small)
// timeouts, exits 1 or 2, and says in one clear line what the target did — never a stack trace,
// a harness-internal name, or the admin password.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  closingServer,
  drippingServer,
  firstConnectionsServer,
  floodServer,
  garbageServer,
  handshakeThenSilentServer,
  httpServer,
  hugeFrameServer,
  invalidJsonServer,
  refusedPort,
  silentServer,
  stallingServer,
  stopsAnsweringServer,
  tlsResetServer,
  twiceServer,
  wrongIdServer,
  type HostileServer,
} from '../support/hostile.ts';
import { halfBuiltServer } from '../support/halfbuilt.ts';
import { expectOneLine, runCli, type CliRun } from './spawn.ts';

const STACK = /\n\s+at /;
const INTERNAL =
  /attachSession|mirror|RawExchangeError|TargetUnavailable|Lockstep|NetError|ClosedError|TimeoutError|TypeError|internal error/;
let server: HostileServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** `command` is [] for `run` (the default command), or e.g. ['fuzz', 'all']. */
let command: string[] = [];

async function run(make: () => Promise<HostileServer>, extra: string[]): Promise<CliRun> {
  server = await make();
  const r = await runCli([...command, `${server.host}:${server.port}`, '--admin', 'conform:secret-pw', '--timeout', '300', ...extra], {
    timeoutMs: 60_000,
  });
  expect(r.timedOut, `hung: ${r.stdout}\n${r.stderr}`).toBe(false);
  expect(r.stdout + r.stderr).not.toMatch(STACK);
  expect(r.stdout + r.stderr).not.toMatch(INTERNAL);
  expect(r.stdout + r.stderr).not.toContain('secret-pw');
  return r;
}

/** Exit 2 with exactly one line on stderr: `cannot test <address>: <what the target did>`. */
async function cannotTest(make: () => Promise<HostileServer>, extra: string[], what: RegExp): Promise<void> {
  const r = await run(make, extra);
  expect(r.code, r.stdout + r.stderr).toBe(2);
  const line = expectOneLine(r.stderr);
  expect(line).toMatch(/^nexus-conform: cannot test 127\.0\.0\.1:\d+: /);
  expect(line).toMatch(what);
}

/** Exit 1: failed checks, the summary line, and `clear` somewhere in the report. */
async function failedChecks(make: () => Promise<HostileServer>, extra: string[], clear: RegExp): Promise<CliRun> {
  const r = await run(make, extra);
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toBe('');
  expect(r.stdout).toMatch(/^\d+ passed, [1-9]\d* failed, \d+ skipped$/m);
  expect(r.stdout).toMatch(clear);
  return r;
}

const ONE = ['--grep', 'session/handshake/server-version'];

describe('targets that cannot be tested: exit 2, one line saying what the target did', () => {
  it('accepts and never answers (auto, then plain)', async () => {
    await cannotTest(silentServer, [], /answered nothing within 300 ms/);
    await server!.close();
    await cannotTest(silentServer, ['--plain'], /did not answer the Handshake: no answer within 300 ms/);
  });

  it('answers the Handshake and then nothing', async () => {
    await cannotTest(handshakeThenSilentServer, ['--plain'], /answered the Handshake but not the admin's Login: no answer within 300 ms/);
  });

  it('closes at once', async () => {
    await cannotTest(closingServer, [], /closed the connection instead of answering Handshake/);
  });

  it('answers with garbage bytes, or speaks HTTP', async () => {
    await cannotTest(garbageServer, [], /sent bytes that are not a frame/);
    await server!.close();
    await cannotTest(httpServer, ['--plain'], /sent bytes that are not a frame/);
  });

  it('stalls in the middle of a frame', async () => {
    await cannotTest(stallingServer, ['--plain'], /the start of a frame, then nothing more within 300 ms/);
  });

  it('announces a huge payload: dropped at the cap, at once', async () => {
    await cannotTest(() => hugeFrameServer(9_000_000_000), ['--plain'], /announced a 9000000000-byte frame, above the \d+-byte cap/);
  });

  it('sends invalid JSON', async () => {
    await cannotTest(invalidJsonServer, ['--plain'], /an answer that is not a JSON object/);
  });

  it('resets during the TLS handshake (forced TLS), and on the plain Handshake (auto)', async () => {
    await cannotTest(tlsResetServer, ['--tls'], /closed the connection during the TLS handshake/);
    await server!.close();
    await cannotTest(tlsResetServer, [], /reset the connection instead of answering Handshake/);
  });

  it('refuses connections', async () => {
    await cannotTest(refusedPort, [], /refused/);
  });
});

describe('targets that get further: exit 1, the failed checks say what the target did', () => {
  it('answers with a fresh message id: a WIRE-ID-2 failure, not a harness message', async () => {
    const r = await failedChecks(wrongIdServer, ['--plain', ...ONE], /✗ preflight\/request-ids — /);
    expect(r.stdout).toMatch(
      /rule:\s+WIRE-ID-2\n\s+sent:\s+Handshake with id [0-9a-f]{12}\n\s+expected:.*\n\s+actual:\s+HandshakeResponse with id [0-9a-f]{12}/,
    );
  });

  it('answers every frame twice: the extra answer is an unexpected frame', async () => {
    await failedChecks(twiceServer, ['--plain', ...ONE], /actual:\s+unexpected NX\|17\|HandshakeResponse\|/);
  });

  it('accepts only its first connections: the rest of the run is one line, not hundreds', async () => {
    const r = await failedChecks(
      () => firstConnectionsServer(3),
      ['--plain', '--grep', 'session/handshake'],
      /^\d+ checks not run: the target became unavailable: .*((closed|reset) the connection|no answer within 300 ms)/m,
    );
    expect(r.stdout).toMatch(/cannot verify the cleanup: /);
  });

  it('stops answering in the middle of the run', async () => {
    await failedChecks(
      () => stopsAnsweringServer(40),
      ['--plain', '--grep', 'session/handshake'],
      /^\d+ checks not run: the target became unavailable: .*no answer within 300 ms/m,
    );
  });

  it('floods unsolicited broadcasts (tens of thousands per answer): dropped at the cap', async () => {
    await cannotTest(
      () => floodServer(60_000),
      ['--plain', '--timeout', '5000', ...ONE],
      /the target sent more than 50000 unread frames on one connection \(a flood\)/,
    );
  });

  it('drips its bytes slowly but within the timeouts: the same verdicts as at full speed', async () => {
    const summary = (r: CliRun): string => r.stdout.match(/^\d+ passed, \d+ failed, \d+ skipped$/m)![0];
    const args = ['--plain', '--seed', '5', '--grep', 'session/handshake/compatible'];
    const fast = await run(() => halfBuiltServer({ implements: ['UserList', 'UserInfo'] }), args);
    await server!.close();
    const slow = await run(() => drippingServer(7, 1), args);
    expect(summary(slow)).toBe(summary(fast));
    expect(slow.code).toBe(fast.code);
  });
});

describe('fuzz against hostile targets: the same endings', () => {
  const fixtures = mkdtempSync(join(tmpdir(), 'nc-hostile-'));
  const FUZZ = ['--plain', '--runs', '3', '--seed', '1', '--fixtures', fixtures];
  afterAll(() => {
    command = [];
    rmSync(fixtures, { recursive: true, force: true });
  });

  it('silent, stalling, flooding: exit 2 with one line', async () => {
    command = ['fuzz', 'all'];
    await cannotTest(silentServer, FUZZ, /did not answer the Handshake: no answer within 300 ms/);
    await server!.close();
    await cannotTest(stallingServer, FUZZ, /the start of a frame, then nothing more within 300 ms/);
    await server!.close();
    await cannotTest(
      () => floodServer(60_000),
      [...FUZZ, '--timeout', '5000'],
      /more than 50000 unread frames on one connection \(a flood\)/,
    );
  });

  it('a fresh message id: the WIRE-ID-2 preflight failure, exit 1', async () => {
    command = ['fuzz', 'all'];
    const r = await failedChecks(wrongIdServer, FUZZ, /✗ preflight\/request-ids — /);
    expect(r.stdout).toMatch(/rule:\s+WIRE-ID-2/);
  });

  it('a target that goes away: the fuzzers it leaves are skipped with the reason, not passed', async () => {
    command = ['fuzz', 'all'];
    const r = await failedChecks(() => firstConnectionsServer(3), FUZZ, /skipped: the target became unavailable: /);
    expect(r.stdout).not.toMatch(/✓ fuzz\/\w+ — \w+ fuzzer: 0 cases/);
  });
});
