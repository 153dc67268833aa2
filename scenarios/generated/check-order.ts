// Generated from the check-order table (src/model/check-order.ts; rules.md GEN-3 and the per-message
// orders of §4): for every message and every pair of adjacent checks, one request per requester
// state in which both checks fail and no earlier one does (not logged in, removed, without the
// permission, with it, shared, guest, admin). The answer must be the earlier check's error; the
// runner's model comparison checks everything else. Plus the permission-before-lookup probes: a
// requester without the permission gets the same answer whether the name is missing, offline,
// online, an admin or shared.
import { check, section, type Actor, type ActorSpec, type CheckContext, type CheckDef } from '../../src/runner/api.ts';
import type { Profile } from '../../src/protocol/types.ts';
import type { MessageOrder, OrderStep, RequesterState } from '../../src/model/check-order.ts';
import { leakCases, orderCases, type PlannedRequest } from '../../src/model/check-order-plan.ts';
import { removeRequester, requesterKey, requesterSpec, resolveBody, targetSpecs } from './_requesters.ts';

const PROFILES: readonly Profile[] = ['spec', 'nexusd'];

interface Planned {
  order: MessageOrder;
  expected: OrderStep;
  rules: string[];
  title: string;
  /** Requests per profile (a profile without an entry has no such case). */
  byProfile: Partial<Record<Profile, { requests: PlannedRequest[]; assertKey: boolean }>>;
}

function collect(): Map<string, Planned> {
  const out = new Map<string, Planned>();
  const add = (id: string, p: Omit<Planned, 'byProfile'>, profile: Profile, requests: PlannedRequest[], assertKey: boolean): void => {
    const entry = out.get(id) ?? { ...p, byProfile: {} };
    entry.byProfile[profile] = { requests, assertKey };
    out.set(id, entry);
  };
  for (const profile of PROFILES) {
    for (const c of orderCases(profile)) {
      add(
        `${c.order.id}/${c.first.id}-before-${c.second.id}`,
        {
          order: c.order,
          expected: c.first,
          rules: ['GEN-3', ...c.first.rules, ...c.second.rules],
          title: `${c.order.title}: a request failing both "${c.first.id}" and "${c.second.id}" gets the ${c.first.id} error (${c.first.key})`,
        },
        profile,
        c.requests,
        c.assertKey,
      );
    }
    for (const c of leakCases(profile)) {
      add(
        `${c.order.id}/${c.gate.id}-hides-${c.member.replaceAll('_', '-')}`,
        {
          order: c.order,
          expected: c.gate,
          rules: ['GEN-3', ...c.gate.rules],
          title: `${c.order.title}: without the permission the answer is ${c.gate.key} whether the ${c.member} is missing, offline, online, an admin or shared`,
        },
        profile,
        c.requests,
        true,
      );
    }
  }
  return out;
}

/** One request per planned state; the requester is removed first where the state says so. */
async function send(p: Planned, r: PlannedRequest, assertKey: boolean, actors: Record<string, Actor>, t: CheckContext, n: number): Promise<void> {
  const requester = actors[requesterKey(r.state, n)]!;
  if (r.state === 'removed') await removeRequester(requester, t);
  const reply = requester.request(p.order.message, resolveBody(p.order, r.body, requester, r.state, actors, t));
  // null: the model predicts no answer (e.g. the removal already closed the socket) and the runner saw none.
  if ((await reply) !== null && assertKey) await reply.expectError(p.expected.key);
}

/** Each request gets its own requester where it may end the connection (GEN-1, GEN-2). */
const closes = (s: RequesterState): boolean => s === 'none' || s === 'removed';

function toCheck(id: string, p: Planned): CheckDef {
  const profiles = PROFILES.filter((pr) => p.byProfile[pr]);
  const actors: Record<string, ActorSpec> = {};
  for (const pr of profiles) {
    const seen = new Map<RequesterState, number>();
    for (const r of p.byProfile[pr]!.requests) {
      const n = seen.get(r.state) ?? 0;
      seen.set(r.state, n + 1);
      const key = requesterKey(r.state, closes(r.state) ? n : 0);
      actors[key] ??= requesterSpec(r.state);
    }
    Object.assign(actors, targetSpecs(p.byProfile[pr]!.requests.map((r) => r.body)));
  }
  return check({
    id,
    title: p.title,
    rules: [...new Set(p.rules)],
    errors: [p.expected.key],
    ...(p.order.seed ? { seed: p.order.seed } : {}),
    ...(profiles.length === 1 ? { needs: { profile: profiles[0]! } } : {}),
    actors,
    run: async (a, t) => {
      const plan = p.byProfile[t.profile];
      if (!plan) return t.skip(`no such pair in the ${t.profile} profile`);
      const seen = new Map<RequesterState, number>();
      for (const r of plan.requests) {
        const n = seen.get(r.state) ?? 0;
        seen.set(r.state, n + 1);
        await send(p, r, plan.assertKey, a, t, closes(r.state) ? n : 0);
      }
    },
  });
}

export default section(
  { id: 'generated/check-order', title: 'Check order: every adjacent pair of checks of every message (generated)', seed: 'admin.md §Admin Protection Rules' },
  [...collect()].map(([id, p]) => toCheck(id, p)),
);
