// A check that lowers max_connections_per_ip (WIRE-IP-3 keeps existing connections) and then fails
// or is interrupted before it restores the limit, with a stranger from our own address online:
// once the run drops its connections, the stranger alone fills the limit, so the run must put the
// limit back over its still-open control connection before reconnecting (run.ts → target.ts
// restoreConnectionLimit). Otherwise the rest of the run and the final restore are locked out and
// the target keeps the lowered limit.
import { describe, expect, it } from 'vitest';
import { createState } from '../../src/model/create.ts';
import { passwordDigest } from '../../src/model/password.ts';
import type { State } from '../../src/model/state.ts';
import { check, section, user } from '../../src/runner/api.ts';
import { runSuite } from '../../src/runner/run.ts';
import type { RunOptions } from '../../src/runner/run.ts';
import { startServer, type ReferenceServer } from '../../src/server/server.ts';
import { RawClient } from '../../src/net/raw-client.ts';
import { seededIds } from '../../src/protocol/ids.ts';
import { perTest } from '../support/per-test.ts';
import { runOptions, targetOf, TEST_ADMIN as ADMIN } from '../support/options.ts';

/** Message ids of the test's raw clients (seeded, like the harness's). */
const ids = seededIds(7);

const T = 5000;
const NOW = Math.floor(Date.now() / 1000);
const { own } = perTest();

function populated(): State {
  const s = createState({ profile: 'spec' }, { now: NOW - 9000, idSeed: 9 });
  const base = { isShared: false, enabled: true, createdAt: NOW - 5000 };
  s.accounts.root = { ...base, username: 'root', passwordDigest: passwordDigest(ADMIN.password), isAdmin: true, permissions: [] };
  s.accounts.alice = { ...base, username: 'alice', passwordDigest: passwordDigest('pw-alice'), isAdmin: false, permissions: ['user_list'] };
  s.serverInfo = { ...s.serverInfo, name: 'Kept', max_connections_per_ip: 5 };
  return s;
}

async function setup(): Promise<{ srv: ReferenceServer; stranger: RawClient }> {
  const srv = await startServer({ port: 0, initialState: populated() });
  own(srv);
  const stranger = await RawClient.open({ host: srv.host, port: srv.port, transport: 'plain', timeoutMs: T }, ids);
  own(stranger);
  await stranger.request('Handshake', { version: '0.5.0' }, T);
  expect(
    (await stranger.request('Login', { username: 'alice', password: 'pw-alice', features: [], locale: 'en' }, T)).message?.body.success,
  ).toBe(true);
  return { srv, stranger };
}

/** This file's runs: the target not started by the harness, matched by key, seed 77. */
const options = (srv: ReferenceServer, over: Partial<RunOptions>): RunOptions =>
  runOptions(srv, { target: targetOf(srv, { embedded: false }), match: 'key', seed: 77, ...over });

/** Lowers the per-IP limit to 1 over the control connection, then fails before restoring it. */
const failsAfterLowering = check({
  id: 'fails',
  title: 'Lowers the limit to 1, then fails before restoring it',
  rules: ['WIRE-IP-3'],
  actors: { a: user() },
  run: async ({ a }, t) => {
    await t.admin.request('ServerInfoUpdate', { max_connections_per_ip: 1 }).expectSuccess();
    await a.expectConnected();
    t.assert(false, 'WIRE-IP-3', 'deliberate failure');
  },
});

/** A check after it: it can only run if the run got back in. */
const runsAfterwards = check({
  id: 'next',
  title: 'Runs afterwards',
  rules: ['USR-LIST-3'],
  actors: { u: user({ permissions: ['user_list'] }) },
  run: async ({ u }) => u.expectConnected(),
});

describe('the run gets back in after a check lowered the per-IP limit', () => {
  it('after a failed check: the next check runs and the target is restored', async () => {
    const { srv, stranger } = await setup();
    const lowers = section({ id: 'demo/lower', title: 'Lowers the limit' }, [failsAfterLowering, runsAfterwards]);
    const result = await runSuite(options(srv, { sections: [lowers] }));
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ['demo/lower/fails', 'failed'],
      ['demo/lower/next', 'passed'],
    ]);
    expect(result.checks[0]!.failures.map((f) => f.expected)).toEqual([['deliberate failure']]);
    expect(result.restored).toEqual({ ok: true, differences: [] });
    expect(srv.state().serverInfo.max_connections_per_ip).toBe(5);
    expect(stranger.isClosed).toBe(false);
  });

  it('when the control connection was reopened in lockstep before: its limit is watched from its Login too', async () => {
    const { srv, stranger } = await setup();
    const lowers = section({ id: 'demo/lower', title: 'Lowers the limit' }, [
      check({
        id: 'drops-control',
        title: 'Closes the control connection (the runner logs in a new one in lockstep)',
        rules: ['SES-AUTH-1'],
        run: async (_actors, t) => {
          await t.admin.close();
        },
      }),
      failsAfterLowering,
      runsAfterwards,
    ]);
    const result = await runSuite(options(srv, { sections: [lowers] }));
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ['demo/lower/drops-control', 'passed'],
      ['demo/lower/fails', 'failed'],
      ['demo/lower/next', 'passed'],
    ]);
    expect(result.restored).toEqual({ ok: true, differences: [] });
    expect(srv.state().serverInfo.max_connections_per_ip).toBe(5);
    expect(stranger.isClosed).toBe(false);
  });

  it('after an interrupt in the middle of such a check: the target is restored', async () => {
    const { srv, stranger } = await setup();
    const controller = new AbortController();
    const lowers = section({ id: 'demo/lower', title: 'Lowers the limit' }, [
      check({
        id: 'interrupted',
        title: 'Lowers the limit to 1, then the user presses Ctrl-C',
        rules: ['WIRE-IP-3'],
        actors: { a: user() },
        run: async ({ a }, t) => {
          await t.admin.request('ServerInfoUpdate', { max_connections_per_ip: 1, name: 'Half-way' }).expectSuccess();
          controller.abort();
          await a.expectConnected();
        },
      }),
    ]);
    const result = await runSuite(options(srv, { sections: [lowers], signal: controller.signal }));
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([['demo/lower/interrupted', 'skipped']]);
    expect(result.restored).toEqual({ ok: true, differences: [] });
    expect(srv.state().serverInfo).toMatchObject({ name: 'Kept', max_connections_per_ip: 5 });
    expect(stranger.isClosed).toBe(false);
  });
});
