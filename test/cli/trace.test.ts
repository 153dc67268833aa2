// --trace FILE: every frame of every connection as pino NDJSON (time, connection, actor, direction,
// type, id, payload), passwords redacted; --verbose: the same traffic as readable lines on stderr.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './spawn.ts';

const dir = mkdtempSync(join(tmpdir(), 'nexus-conform-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--trace and --verbose', () => {
  it('write every frame as NDJSON with passwords redacted, and stream them to stderr', async () => {
    const file = join(dir, 'sub', 'trace.ndjson');
    const run = await runCli(['--grep', 'session/login/', '--quiet', '--trace', file, '--verbose'], {
      env: { NEXUS_CONFORM_ADMIN: 'tracer:trace-secret-pw' },
    });
    expect(run.code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('trace-secret-pw');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(20);
    for (const l of lines) {
      expect(l).toMatchObject({
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        connection: expect.any(String),
        actor: expect.any(String),
      });
      expect(['opened', 'sent', 'received', 'closed']).toContain(l.direction);
    }
    expect(new Set(lines.map((l) => l.direction))).toEqual(new Set(['opened', 'sent', 'received', 'closed']));
    const login = lines.find((l) => l.direction === 'sent' && l.type === 'Login')!;
    expect(login.id).toMatch(/^[0-9a-f]{12}$/);
    expect(login.payload).toMatchObject({ type: 'Login', password: '[redacted]' });
    const admin = lines.find((l) => l.direction === 'sent' && l.type === 'UserCreate')!;
    expect((admin.payload as { password: string }).password).toBe('[redacted]');
    // --verbose: one readable line per event on stderr, the same count as the trace.
    const verbose = run.stderr.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d{3} \S+ \S+ [+→←×] /.test(l));
    expect(verbose.length).toBe(lines.length);
    expect(run.stderr).not.toContain('trace-secret-pw');
  });
});
