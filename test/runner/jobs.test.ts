// `--jobs`: independent checks on several lanes side by side (schedule.ts, lane.ts). The verdicts
// of a seed do not depend on the lane count — against a conforming server with a stranger online,
// and against broken servers (never UserConnected; UserConnected to everyone): the same failed
// checks either way —, the
// results come in plan order, the target ends as it began (also after an interrupt), checks on
// server-wide state run alone, checks on the guest account run one after another on the guest lane
// beside the others (and another lane's resync leaves the guest alone), and a check that should
// have run alone — or on the guest lane — fails as a harness bug. Verdicts and contents are
// compared, never timings.
import { describe, expect, it } from 'vitest';
import { createState } from '../../src/model/create.ts';
import { passwordDigest } from '../../src/model/password.ts';
import type { Event, State, StepResult } from '../../src/model/index.ts';
import { type RawClient } from '../../src/net/raw-client.ts';
import { loginStranger } from '../support/stranger.ts';
import { seededIds } from '../../src/protocol/ids.ts';
import type { Profile } from '../../src/protocol/types.ts';
import type { RunResult } from '../../src/report/types.ts';
import { check, guest, section, user } from '../../src/runner/api.ts';
import type { Section } from '../../src/runner/api.ts';
import { runsAlone, sharedState } from '../../src/runner/check-plan.ts';
import { loadSections } from '../../src/runner/load.ts';
import { isRunFamily, NameSource } from '../../src/runner/names.ts';
import { runSuite } from '../../src/runner/run.ts';
import { deal, planLanes } from '../../src/runner/schedule.ts';
import type { ServerFault } from '../../src/server/fault.ts';
import { faultHooks } from '../../src/server/faults/index.ts';
import { startServer, type ReferenceServer } from '../../src/server/server.ts';
import { account } from '../support/accounts.ts';
import { perTest } from '../support/per-test.ts';
import { durable } from '../support/durable.ts';
import { runOptions, TEST_ADMIN as ADMIN } from '../support/options.ts';

const NOW = Math.floor(Date.now() / 1000);
const ids = seededIds(7);
let sections: Section[] | null = null;

const { own } = perTest();

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
  own(srv);
  return srv;
}

/** A stranger logged in for the whole run (must survive it untouched). */
const stranger = (srv: ReferenceServer): Promise<RawClient> => loginStranger(srv, ids, own);

/** Per check: id, status and the rules its failures cite — what a seed must repeat. */
const verdicts = (r: RunResult) => r.checks.map((c) => [c.id, c.status, [...new Set(c.failures.map((f) => f.rule))].sort()]);

