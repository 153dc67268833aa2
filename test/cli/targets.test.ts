// Targets that are not Nexus servers: each run ends within its timeout with exit 2 (one clear
// line) or exit 1 (a failed check), never a hang and never a stack trace.
import { afterEach, describe, expect, it } from 'vitest';
import { garbageServer, halfFrameServer, httpServer, refusedPort, silentServer, type HostileServer } from '../support/hostile.ts';
import { expectOneLine, runCli, type CliRun } from './spawn.ts';

const STACK = /\n\s+at /;
let server: HostileServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function against(make: () => Promise<HostileServer>, extra: string[] = []): Promise<CliRun> {
  server = await make();
  const address = `${server.host}:${server.port}`;
  const r = await runCli([address, '--admin', 'conform:secret-pw', '--timeout', '500', ...extra], { timeoutMs: 45_000 });
  expect(r.timedOut, `hung: ${r.stdout}\n${r.stderr}`).toBe(false);
  expect(r.stderr + r.stdout).not.toMatch(STACK);
  expect(r.stdout + r.stderr).not.toContain('secret-pw');
  expect([1, 2], `exit ${r.code}\n${r.stdout}\n${r.stderr}`).toContain(r.code);
  if (r.code === 2) {
    expect(expectOneLine(r.stderr)).toMatch(new RegExp(`^nexus-conform: cannot test ${address.replace(/\./g, '\\.')}: \\S`));
  } else {
    expect(r.stdout).toContain('✗');
    expect(r.stdout).toMatch(/^\d+ passed, [1-9]\d* failed, \d+ skipped$/m);
  }
  return r;
}

describe('hostile targets', () => {
  it('connection refused → exit 2 with one line', async () => {
    const r = await against(refusedPort);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refused/i);
  });

  it('an HTTP server', async () => {
    await against(httpServer);
  });

  it('a server that accepts and never answers', async () => {
    await against(silentServer);
  });

  it('a server that sends garbage', async () => {
    await against(garbageServer);
  });

  it('a server that closes mid-frame', async () => {
    await against(halfFrameServer);
  });

  it('the same over forced plain TCP and forced TLS', async () => {
    await against(silentServer, ['--plain']);
    await server!.close();
    await against(httpServer, ['--tls']);
  });
});
