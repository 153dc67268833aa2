// `--jobs`: independent checks on several lanes side by side (schedule.ts, lane.ts). The verdicts
// of a seed do not depend on the lane count — against a conforming server with a stranger online,
// and against broken servers (never UserConnected; UserConnected to everyone): the same failed
// checks either way —, the
// results come in plan order, the target ends as it began (also after an interrupt), checks on
// server-wide state run alone, and a check that should have run alone fails as a harness bug.
// Verdicts and contents are compared, never timings.
import { afterEach, describe, expect, it } from 'vitest';
import { createState } from '../../src/model/create.ts';
import { passwordDigest } from '../../src/model/password.ts';
import type { Event, State, StepResult } from '../../src/model/index.ts';
import { RawClient } from '../../src/net/raw-client.ts';
import { seededIds } from '../../src/protocol/ids.ts';
import type { Profile } from '../../src/protocol/types.ts';
import type { RunResult } from '../../src/report/types.ts';
import { check, guest, section, user } from '../../src/runner/api.ts';
import type { Section } from '../../src/runner/api.ts';
import { runsAlone } from '../../src/runner/check-plan.ts';
import { loadSections } from '../../src/runner/load.ts';
import { isRunFamily, NameSource } from '../../src/runner/names.ts';
import { runSuite, type RunOptions } from '../../src/runner/run.ts';
import { deal } from '../../src/runner/schedule.ts';
import type { ServerFault } from '../../src/server/fault.ts';
import { faultHooks } from '../../src/server/faults/index.ts';
import { startServer, type ReferenceServer } from '../../src/server/server.ts';
import { account } from '../support/accounts.ts';

const NOW = Math.floor(Date.now() / 1000);
const ADMIN = { username: 'root', password: 'root-secret-pw' };
const servers: ReferenceServer[] = [];
const strays: RawClient[] = [];
const ids = seededIds(7);
let sections: Section[] | null = null;

