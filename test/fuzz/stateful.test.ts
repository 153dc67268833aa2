// The stateful fuzzer finds a server that loses the UserUpdated broadcast of a rename made after a
// kick (the catalogue's rename-after-kick-loses-broadcast), shrinks the command sequence to a
// minimal one, and the fixture it writes replays to the same failure against that server and
// passes against the reference server in both profiles.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFixture } from '../../src/fuzz/fixture.ts';
import { fuzzer } from '../../src/fuzz/stateful/index.ts';
import { faultHooks } from '../../src/server/faults/index.ts';
import { fuzzContext } from './context.ts';
import { expectReplays } from './replay.ts';
import { perTest } from '../support/per-test.ts';

const { serve, tempDir } = perTest('nc-test-');

describe('stateful fuzzer', () => {
  it('finds a broadcast missing after a rename following a kick, shrinks it, and the fixture replays', async () => {
    const broken = await serve({ port: 0, profile: 'spec', faults: faultHooks(['rename-after-kick-loses-broadcast']) });
    // A lost broadcast shows as a frame that never comes: 1 s is plenty on loopback and keeps the
    // shrink (every failing candidate waits that long) short.
    const ctx = await fuzzContext(broken, { profile: 'spec', seed: 15, runs: 200, timeoutMs: 1000, tempDir });
    const r = await fuzzer.run(ctx);
    expect(await ctx.session.finish()).toEqual({ ok: true, differences: [] });

    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]!.class).toBe('sequence');
    expect(r.failures[0]!.message).toMatch(/replay: nexus-conform replay \S+\.json/);
    const { fixture, path } = ctx.recorded[0]!;
    expect(parseFixture(readFileSync(path, 'utf8'), path)).toEqual(fixture);
    // Minimal: a kick, then a rename by the same session, and nothing else that is a request.
    const requests = fixture.steps.filter((s) => s.op === 'request').map((s) => (s.op === 'request' ? s.type : ''));
    expect(requests).toEqual(['UserKick', 'UserUpdate']);
    expect(fixture.rules).toContain('ADM-UPDATE-16');

    await expectReplays(path, broken, fixture, serve);
  }, 120_000);
});
