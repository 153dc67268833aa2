// A broken basic is a failed check, not "cannot test": servers that get wrong what the harness
// needs for its own bookkeeping (an answer's id, the requester's own UserList entry, the first
// user becoming admin) are reported as failed `preflight` checks citing the rule they break, with
// sent / expected / actual, while the rest of the run still runs; no harness-internal name ever
// appears in what the user reads.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GUEST_USERNAME } from '../../src/model/index.ts';
import { createState } from '../../src/model/create.ts';
import type { CheckResult, RunResult } from '../../src/report/types.ts';
import { loadSections } from '../../src/runner/load.ts';
import { runSuite } from '../../src/runner/run.ts';
import type { ServerFault } from '../../src/server/fault.ts';
import { perTest } from '../support/per-test.ts';
import { runOptions, targetOf } from '../support/options.ts';

const ADMIN = { username: 'conform', password: 'conform-secret-pw' };
const INTERNAL = /attachSession|mirror|RawExchangeError|TargetUnavailable|Lockstep|TypeError|ReferenceError|undefined/;
const { serve } = perTest('nc-test-');

/** Changes the model's outputs of every frame event; everything else as the reference does it. */
function rewriting(
  f: (
    o: Extract<ReturnType<ServerFault['step'] & {}>['outputs'][number], { kind: 'send' }>,
    frameId: string,
    sessionId: number | null,
  ) => typeof o,
): ServerFault {
  return {
    step: (state, event, next) => {
      const r = next(state, event);
      if (event.kind !== 'frame') return r;
      const sessionId = state.connections[event.conn]?.sessionId ?? null;
      return { ...r, outputs: r.outputs.map((o) => (o.kind === 'send' ? f(o, event.frame.id, sessionId) : o)) };
    },
  };
}

/** WIRE-ID-2 broken for one type: its direct answer carries a fresh id. */
const freshIdFor = (type: string): ServerFault =>
  rewriting((o, frameId) =>
    o.message.type === type && o.message.id === frameId ? { ...o, message: { ...o.message, id: randomBytes(6).toString('hex') } } : o,
  );

/** USR-LIST-3 broken: UserList all:false leaves out the requester's own entry. */
const userListWithoutRequester: ServerFault = rewriting((o, _id, sessionId) => {
  if (o.message.type !== 'UserListResponse' || !Array.isArray(o.message.body.users)) return o;
  const users = (o.message.body.users as Array<{ session_ids?: number[] }>).filter((u) => !(u.session_ids ?? []).includes(sessionId ?? -1));
  return { ...o, message: { ...o.message, body: { ...o.message.body, users } } };
});

/** SES-AUTH-2 broken: the first login creates a regular account instead of an admin. */
const firstUserNotAdmin: ServerFault = {
  step: (state, event, next) => {
    const fresh = Object.keys(state.accounts).every((k) => k === GUEST_USERNAME);
    const r = next(state, event);
    if (!fresh || event.kind !== 'frame' || event.frame.type !== 'Login') return r;
    for (const [k, a] of Object.entries(r.state.accounts)) if (k !== GUEST_USERNAME) r.state.accounts[k] = { ...a, isAdmin: false };
    return {
      ...r,
      outputs: r.outputs.map((o) =>
        o.kind === 'send' && o.message.type === 'LoginResponse'
          ? { ...o, message: { ...o.message, body: { ...o.message.body, is_admin: false } } }
          : o,
      ),
    };
  },
};

async function runAgainst(faults: ServerFault[], grep: string, perIpLimit?: number): Promise<RunResult> {
  const initialState = createState({ profile: 'spec' }, { now: Math.floor(Date.now() / 1000) });
  if (perIpLimit !== undefined) initialState.serverInfo.max_connections_per_ip = perIpLimit;
  const srv = await serve({ port: 0, faults, initialState });
  return runSuite(
    runOptions(srv, {
      admin: ADMIN,
      seed: 7,
      timeoutMs: 400,
      grep,
      sections: await loadSections(),
      knownFresh: true,
      target: targetOf(srv, { embedded: false }),
    }),
  );
}

function preflight(r: RunResult, id: string): CheckResult {
  const c = r.checks.find((x) => x.id === `preflight/${id}`);
  expect(
    c,
    `no preflight/${id} in ${r.checks
      .filter((x) => x.status === 'failed')
      .map((x) => x.id)
      .join(', ')}`,
  ).toBeDefined();
  return c!;
}

