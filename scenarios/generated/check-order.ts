// Generated from the check-order table (src/model/check-order.ts; rules.md GEN-3 and the per-message
// orders of §4): one check per message. For every pair of adjacent checks of the message it sends,
// in each requester state where both checks fail and no earlier one does (not logged in, removed,
// without the permission, with it, shared, guest, admin), a request failing both: the answer must
// be the earlier check's error. Then the permission-before-lookup probes: a requester without the
// permission gets the same answer whether the name is missing, offline, online, an admin or shared.
// The runner's model comparison checks everything else about each answer.
import { check, section, type Actor, type ActorSpec, type CheckContext, type CheckDef, including } from '../../src/runner/api.ts';
import type { Profile } from '../../src/protocol/types.ts';
import { CHECK_ORDER, type MessageOrder, type OrderStep, type RequesterState } from '../../src/model/check-order.ts';
import { leakCases, orderCases, type PlannedRequest } from '../../src/model/check-order-plan.ts';
import { classifyError } from '../../src/model/index.ts';
import { removeRequester, requesterKey, requesterSpec, resolveBody, targetSpecs } from './_requesters.ts';

const PROFILES: readonly Profile[] = ['spec', 'nexusd'];

/** One request of a message's check: who sends what, and which step must answer. */
interface Probe extends PlannedRequest {
  expected: OrderStep;
  assertKey: boolean;
  /** Actor key: shared per state, own where the answer may end the connection. */
  actor: string;
}

function probesOf(order: MessageOrder, profile: Profile): Probe[] {
  const out: Probe[] = [];
  const own = new Map<RequesterState, number>();
  const actorFor = (state: RequesterState, expected: OrderStep): string => {
    if (state !== 'new' && state !== 'none' && state !== 'removed' && !expected.mayClose && !order.failuresClose)
      return requesterKey(state);
    const n = (own.get(state) ?? 0) + 1;
    own.set(state, n);
    return requesterKey(state, n);
  };
  for (const c of orderCases(profile, [order])) {
    for (const r of c.requests) out.push({ ...r, expected: c.first, assertKey: c.assertKey, actor: actorFor(r.state, c.first) });
  }
  for (const c of leakCases(profile, [order])) {
    for (const r of c.requests) out.push({ ...r, expected: c.gate, assertKey: true, actor: actorFor(r.state, c.gate) });
  }
  return out;
}

async function send(order: MessageOrder, p: Probe, actors: Record<string, Actor>, t: CheckContext): Promise<void> {
  const requester = actors[p.actor]!;
  if (p.state === 'removed') await removeRequester(requester, t);
  const reply = requester.request(order.message, resolveBody(order, p.body, requester, p.state, actors, t));
  // null: the model predicts no answer (e.g. the removal already closed the socket) and the runner saw none.
  if ((await reply) !== null && p.assertKey) await reply.expectError(p.expected.key);
}

/** The probe has a requester of its own (its answer may end the connection). */
function ownsActor(order: MessageOrder, p: Probe): boolean {
  return p.state === 'new' || p.state === 'none' || p.state === 'removed' || p.expected.mayClose === true || order.failuresClose === true;
}

/** Pipelined probes of one requester; each answer must carry the expected step's error (GEN-3). */
async function sendAll(
  order: MessageOrder,
  probes: Probe[],
  requester: Actor,
  actors: Record<string, Actor>,
  t: CheckContext,
): Promise<void> {
  const bodies = probes.map((p) => resolveBody(order, p.body, requester, p.state, actors, t));
  const answers = await requester.pipeline(bodies.map((body) => ({ type: order.message, body })));
  answers.forEach((o, i) => {
    const p = probes[i]!;
    if (!p.assertKey || o === null) return;
    const text = o.type === 'Error' ? o.body.message : o.body.error;
    const keys = typeof text === 'string' ? classifyError(text) : [];
    const what = `the error keys of ${JSON.stringify(text)} as ${p.state}: the ${p.expected.id} check answers first (GEN-3)`;
    t.expectEqual(keys, including([p.expected.key]), p.expected.rules[0]!, what);
  });
}

function toCheck(order: MessageOrder): CheckDef | null {
  const plans = Object.fromEntries(PROFILES.map((pr) => [pr, probesOf(order, pr)])) as Record<Profile, Probe[]>;
  const all = PROFILES.flatMap((pr) => plans[pr]);
  if (all.length === 0) return null;
  const actors: Record<string, ActorSpec> = {};
  for (const p of all) actors[p.actor] ??= requesterSpec(p.state);
  Object.assign(actors, targetSpecs(all.map((p) => p.body)));
  const steps = [...new Set(all.map((p) => p.expected))];
  return check({
    id: order.id,
    title: `${order.title}: every pair of adjacent checks, failed together, is answered by the earlier one; no lookup answers before the permission`,
    rules: [...new Set(['GEN-3', ...order.steps.flatMap((s) => s.rules)])],
    errors: [...new Set(steps.map((s) => s.key))],
    ...(order.seed ? { seed: order.seed } : {}),
    actors,
    run: async (a, t) => {
      const plan = plans[t.profile];
      // Requesters that answer many probes without closing get them in one write each (WIRE-SEQ-8:
      // processed in order, failures change nothing); the others send theirs one by one.
      const byActor = new Map<string, Probe[]>();
      for (const p of plan.filter((q) => !ownsActor(order, q))) byActor.set(p.actor, [...(byActor.get(p.actor) ?? []), p]);
      for (const [key, probes] of byActor) await sendAll(order, probes, a[key]!, a, t);
      for (const p of plan.filter((q) => ownsActor(order, q))) await send(order, p, a, t);
    },
  });
}

export default section(
  {
    id: 'generated/check-order',
    title: 'Check order: every adjacent pair of checks of every message (generated)',
    seed: 'admin.md §Admin Protection Rules',
  },
  CHECK_ORDER.map(toCheck).filter((c): c is CheckDef => c !== null),
);
