// `serve --tls` and a run against it: the fingerprint is shown, pinning it works, and a wrong pin
// is a clear exit 2.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLine, runCli, start, type Running } from './spawn.ts';

const STACK = /\n\s+at /;
const WRONG = Array.from({ length: 32 }, () => '00').join(':');

describe('serve --tls and run against it', () => {
  let serve: Running;
  let address: string;
  let fingerprint: string;

  beforeAll(async () => {
    serve = start(['serve', '--tls', '--host', '127.0.0.1', '--port', '0', '--profile', 'spec'], { timeoutMs: 170_000 });
    address = (await serve.waitFor(/listening on (127\.0\.0\.1:\d+) \(TLS, profile spec\)/))[1]!;
    fingerprint = (await serve.waitFor(/^fingerprint ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})$/m))[1]!;
  }, 30_000);

  afterAll(async () => {
    if (serve.child.exitCode === null) serve.child.kill('SIGTERM');
    await serve.done;
  });

  it('a run in auto mode connects over TLS and shows the fingerprint', async () => {
    const r = await runCli([address, '--admin', 'conform-admin:conform-pw', '--grep', 'session/handshake/'], { timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`fingerprint: ${fingerprint}`);
    expect(r.stdout).toMatch(/over TLS/);
    expect(r.stdout).toMatch(/^\d+ passed, 0 failed, \d+ skipped$/m);
    expect(r.stdout).not.toContain('conform-pw');
  }, 70_000);

  it('the right pin passes', async () => {
    const r = await runCli(
      [
        address,
        '--admin',
        'conform-admin:conform-pw',
        '--fingerprint',
        fingerprint.toLowerCase(),
        '--grep',
        'session/handshake/server-version',
      ],
      {
        timeoutMs: 60_000,
      },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, 70_000);

  it('a wrong --fingerprint exits 2 with one clear line', async () => {
    const r = await runCli([address, '--admin', 'conform-admin:conform-pw', '--fingerprint', WRONG], { timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(STACK);
    const line = expectOneLine(r.stderr);
    expect(line).toMatch(/fingerprint/i);
    expect(line).toContain(fingerprint);
  }, 70_000);

  it('a run in the other profile fails checks: exit 1, failure details on the console and in JUnit', async () => {
    const junit = join(mkdtempSync(join(tmpdir(), 'nc-serve-')), 'junit.xml');
    const r = await runCli(
      [
        address,
        '--admin',
        'conform-admin:conform-pw',
        '--profile',
        'nexusd',
        '--grep',
        'server-info/validation/name-empty',
        '--junit',
        junit,
      ],
      { timeoutMs: 60_000 },
    );
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ {4}✗ server-info\/validation\/name-empty — /m);
    for (const label of ['rule:     ADM-SINFO-5', 'sent:     ', 'expected: ', 'actual:   ']) expect(r.stdout).toContain(`        ${label}`);
    expect(r.stdout).toMatch(/^0 passed, [1-9]\d* failed, \d+ skipped$/m);
    expect(r.stdout).toContain('cleanup accounts and server info equal the pre-run snapshot');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<failure message="[^"]+" type="ADM-SINFO-5">/);
    expect(xml).toContain('classname="server-info/validation"');
  }, 70_000);

  it('stops on SIGTERM with exit 0', async () => {
    serve.child.kill('SIGTERM');
    const r = await serve.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('stopping (SIGTERM)');
    expect(r.stderr).not.toMatch(STACK);
  });
});

describe('serve errors', () => {
  it('a port in use exits 2 with one clear line', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const r = await runCli(['serve', '--host', '127.0.0.1', '--port', String(port)], { timeoutMs: 20_000 });
      expect(r.code).toBe(2);
      expect(expectOneLine(r.stderr)).toBe(`nexus-conform: cannot listen on 127.0.0.1:${port}: address already in use`);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