/** The suite's check of a result id. */
function checkOf(id: string) {
  const s = sections!.find((x) => id.startsWith(`${x.id}/`) && x.checks.some((c) => `${x.id}/${c.id}` === id))!;
  return s.checks.find((c) => `${s.id}/${c.id}` === id)!;
}

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
    // A guest actor acts on the one guest account: not alone, on the guest lane (below).
    expect(runsAlone(check({ ...base, id: 'b', rules: ['USR-LIST-3'], actors: { g: guest() } }))).toBeNull();
    expect(sharedState(check({ ...base, id: 'b', rules: ['USR-LIST-3'], actors: { g: guest() } }))?.reason).toMatch(/guest/);
    expect(runsAlone(check({ ...base, id: 'c', rules: ['GEN-1', 'ADM-SINFO-10'] }))).toMatch(/ADM-SINFO-10/);
    expect(runsAlone(check({ ...base, id: 'd', rules: ['CM-3'] }))).toMatch(/CM-3/);
    expect(runsAlone(check({ ...base, id: 'e', rules: ['WIRE-IP-2'] }))).toMatch(/WIRE-IP-2/);
    expect(runsAlone(check({ ...base, id: 'f', rules: ['SES-AUTH-2'], needs: { fresh: true } }))).toMatch(/fresh/);
    expect(runsAlone(check({ ...base, id: 'g', rules: ['WIRE-JSON-4'], exclusive: 'sends ServerInfoUpdate' }))).toBe(
      'sends ServerInfoUpdate',
    );
  });

  it('tells the guest account from server-wide state: guest checks have a lane of their own, server-wide ones still run alone', () => {
    const base = { title: 't', run: async () => {} };
    const state = (c: Parameters<typeof check>[0]) => sharedState(check(c));
    expect(state({ ...base, id: 'a', rules: ['USR-LIST-3'], actors: { g: guest() } })).toEqual({
      state: 'guest',
      reason: 'edits the guest account',
    });
    for (const rule of ['SES-GUEST-1', 'GUEST-1', 'ADM-UPDATE-7', 'ADM-UPDATE-8', 'ADM-DELETE-5', 'UND-8']) {
      expect(state({ ...base, id: 'b', rules: ['GEN-3', rule] })?.state, rule).toBe('guest');
    }
    // Rules that name the guest only as one case among others (any taken name, any shared account).
    for (const rule of ['ADM-CREATE-11', 'ADM-UPDATE-17', 'UND-5', 'ADM-UPDATE-70']) {
      expect(state({ ...base, id: 'c', rules: [rule], actors: { u: user() } }), rule).toBeNull();
    }
    // Server-wide state wins over the guest: such a check runs alone, guest actor or not.
    expect(state({ ...base, id: 'd', rules: ['ADM-SINFO-10'], actors: { g: guest() } })?.state).toBe('server');
    expect(state({ ...base, id: 'e', rules: ['GUEST-1'], needs: { fresh: true } })?.state).toBe('server');
    expect(runsAlone(check({ ...base, id: 'f', rules: ['SES-GUEST-2'], actors: { g: guest() } }))).toBeNull();
  });

  it('puts every guest check on lane 0, first and in plan order, and balances the rest around them; the same plan deals the same', () => {
    const base = { title: 't', run: async () => {} };
    const plain = (id: string) => check({ ...base, id, rules: ['USR-LIST-3'] });
    const onGuest = (id: string) => check({ ...base, id, rules: ['USR-LIST-3'], actors: { g: guest() } });
    const wide = (id: string) => check({ ...base, id, rules: ['CM-3'] });
    const checks = [
      plain('p0'),
      onGuest('g1'),
      wide('w2'),
      plain('p3'),
      onGuest('g4'),
      plain('p5'),
      plain('p6'),
      plain('p7'),
      onGuest('g8'),
    ];
    for (let i = 9; i < 20; i++) checks.push(plain(`p${i}`));
    const plan = planLanes(checks, 4);
    expect(plan.alone).toEqual([2]);
    expect(plan.lanes[0]!.slice(0, 3)).toEqual([1, 4, 8]);
    const guestIndices = [1, 4, 8];
    for (const share of plan.lanes.slice(1)) expect(share.filter((i) => guestIndices.includes(i))).toEqual([]);
    // Every check once, each lane in plan order after the guest checks, counts as even as they can be.
    expect([...plan.alone, ...plan.lanes.flat()].sort((a, b) => a - b)).toEqual(checks.map((_, i) => i));
    for (const share of plan.lanes) {
      const rest = share.filter((i) => !guestIndices.includes(i));
      expect(rest).toEqual([...rest].sort((a, b) => a - b));
    }
    const sizes = plan.lanes.map((l) => l.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(planLanes(checks, 4)).toEqual(plan);
    // More guest checks than an even share: lane 0 runs them only.
    const heavy = [...guestIndices.map((i) => checks[i]!), ...guestIndices.map((i) => checks[i]!), plain('x'), plain('y')];
    expect(planLanes(heavy, 3).lanes).toEqual([[0, 1, 2, 3, 4, 5], [6], [7]]);
    // Without guest checks the deal is the round-robin it always was.
    expect(planLanes([plain('a'), plain('b'), plain('c')], 2).lanes).toEqual(deal([0, 1, 2], 2));
  });

  it('plans every guest-account check of the suite on the guest lane, and nothing else there', async () => {
    sections ??= await loadSections();
    const all = sections.flatMap((s) => s.checks.map((c) => ({ id: `${s.id}/${c.id}`, check: c })));
    const plan = planLanes(
      all.map((a) => a.check),
      4,
    );
    const guestIds = all.filter((a) => sharedState(a.check)?.state === 'guest').map((a) => a.id);
    expect(plan.lanes[0]!.slice(0, guestIds.length).map((i) => all[i]!.id)).toEqual(guestIds);
    // Every check with a guest actor that is not server-wide, and every guest-login check, is among them.
    for (const a of all) {
      const hasGuest = Object.values(a.check.actors ?? {}).some((s) => s.kind === 'guest');
      if (hasGuest && runsAlone(a.check) === null) expect(guestIds, a.id).toContain(a.id);
    }
    expect(guestIds.filter((id) => id.startsWith('session/guest-login/')).length).toBeGreaterThan(5);
    // Username boundaries probe the reserved name "guest", whose answers show the guest's state.
    expect(guestIds).toContain('generated/validator-boundaries/user-edit-username');
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

/**
 * The checks `grep` selects, at --jobs 1 and then 4, each time against a fresh populated `profile`
 * server with a stranger online: no failure, results in plan order, the target restored and the
 * stranger untouched. Returns the two results.
 */
async function passingAtJobs1And4(profile: Profile, grep: string): Promise<RunResult[]> {
  sections ??= await loadSections();
  const runs: RunResult[] = [];
  for (const jobs of [1, 4]) {
    const srv = await serve(populated(profile));
    const before = durable(srv.state());
    const alice = await stranger(srv);
    const seen: string[] = [];
    const result = await runSuite(runOptions(srv, { sections, grep, jobs, onResult: (r) => seen.push(r.id) }));
    expect(result.summary.failed, JSON.stringify(result.checks.filter((c) => c.status === 'failed').map((c) => [c.id, c.message]))).toBe(0);
    expect(seen).toEqual(result.checks.map((c) => c.id));
    expect(result.restored).toEqual({ ok: true, differences: [] });
    expect(durable(srv.state())).toEqual(before);
    expect(alice.isClosed).toBe(false);
    expect(Object.values(srv.state().sessions).map((s) => s.nickname)).toEqual(['alice']);
    runs.push(result);
  }
  return runs;
}

describe('lanes side by side', () => {
  const GREP = '/^(users|away|admin\\/kick|session\\/presence|connection-monitor)\\//';

  it.each<Profile>(['spec', 'nexusd'])(
    'a %s server with a stranger online: the verdicts, their order and the restored target do not depend on --jobs',
    async (profile) => {
      const runs = await passingAtJobs1And4(profile, GREP);
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
      const result = await runSuite(runOptions(srv, { sections, grep: 'session/presence', jobs, timeoutMs: 1000 }));
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
      const result = await runSuite(runOptions(srv, { sections, grep: '/^(users|session\\/presence|away)\\//', jobs }));
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
    const result = await runSuite(runOptions(srv, { sections: [demo], jobs: 3, signal: controller.signal }));
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
    const result = await runSuite(runOptions(srv, { sections: [demo], jobs: 2 }));
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

describe('the guest lane', () => {
  const GUEST_GREP = '/^(guest|session\\/guest-login|users|admin\\/delete|shared)\\//';

  it('runs guest checks beside the other lanes, and another lane failing (and resyncing) leaves the guest account to it', async () => {
    const srv = await serve(populated('spec'));
    const before = durable(srv.state());
    let resumed!: () => void;
    const otherLaneResumed = new Promise<void>((resolve) => (resumed = resolve));
    const demo = section({ id: 'demo/guest', title: 'The guest lane' }, [
      check({
        id: 'visits',
        title: 'A guest stays logged in while another lane fails a check and resyncs',
        rules: ['SES-GUEST-1'],
        actors: { visitor: guest({ permissions: ['user_list'] }) },
        run: async ({ visitor }, t) => {
          // Resolved by a check of the other lane that runs after its failed check's resync: were
          // the guest checks not beside the others, this would never resolve.
          await otherLaneResumed;
          await visitor.request('UserList', {}).expectSuccess();
          await visitor.expectConnected();
          const edit = await t.admin.request('UserEdit', { username: 'guest' }).expectSuccess();
          t.expectBody(edit, { enabled: true, permissions: ['user_list'] }, 'SES-GUEST-2', 'the guest account as this check set it');
        },
      }),
      check({
        id: 'again',
        title: 'A second guest check',
        rules: ['SES-GUEST-1'],
        actors: { visitor: guest() },
        run: async ({ visitor }) => visitor.expectConnected(),
      }),
      check({
        id: 'fails',
        title: 'Fails on purpose',
        rules: ['USR-LIST-3'],
        actors: { a: user() },
        run: async (_actors, t) => t.assert(false, 'USR-LIST-3', 'a failure on purpose'),
      }),
      check({
        id: 'resumes',
        title: 'Runs after the resync',
        rules: ['USR-LIST-3'],
        actors: { a: user() },
        run: async () => resumed(),
      }),
    ]);
    // Lane 0: visits, again (guest); lane 1: fails, resumes.
    expect(planLanes(demo.checks, 2).lanes).toEqual([
      [0, 1],
      [2, 3],
    ]);
    const result = await runSuite(runOptions(srv, { sections: [demo], jobs: 2 }));
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ['demo/guest/visits', 'passed'],
      ['demo/guest/again', 'passed'],
      ['demo/guest/fails', 'failed'],
      ['demo/guest/resumes', 'passed'],
    ]);
    expect(result.restored).toEqual({ ok: true, differences: [] });
    expect(durable(srv.state())).toEqual(before);
  }, 60_000);

  it('fails a check that names the guest account beside the guest lane without saying so', async () => {
    const srv = await serve(populated('spec'));
    const reads = (id: string) =>
      check({
        id,
        title: 'Reads the guest account',
        rules: ['ADM-EDIT-6'],
        run: async (_actors, t) => void (await t.admin.request('UserEdit', { username: 'Guest' }).expectSuccess()),
      });
    const demo = section({ id: 'demo/guest-read', title: 'Guest readers' }, [
      check({ id: 'visit', title: 'A guest', rules: ['SES-GUEST-1'], actors: { g: guest() }, run: async ({ g }) => g.expectConnected() }),
      reads('on-lane-1'),
    ]);
    const result = await runSuite(runOptions(srv, { sections: [demo], jobs: 2 }));
    const wrong = result.checks.find((c) => c.id === 'demo/guest-read/on-lane-1')!;
    expect(wrong.status).toBe('failed');
    expect(wrong.failures.map((f) => f.actual).join('\n')).toMatch(
      /internal error in the harness: the check sent UserEdit naming the guest account beside the guest lane \(--jobs\)/,
    );
    expect(result.restored).toEqual({ ok: true, differences: [] });
    // One lane: the same check is fine.
    const alone = await runSuite(runOptions(srv, { sections: [demo], jobs: 1 }));
    expect(alone.summary.failed).toBe(0);
  }, 60_000);

  it.each<Profile>(['spec', 'nexusd'])(
    'a %s server with a stranger online: guest checks and their neighbours pass alike with --jobs 1 and --jobs 4',
    async (profile) => {
      const runs = await passingAtJobs1And4(profile, GUEST_GREP);
      expect(runs[0]!.checks.filter((c) => sharedState(checkOf(c.id))?.state === 'guest').length).toBeGreaterThan(10);
      expect(verdicts(runs[1]!)).toEqual(verdicts(runs[0]!));
    },
    120_000,
  );

  it.each([
    { fault: 'guest-password-change-ignored', profile: 'nexusd' as Profile, rule: 'ADM-UPDATE-8' },
    { fault: 'shared-promotion-allowed-in-spec', profile: 'spec' as Profile, rule: 'ADM-UPDATE-17' },
  ])(
    'a $profile server with the fault $fault: the guest rule fails the same checks with --jobs 1 and --jobs 4',
    async ({ fault, profile, rule }) => {
      sections ??= await loadSections();
      const runs: RunResult[] = [];
      for (const jobs of [1, 4]) {
        const srv = await serve(populated(profile), faultHooks([fault]));
        const before = durable(srv.state());
        const result = await runSuite(runOptions(srv, { sections, grep: GUEST_GREP, jobs }));
        expect(result.restored).toEqual({ ok: true, differences: [] });
        expect(durable(srv.state())).toEqual(before);
        runs.push(result);
      }
      const failed = runs[0]!.checks.filter((c) => c.status === 'failed');
      expect(failed.some((c) => c.id.startsWith('guest/') && c.failures.some((f) => f.rule === rule))).toBe(true);
      expect(verdicts(runs[1]!)).toEqual(verdicts(runs[0]!));
    },
    120_000,
  );
});
