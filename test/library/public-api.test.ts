// The library as a server author uses it from vitest: only the public entry point (src/index.ts,
// `nexus-conform` once installed) — a reference server (or a half-built one, for notices) as the
// target, a run, the typed result and its JSON report validated by the published zod schema.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { model, replayFixture, runFuzz, runSuite, schemas, startReferenceServer, toJsonReport } from '../../src/index.ts';
import { halfBuiltServer } from '../support/halfbuilt.ts';
import { perTest } from '../support/per-test.ts';

const { own } = perTest();

describe('the public entry point', () => {
  it('runs the handshake checks against a TLS reference server pinned by its fingerprint', async () => {
    const server = await startReferenceServer({ profile: 'spec', tls: true, port: 0 });
    own(server);
    expect(server.address).toBe(`127.0.0.1:${server.port}`);
    expect(server.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    const result = await runSuite({
      target: server.address,
      admin: 'root:a-long-secret-pw',
      transport: 'tls',
      fingerprint: server.fingerprint!,
      grep: 'session/handshake',
      seed: 7,
    });
    expect(result.summary.failed).toBe(0);
    expect(result.summary.passed).toBeGreaterThan(0);
    expect(result.checks.every((c) => c.id.startsWith('session/handshake'))).toBe(true);
    expect(result.target).toMatchObject({ transport: 'tls', fingerprint: server.fingerprint, embedded: false });
    expect(result.seed).toBe(7);

    const report = schemas.jsonReport.parse(JSON.parse(JSON.stringify(toJsonReport(result))));
    expect(report.summary).toEqual(result.summary);
    expect(JSON.stringify(report)).not.toContain('a-long-secret-pw');
  });

  it('tells onNotice what the target does not answer, before any check', async () => {
    const server = own(await halfBuiltServer({}));
    const notices: string[] = [];
    const seen: string[] = [];
    const result = await runSuite({
      target: `${server.host}:${server.port}`,
      admin: 'conform:conform-secret-pw',
      transport: 'plain',
      grep: 'session/handshake/compatible',
      timeoutMs: 300,
      seed: 5,
      onNotice: (line) => notices.push(line),
      onResult: (r) => seen.push(r.id),
    });
    expect(notices.some((l) => /^the target does not answer UserList \(/.test(l))).toBe(true);
    expect(seen).toEqual(result.checks.map((c) => c.id));
  });

  it('runs against its own embedded server when no target is given, with exclusions reported as skipped', async () => {
    const result = await runSuite({ profile: 'nexusd', grep: 'users/list', exclude: ['/./'], seed: 3 }).catch((e: Error) => e);
    expect(result).toBeInstanceOf(Error);
    const run = await runSuite({ profile: 'nexusd', grep: 'users/list', exclude: ['USR-LIST-2'] });
    expect(run.profile).toBe('nexusd');
    expect(run.target.embedded).toBe(true);
    expect(run.summary.failed).toBe(0);
    const skipped = run.checks.filter((c) => c.status === 'skipped');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((c) => c.rules.includes('USR-LIST-2') && c.message === 'excluded by --exclude')).toBe(true);
    expect(run.coverage?.rules.covered).toBeGreaterThan(0);
  });

  it('fuzzes a reference server under a budget and replays a recorded fixture', async () => {
    const server = await startReferenceServer({ profile: 'spec' });
    own(server);
    const fuzz = await runFuzz({
      target: server.address,
      admin: { username: 'root', password: 'fuzz-secret-pw' },
      fuzzers: ['frames'],
      runs: 15,
      seed: 9,
    });
    expect(fuzz.fuzz.map((f) => f.fuzzer)).toEqual(['frames']);
    expect(fuzz.fuzz[0]!.cases).toBeGreaterThan(0);
    expect(fuzz.fuzz[0]!.failures).toEqual([]);
    expect(fuzz.summary.failed).toBe(0);

    const fixture = fileURLToPath(new URL('../../fixtures/validators/username-limit-in-bytes.json', import.meta.url));
    const replay = await replayFixture(fixture);
    expect(replay.target.embedded).toBe(true);
    expect(replay.checks).toHaveLength(1);
    expect(replay.summary).toMatchObject({ passed: 1, failed: 0 });
  });

  it('exposes the model and the message schemas', () => {
    const state = model.createState({ profile: 'spec' }, { now: 1_700_000_000, idSeed: 1 });
    expect(Object.keys(state.accounts)).toEqual(['guest']);
    expect(typeof model.step).toBe('function');
    expect(schemas.clientMessages.Handshake.safeParse({ version: '0.5.0' }).success).toBe(true);
    expect(schemas.clientMessages.Handshake.safeParse({ version: 5 }).success).toBe(false);
  });
});
