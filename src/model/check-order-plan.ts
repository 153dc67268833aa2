// Multi-fault requests from the check-order table (check-order.ts, GEN-3): for every message and
// every pair of adjacent steps, the requester states and bodies under which both steps fail and no
// earlier one does — so the answer must be the earlier step's error. Adjacent means: the next step
// that can fail together with this one (steps that exclude each other, e.g. "not found" and
// "admin target", are skipped over). Pure planning over the table; the model decides the outcome.
import type { Profile } from '../protocol/types.ts';
import type { BodyValue, Fault, MessageOrder, NameProp, NameRef, OrderStep, RequesterState } from './check-order.ts';
import { CHECK_ORDER, MESSAGE_STATES } from './check-order.ts';

export type PlannedBody = Record<string, BodyValue>;

export interface PlannedRequest {
  state: RequesterState;
  body: PlannedBody;
}

export interface OrderCase {
  order: MessageOrder;
  first: OrderStep;
  second: OrderStep;
  requests: PlannedRequest[];
  /** False when an [UNDETERMINED] step takes part: the lockstep accepts every allowed answer, no key is asserted. */
  assertKey: boolean;
}

/** The properties of what `ref` names, as seen by a requester in `state`. */
export function propsOf(ref: NameRef, state: RequesterState): NameProp[] {
  switch (ref) {
    case 'self':
      if (state === 'new' || state === 'none' || state === 'removed') return ['self', 'missing', 'not-online'];
      // The guest account is a shared account (GUEST-1, SHARED-1).
      return [
        'self',
        'exists',
        ...(state === 'guest' ? (['guest', 'shared'] as const) : []),
        ...(state === 'admin' ? (['admin'] as const) : []),
        ...(state === 'shared' ? (['shared'] as const) : []),
      ];
    case 'guest':
      return state === 'guest' ? ['guest', 'shared', 'exists', 'self'] : ['guest', 'shared', 'exists', 'not-online'];
    case 'missing':
      return ['missing', 'not-online'];
    case 'offline':
      return ['exists', 'not-online'];
    case 'online':
      return ['exists'];
    case 'admin':
      return ['exists', 'admin'];
    case 'shared':
    case 'shared-offline':
      return ['exists', 'shared'];
    case 'disabled':
      return ['exists', 'disabled', 'not-online'];
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isAbsent(b: BodyValue | undefined): boolean {
  return b === undefined || ('value' in b && b.value === null);
}

export function faultHolds(f: Fault, state: RequesterState, body: PlannedBody): boolean {
  switch (f.kind) {
    case 'not-logged-in':
      return state === 'none' || state === 'new';
    case 'not-shaken':
      return state === 'new';
    case 'shaken':
      return state !== 'new';
    case 'logged-in':
      return state !== 'new' && state !== 'none';
    case 'removed':
      return state === 'removed';
    case 'lacks':
      return state !== 'holder' && state !== 'admin';
    case 'not-admin':
      return state !== 'admin';
    case 'is-admin':
      return state === 'admin';
    case 'member': {
      const b = body[f.member];
      return b !== undefined && 'value' in b && same(b.value, f.value);
    }
    case 'present': {
      const b = body[f.member];
      return b !== undefined && !isAbsent(b);
    }
    case 'absent':
      return f.members.every((m) => isAbsent(body[m]));
    case 'names': {
      const b = body[f.member];
      return b !== undefined && 'ref' in b && propsOf(b.ref, state).some((p) => f.props.includes(p));
    }
  }
}

export function stepFails(step: OrderStep, state: RequesterState, body: PlannedBody): boolean {
  return step.faults.every((f) => faultHolds(f, state, body));
}

/** The body with `step`'s member faults applied (requester faults constrain the state instead). */
function apply(body: PlannedBody, step: OrderStep): PlannedBody {
  const out = { ...body };
  for (const f of step.faults) {
    if (f.kind === 'member' || f.kind === 'present') out[f.member] = { value: f.value };
    else if (f.kind === 'names') out[f.member] = { ref: f.set };
    else if (f.kind === 'absent') for (const m of f.members) delete out[m];
  }
  return out;
}

export function stepsFor(order: MessageOrder, profile: Profile): OrderStep[] {
  return order.steps.filter((s) => !s.profiles || s.profiles.includes(profile));
}

/** The steps that fail for this request, in order: the first is the one whose error is expected. */
export function failingSteps(order: MessageOrder, profile: Profile, state: RequesterState, body: PlannedBody): OrderStep[] {
  return stepsFor(order, profile).filter((s) => stepFails(s, state, body));
}

/** A body under which both `a` and `b` fail for `state` and `a` is the first failing step, or null. */
export function planPair(order: MessageOrder, profile: Profile, a: OrderStep, b: OrderStep, state: RequesterState): PlannedBody | null {
  for (const body of [apply(apply(order.base, a), b), apply(apply(order.base, b), a)]) {
    if (!stepFails(a, state, body) || !stepFails(b, state, body)) continue;
    const named = order.notSelf !== undefined ? body[order.notSelf] : undefined;
    if (named && 'ref' in named && propsOf(named.ref, state).includes('self')) continue;
    if (failingSteps(order, profile, state, body)[0] !== a) continue;
    return body;
  }
  return null;
}

function isOpen(step: OrderStep, profile: Profile): boolean {
  return step.open?.profiles.includes(profile) === true;
}

/**
 * Every adjacent pair of every message in `profile`, with the states where both steps apply: each
 * step with the nearest later step it can fail together with, and with the nearest earlier one (so
 * a step whose direct neighbours exclude it, e.g. "admin target" after "not found", still takes part).
 */
export function orderCases(profile: Profile, orders: readonly MessageOrder[] = CHECK_ORDER): OrderCase[] {
  const cases: OrderCase[] = [];
  for (const order of orders) {
    const steps = stepsFor(order, profile);
    const plan = (a: OrderStep, b: OrderStep): PlannedRequest[] => {
      const requests: PlannedRequest[] = [];
      for (const state of order.states ?? MESSAGE_STATES) {
        const body = planPair(order, profile, a, b, state);
        if (body) requests.push({ state, body });
      }
      return requests;
    };
    const found = new Map<string, OrderCase>();
    const add = (a: OrderStep, b: OrderStep, requests: PlannedRequest[]): void => {
      const undetermined =
        a.id !== steps[0]!.id && requests.some((r) => failingSteps(order, profile, r.state, r.body).some((s) => isOpen(s, profile)));
      found.set(`${a.id}>${b.id}`, { order, first: a, second: b, requests, assertKey: !undetermined });
    };
    for (const [i, a] of steps.entries()) {
      for (const b of steps.slice(i + 1)) {
        const requests = plan(a, b);
        if (requests.length === 0) continue;
        add(a, b, requests);
        break;
      }
    }
    for (const [j, b] of steps.entries()) {
      for (const a of steps.slice(0, j).reverse()) {
        if (found.has(`${a.id}>${b.id}`)) break;
        const requests = plan(a, b);
        if (requests.length === 0) continue;
        add(a, b, requests);
        break;
      }
    }
    cases.push(
      ...[...found.values()].sort(
        (x, y) => steps.indexOf(x.first) - steps.indexOf(y.first) || steps.indexOf(x.second) - steps.indexOf(y.second),
      ),
    );
  }
  return cases;
}

/** The name references a name member can take, for the permission-before-lookup probes. */
const PROBE_REFS: readonly NameRef[] = ['missing', 'offline', 'online', 'admin', 'shared'];

export interface LeakCase {
  order: MessageOrder;
  /** The permission (or admin) step that must answer whatever the name refers to. */
  gate: OrderStep;
  member: string;
  requests: PlannedRequest[];
}

/**
 * GEN-3 permission before lookup: a regular requester without the permission (the pairs already
 * cover shared and guest requesters) gets that step's answer
 * whether the named account is missing, offline, online, an admin or shared — it never learns
 * which. One case per permission step that precedes a lookup of a name member.
 */
export function leakCases(profile: Profile, orders: readonly MessageOrder[] = CHECK_ORDER): LeakCase[] {
  const out: LeakCase[] = [];
  for (const order of orders) {
    const steps = stepsFor(order, profile);
    for (const [i, gate] of steps.entries()) {
      if (!gate.faults.every((f) => f.kind === 'lacks' || f.kind === 'not-admin')) continue;
      const lookups = steps.slice(i + 1).flatMap((s) => s.faults.filter((f) => f.kind === 'names').map((f) => f.member));
      for (const m of [...new Set(lookups)]) {
        const requests: PlannedRequest[] = [];
        for (const state of ['plain'] as const) {
          for (const r of PROBE_REFS) {
            const body = { ...order.base, [m]: { ref: r } };
            if (failingSteps(order, profile, state, body)[0] === gate) requests.push({ state, body });
          }
        }
        if (requests.length > 0) out.push({ order, gate, member: m, requests });
      }
    }
  }
  return out;
}