afterEach(async () => {
  for (const c of strays.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A target that is not empty: a few accounts, custom server info, a low per-IP limit. */
function populated(profile: Profile): State {
  const s = createState({ profile }, { now: NOW - 9000, idSeed: 3 });
  for (const a of [
    account('root', { isAdmin: true, passwordDigest: passwordDigest(ADMIN.password) }),
    account('alice', { permissions: ['user_list', 'user_info'] }),
  ]) {
    s.accounts[a.username] = a;
  }
  s.serverInfo = { ...s.serverInfo, name: 'Custom BBS', max_connections_per_ip: 4 };
  return s;
}

/** A fault that never sends UserConnected (the bench's failing server). */
const noUserConnected: ServerFault = {
  step: (state: State, event: Event, next): StepResult<State> => {
    const r = next(state, event);
    return { ...r, outputs: r.outputs.filter((o) => o.kind !== 'send' || o.message.type !== 'UserConnected') };
  },
};

async function serve(state: State, faults: ServerFault[] = []): Promise<ReferenceServer> {
  const srv = await startServer({ port: 0, initialState: state, faults });
  servers.push(srv);
  return srv;
}

/** A stranger logged in for the whole run (must survive it untouched). */
async function stranger(srv: ReferenceServer): Promise<RawClient> {
  const c = await RawClient.open({ host: srv.host, port: srv.port, transport: 'plain', timeoutMs: 3000 }, ids);
  strays.push(c);
  await c.request('Handshake', { version: '0.5.0' }, 3000);
  const r = await c.request('Login', { username: 'alice', password: 'pw-alice', features: ['chat'], locale: 'en' }, 3000);
  expect(r.message?.body.success).toBe(true);
  return c;
}

function options(srv: ReferenceServer, over: Partial<RunOptions>): RunOptions {
  return {
    target: { host: srv.host, port: srv.port, transport: 'plain', embedded: true },
    admin: ADMIN,
    profile: srv.state().config.profile,
    match: 'exact',
    timeoutMs: 3000,
    seed: 4242,
    sections: [],
    ...over,
  };
}

/** What must survive a run: accounts with their rights, and the server info. */
function durable(state: State) {
  const accounts = Object.entries(state.accounts).map(([k, a]) => [k, a.isAdmin, a.enabled, [...a.permissions].sort(), a.passwordDigest]);
  const { version: _v, ...info } = state.serverInfo;
  return { accounts, info };
}

/** Per check: id, status and the rules its failures cite — what a seed must repeat. */
const verdicts = (r: RunResult) => r.checks.map((c) => [c.id, c.status, [...new Set(c.failures.map((f) => f.rule))].sort()]);

describe('planning', () => {
  it('deals the concurrent checks round-robin in plan order, whatever the lane count', () => {
    expect(deal([0, 1, 2, 3, 4, 5, 6], 3)).toEqual([
      [0, 3, 6],
      [1, 4],
      [2, 5],
    ]);
    expect(deal([0, 1], 4)).toEqual([[0], [1], [], []]);
  });

  it('runs alone what its declared data shows acts on server-wide state, and what says so', () => {
    const base = { title: 't', run: async () => {} };
    expect(runsAlone(check({ ...base, id: 'a', rules: ['USR-LIST-3'], actors: { u: user() } }))).toBeNull();
    expect(runsAlone(check({ ...base, id: 'b', rules: ['USR-LIST-3'], actors: { g: guest() } }))).toMatch(/guest/);
    expect(runsAlone(check({ ...base, id: 'c', rules: ['GEN-1', 'ADM-SINFO-10'] }))).toMatch(/ADM-SINFO-10/);
    expect(runsAlone(check({ ...base, id: 'd', rules: ['CM-3'] }))).toMatch(/CM-3/);
    expect(runsAlone(check({ ...base, id: 'e', rules: ['WIRE-IP-2'] }))).toMatch(/WIRE-IP-2/);
    expect(runsAlone(check({ ...base, id: 'f', rules: ['SES-AUTH-2'], needs: { fresh: true } }))).toMatch(/fresh/);
    expect(runsAlone(check({ ...base, id: 'g', rules: ['WIRE-JSON-4'], exclusive: 'sends ServerInfoUpdate' }))).toBe(
      'sends ServerInfoUpdate',
    );
  });

  it('gives every lane its own name prefix, all of them the run’s', () => {
    const family = isRunFamily(77);
    const lanes = [0, 1, 2, 15].map((k) => new NameSource(77, k));
    const prefixes = lanes.map((l) => l.prefix);
    expect(new Set(prefixes).size).toBe(4);
    for (const l of lanes) {
      const name = l.make('someone');
      expect(name.length).toBeLessThanOrEqual(32);
      expect(family(name)).toBe(true);
      // Each lane owns only its own names: the others are strangers to it.
      expect(lanes.filter((o) => o.isRunName(name))).toEqual([l]);
    }
    expect(family('nc00xz_u1')).toBe(false);
    expect(family(`${prefixes[0]!.slice(0, -1)}q_u1`)).toBe(false); // past the 16th lane
    expect(() => new NameSource(77, 16)).toThrow(RangeError);
  });
});

describe('lanes side by side', () => {
  const GREP = '/^(users|away|admin\\/kick|session\\/presence|connection-monitor)\\//';

  it.each<Profile>(['spec', 'nexusd'])(
    'a %s server with a stranger online: the verdicts, their order and the restored target do not depend on --jobs',
    async (profile) => {
      sections ??= await loadSections();
      const runs: RunResult[] = [];
      for (const jobs of [1, 4]) {
        const srv = await serve(populated(profile));
        const before = durable(srv.state());
        const alice = await stranger(srv);
        const seen: string[] = [];
        const result = await runSuite(options(srv, { sections, grep: GREP, jobs, onResult: (r) => seen.push(r.id) }));
        expect(
          result.summary.failed,
          JSON.stringify(result.checks.filter((c) => c.status === 'failed').map((c) => [c.id, c.message])),
        ).toBe(0);
        expect(seen).toEqual(result.checks.map((c) => c.id));
        expect(result.restored).toEqual({ ok: true, differences: [] });
        expect(durable(srv.state())).toEqual(before);
        expect(alice.isClosed).toBe(false);
        expect(Object.values(srv.state().sessions).map((s) => s.nickname)).toEqual(['alice']);
        runs.push(result);
      }
      expect(verdicts(runs[1]!)).toEqual(verdicts(runs[0]!));
      // Lanes add only their control connections; every check still makes its own round trips.
      expect(runs[1]!.stats.connections).toBeGreaterThan(runs[0]!.stats.connections);
    },
    120_000,
  );

  it('a server that never sends UserConnected fails the same checks with --jobs 1 and --jobs 4', async () => {
    sections ??= await loadSections();
    const runs: RunResult[] = [];
    for (const jobs of [1, 4]) {
      const srv = await serve(populated('spec'), [noUserConnected]);
      const before = durable(srv.state());
      const result = await runSuite(options(srv, { sections, grep: 'session/presence', jobs, timeoutMs: 1000 }));
      expect(result.restored).toEqual({ ok: true, differences: [] });
      expect(durable(srv.state())).toEqual(before);
      runs.push(result);
    }
    expect(runs[0]!.summary.failed).toBeGreaterThan(3);
    expect(verdicts(runs[1]!)).toEqual(verdicts(runs[0]!));
  }, 120_000);

  it('a server that sends UserConnected to everyone (a catalogue fault) fails the same checks with --jobs 1 and --jobs 4', async () => {
    sections ??= await loadSections();
    const runs: RunResult[] = [];
    for (const jobs of [1, 4]) {
      const srv = await serve(populated('spec'), faultHooks(['user-connected-to-everyone']));
      const result = await runSuite(options(srv, { sections, grep: '/^(users|session\\/presence|away)\\//', jobs }));
      expect(result.restored).toEqual({ ok: true, differences: [] });
      runs.push(result);
    }
    expect(runs[0]!.summary.failed).toBeGreaterThan(5);
    expect(verdicts(runs[1]!)).toEqual(verdicts(runs[0]!));
  }, 120_000);

  it('restores the target after an interrupt while lanes run (SIGINT)', async () => {
    const srv = await serve(populated('spec'));
    const before = durable(srv.state());
    const controller = new AbortController();
    const busy = (id: string, stop = false) =>
      check({
        id,
        title: `Creates an account${stop ? ', then the user presses Ctrl-C' : ''}`,
        rules: ['ADM-CREATE-1'],
        actors: { a: user({ permissions: ['user_list'] }), b: user() },
        run: async ({ a }, t) => {
          const name = t.name('made');
          t.created(name);
          await t.admin
            .request('UserCreate', { username: name, password: 'pw', is_admin: false, enabled: true, permissions: [] })
            .expectSuccess();
          if (stop) controller.abort();
          await a.request('UserList', {});
        },
      });
    const demo = section({ id: 'demo/jobs', title: 'Interrupted lanes' }, [
      busy('one'),
      busy('two', true),
      busy('three'),
      busy('four'),
      busy('five'),
      busy('six'),
    ]);
    const result = await runSuite(options(srv, { sections: [demo], jobs: 3, signal: controller.signal }));
    expect(result.checks.map((c) => c.id)).toEqual(demo.checks.map((c) => `demo/jobs/${c.id}`));
    expect(result.checks.find((c) => c.id === 'demo/jobs/two')).toMatchObject({ status: 'skipped', message: 'run interrupted' });
    expect(result.checks.filter((c) => c.status === 'failed')).toEqual([]);
    expect(result.restored).toEqual({ ok: true, differences: [] });
    expect(durable(srv.state())).toEqual(before);
    expect(Object.keys(srv.state().sessions)).toEqual([]);
  }, 60_000);

  it('runs checks on server-wide state alone, and fails a check that should have but did not say so', async () => {
    const srv = await serve(populated('spec'));
    const before = durable(srv.state());
    const rename = (id: string, exclusive?: string) =>
      check({
        id,
        title: 'Renames the server and back',
        rules: ['SES-SI-1'],
        ...(exclusive !== undefined ? { exclusive } : {}),
        actors: { a: user() },
        run: async (_actors, t) => {
          await t.admin.request('ServerInfoUpdate', { name: `Renamed ${id}` }).expectSuccess();
          await t.admin.request('ServerInfoUpdate', { name: 'Custom BBS' }).expectSuccess();
        },
      });
    const quiet = (id: string) =>
      check({
        id,
        title: 'Lists users',
        rules: ['USR-LIST-3'],
        actors: { a: user({ permissions: ['user_list'] }) },
        run: async ({ a }) => void (await a.request('UserList', {}).expectSuccess()),
      });
    const demo = section({ id: 'demo/alone', title: 'Server-wide' }, [
      quiet('q1'),
      rename('declared', 'renames the server'),
      quiet('q2'),
      rename('undeclared'),
      quiet('q3'),
    ]);
    const result = await runSuite(options(srv, { sections: [demo], jobs: 2 }));
    const byId = Object.fromEntries(result.checks.map((c) => [c.id, c]));
    expect(byId['demo/alone/declared']!.status).toBe('passed');
    const wrong = byId['demo/alone/undeclared']!;
    expect(wrong.status).toBe('failed');
    expect(wrong.failures.map((f) => f.actual).join('\n')).toMatch(
      /internal error in the harness: the check sent ServerInfoUpdate beside other checks \(--jobs\)/,
    );
    expect(result.restored).toEqual({ ok: true, differences: [] });
    expect(durable(srv.state())).toEqual(before);
  }, 60_000);
});
