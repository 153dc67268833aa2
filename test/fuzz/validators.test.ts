// The validator fuzzer finds a server whose VAL-USERNAME limit is counted in bytes instead of
// characters, shrinks the case to one probe, and the fixture it writes replays to the same failure
// against that server and passes against the reference server in both profiles.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFixture } from '../../src/fuzz/fixture.ts';
import { fuzzer } from '../../src/fuzz/validators/index.ts';
import { charLength, LIMITS, utf8Length } from '../../src/model/index.ts';
import { faultHooks } from '../../src/server/faults/index.ts';
import { fuzzContext } from './context.ts';
import { expectReplays } from './replay.ts';
import { perTest } from '../support/per-test.ts';

const { serve, tempDir } = perTest('nc-test-');

describe('validator fuzzer', () => {
  it('finds a username limit counted in bytes, shrinks it to one UserCreate, and the fixture replays', async () => {
    const broken = await serve({
      port: 0,
      profile: 'spec',
      faults: faultHooks(['username-limit-in-bytes']),
    });
    const ctx = await fuzzContext(broken, { profile: 'spec', seed: 8, runs: 400, tempDir });
    const r = await fuzzer.run(ctx);
    expect(await ctx.session.finish()).toEqual({ ok: true, differences: [] });

    expect(r.failures).toHaveLength(1);
    const [failure] = r.failures;
    expect(failure!.class).toBe('verdict');
    expect(failure!.message).toMatch(/replay: nexus-conform replay \S+\.json/);
    expect(ctx.recorded).toHaveLength(1);
    const { fixture, path } = ctx.recorded[0]!;
    expect(parseFixture(readFileSync(path, 'utf8'), path)).toEqual(fixture);
    // Shrunk to the one probe: a UserCreate whose username is ≤ 32 characters but > 32 bytes.
    const requests = fixture.steps.filter((s) => s.op === 'request');
    expect(requests).toHaveLength(1);
    const sent = requests[0]!;
    expect(sent.op === 'request' && sent.type).toBe('UserCreate');
    const name = sent.op === 'request' ? (sent.body.username as string) : '';
    expect(charLength(name)).toBeLessThanOrEqual(LIMITS.username);
    expect(utf8Length(name)).toBeGreaterThan(LIMITS.username);
    expect(fixture.found?.failures.length).toBeGreaterThan(0);
    expect(fixture.seed).toBeTypeOf('number');
    expect(fixture.path).toMatch(/^\d+(:\d+)*$/);

    // Replays to the same failure against the broken server, and passes against the reference server.
    await expectReplays(path, broken, fixture, serve);
  }, 120_000);
});
