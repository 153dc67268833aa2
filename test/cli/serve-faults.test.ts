// `serve --list-faults` and `serve --fault NAME`: the catalogue is listed; an unknown name is one
// clear line and exit 2 with a hint; a known one is served and named at start.
import { describe, expect, it } from 'vitest';
import { FAULTS } from '../../src/server/faults/index.ts';
import { expectOneLine, runCli, start } from './spawn.ts';

describe('serve --fault', () => {
  it('--list-faults prints every fault with its rule ids, profiles and description', async () => {
    const r = await runCli(['serve', '--list-faults'], { timeoutMs: 20_000 });
    expect(r.code, r.stderr).toBe(0);
    for (const f of FAULTS) {
      expect(r.stdout).toContain(
        `${f.name}\n    rules:    ${f.rules.join(', ')}\n    profiles: ${f.profiles.join(', ')}\n    ${f.description}`,
      );
    }
    expect(r.stdout).toContain(`${FAULTS.length} faults`);
  });

  it('an unknown fault is one line, exit 2, with a hint to --list-faults', async () => {
    const r = await runCli(['serve', '--port', '0', '--fault', 'no-such-fault'], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(expectOneLine(r.stderr)).toMatch(/unknown fault "no-such-fault".*--list-faults/);
  });

  it('a known fault is served and named at start; a run against it fails the check of its rule', async () => {
    const serve = start(['serve', '--host', '127.0.0.1', '--port', '0', '--fault', 'guest-any-password'], { timeoutMs: 60_000 });
    try {
      const address = (await serve.waitFor(/listening on (127\.0\.0\.1:\d+)/))[1]!;
      await serve.waitFor(/^fault guest-any-password: .*\[SES-GUEST-1, SES-LOGIN-10\]$/m);
      const r = await runCli([address, '--admin', 'fault-admin:fault-pw', '--grep', 'session/guest-login/password-must-be-empty'], {
        timeoutMs: 40_000,
      });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/SES-GUEST-1|SES-LOGIN-10/);
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGTERM');
      await serve.done;
    }
  }, 70_000);
});
