// Usage errors end with exit 2 and one clear line on stderr, before any connection is made.
import { describe, expect, it } from 'vitest';
import { expectOneLine, runCli } from './spawn.ts';

const STACK = /\n\s+at /;

async function usageError(args: string[], pattern: RegExp, env?: Record<string, string | undefined>) {
  const r = await runCli(args, { timeoutMs: 20_000, ...(env ? { env } : {}) });
  expect(r.timedOut).toBe(false);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).not.toMatch(STACK);
  expect(expectOneLine(r.stderr)).toMatch(pattern);
  return r;
}

describe('usage errors', () => {
  it('rejects an address without a port', async () => {
    await usageError(['nonsense', '--admin', 'a:b'], /^nexus-conform: invalid target "nonsense": missing port/);
  });

  it('rejects a port out of range', async () => {
    await usageError(['host:99999', '--admin', 'a:b'], /^nexus-conform: invalid target "host:99999": port 99999 out of range/);
  });

  it('rejects the same through the explicit run command', async () => {
    await usageError(['run', 'nonsense'], /invalid target "nonsense"/);
  });

  it('requires admin credentials for a real target and names both ways to give them', async () => {
    await usageError(['127.0.0.1:7500'], /--admin user:password or NEXUS_CONFORM_ADMIN/);
  });

  it('rejects malformed admin credentials from the flag and from the environment', async () => {
    await usageError(['127.0.0.1:7500', '--admin', 'nopassword'], /--admin must be user:password/);
    const r = await usageError(['127.0.0.1:7500'], /NEXUS_CONFORM_ADMIN must be user:password/, { NEXUS_CONFORM_ADMIN: 'secret-only' });
    // The rejected value may be a password: it is never echoed.
    expect(r.stderr).not.toContain('secret-only');
  });

  it('rejects unknown options, bad choices and bad numbers as usage errors', async () => {
    await usageError(['--bogus'], /unknown option '--bogus'/);
    await usageError(['--profile', 'strict'], /--profile.*Allowed choices are spec, nexusd/);
    await usageError(['--timeout', '-5'], /--timeout/);
    await usageError(['--seed', 'x'], /--seed must be a whole number/);
    await usageError(['--fingerprint', 'AB:CD'], /32 hex byte pairs/);
    await usageError(['--grep', '/([/'], /not a valid \/regular expression\//);
  });

  it('refuses --tls with --plain, and --fingerprint with --plain', async () => {
    await usageError(['--tls', '--plain'], /cannot be used with/);
    await usageError(['127.0.0.1:1', '--plain', '--admin', 'a:b', '--fingerprint', 'AB:'.repeat(31) + 'AB'], /--fingerprint needs TLS/);
  });

  it('refuses --fingerprint for the embedded server without --tls', async () => {
    await usageError(['--fingerprint', 'AB:'.repeat(31) + 'AB'], /--fingerprint needs TLS: the embedded server speaks plain TCP/);
  });

  it('rejects a second positional argument', async () => {
    await usageError(['127.0.0.1:1', '127.0.0.1:2', '--admin', 'a:b'], /too many arguments/);
  });

  it('prints help and the version with exit 0', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('serve');
    const runHelp = await runCli(['run', '--help']);
    expect(runHelp.code).toBe(0);
    for (const flag of [
      '--tls',
      '--plain',
      '--fingerprint',
      '--admin',
      '--profile',
      '--match',
      '--grep',
      '--list',
      '--junit',
      '--json',
      '--timeout',
      '--seed',
      '--slow',
      '--quiet',
    ]) {
      expect(runHelp.stdout).toContain(flag);
    }
    const v = await runCli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('rejects a bad serve port', async () => {
    await usageError(['serve', '--port', '70000'], /--port must be between 0 and 65535/);
  });
});