function expectReadable(r: RunResult): void {
  for (const c of r.checks) {
    expect(c.message ?? '').not.toMatch(INTERNAL);
    for (const f of c.failures) expect(`${f.sent} ${f.expected} ${f.actual}`).not.toMatch(INTERNAL);
  }
  for (const d of r.restored?.differences ?? []) expect(d).not.toMatch(INTERNAL);
  expect(JSON.stringify(r)).not.toContain(ADMIN.password);
}

describe('broken basics are failed checks', () => {
  it('a fresh id on the ServerInfoUpdate answer is a WIRE-ID-2 failure; the other checks still run and pass', async () => {
    // A per-IP limit of 1 is below what the run needs: the harness raises it first (ServerInfoUpdate).
    const r = await runAgainst([freshIdFor('ServerInfoUpdateResponse')], 'session/handshake', 1);
    const c = preflight(r, 'request-ids');
    expect(c.status).toBe('failed');
    expect(c.rules).toContain('WIRE-ID-2');
    const f = c.failures[0]!;
    expect(f.rule).toBe('WIRE-ID-2');
    expect(f.sent).toMatch(/^ServerInfoUpdate with id [0-9a-f]{12}$/);
    expect(f.expected[0]).toContain(f.sent.slice(-12));
    expect(f.actual).toMatch(/^ServerInfoUpdateResponse with id [0-9a-f]{12}$/);
    expect(f.actual.slice(-12)).not.toBe(f.sent.slice(-12));
    const handshake = r.checks.filter((x) => x.section === 'session/handshake');
    expect(handshake.length).toBeGreaterThan(3);
    expect(
      handshake.every((x) => x.status === 'passed'),
      handshake.map((x) => `${x.id} ${x.status} ${x.message}`).join('\n'),
    ).toBe(true);
    expect(r.summary.failed).toBe(1);
    expectReadable(r);
  });

  it('a UserList without the requester is a USR-LIST-3 failure, not a harness message; other sections pass', async () => {
    const r = await runAgainst([userListWithoutRequester], '/^(session\\/handshake|users\\/list)/');
    const c = preflight(r, 'read-sessions');
    const f = c.failures[0]!;
    expect(f.rule).toBe('USR-LIST-3');
    expect(f.sent).toBe('UserList {"all":false}');
    expect(f.expected[0]).toMatch(/requester/);
    expect(f.actual).toMatch(/none with session \d+/);
    expect(r.checks.filter((x) => x.section === 'session/handshake').every((x) => x.status === 'passed')).toBe(true);
    // The scripted UserList checks see the same bug under their own rule.
    const list = r.checks.filter((x) => x.section === 'users/list' && x.status === 'failed');
    expect(list.length).toBeGreaterThan(0);
    expect(list.some((x) => x.failures.some((y) => y.rule.startsWith('USR-LIST')))).toBe(true);
    expectReadable(r);
  });

  it('a fresh server whose first login is no admin: SES-AUTH-2 fails, every other check is skipped with that reason', async () => {
    const r = await runAgainst([firstUserNotAdmin], 'session/handshake');
    const c = preflight(r, 'first-user');
    const f = c.failures[0]!;
    expect(f.rule).toBe('SES-AUTH-2');
    expect(f.sent).toContain(JSON.stringify(ADMIN.username));
    expect(f.expected[0]).toMatch(/is_admin:true/);
    expect(f.actual).toMatch(/is_admin:false/);
    const others = r.checks.filter((x) => x.section !== 'preflight');
    expect(others.length).toBeGreaterThan(3);
    expect(others.every((x) => x.status === 'skipped' && /no admin session.*SES-AUTH-2/.test(x.message ?? ''))).toBe(true);
    expect(r.summary.failed).toBe(1);
    expect(r.restored?.differences.join('\n')).toMatch(/nothing restored/);
    expectReadable(r);
  });

  it('the same server without knowing it was fresh: one clear line that names SES-AUTH-2 (cannot tell a regular account apart)', async () => {
    const srv = await serve({ port: 0, faults: [firstUserNotAdmin] });
    const run = runSuite(
      runOptions(srv, {
        admin: ADMIN,
        seed: 7,
        timeoutMs: 400,
        grep: 'session/handshake',
        sections: await loadSections(),
        target: targetOf(srv, { embedded: false }),
      }),
    );
    await expect(run).rejects.toThrow(/is not an admin on the target.*SES-AUTH-2/);
  });
});
