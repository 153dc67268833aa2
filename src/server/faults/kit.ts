// The vocabulary the fault catalogue is written in: what a catalogue entry is, and small helpers to
// bend the one model (fault.ts) without copying a handler — look at the request being handled, run
// the model on a slightly different event or state, and rewrite, drop or add outputs afterwards.
import type {
  Account,
  Connection,
  ErrorKey,
  ErrorParams,
  Event,
  Output,
  SendOutput,
  Session,
  State,
  StepResult,
} from '../../model/index.ts';
import { nameKey, nameTable, renderError } from '../../model/index.ts';
import type { ConnId, Profile } from '../../protocol/types.ts';
import type { ServerFault, Step } from '../fault.ts';

/** How the mutation runner proves a fault is caught. */
export type Detection =
  /** The scripted suite (the checks citing the fault's rules). */
  | { by: 'suite'; slow?: boolean }
  /** Only a fuzzer finds it: which one (src/fuzz/registry.ts), with a fixed seed and a small budget. */
  | { by: 'fuzz'; fuzzer: string; seed: number; budget: number };

/** One deliberate deviation of the reference server. */
export interface FaultEntry {
  /** kebab-case, unique across the catalogue. */
  name: string;
  /** The family it belongs to (the module it lives in). */
  family: string;
  /** One line: what the broken server does. */
  description: string;
  /** Rule ids it breaks (rules.md, session.md, wire.md); a detection must cite one of them. */
  rules: string[];
  /** The profiles in which this behaviour is wrong. */
  profiles: Profile[];
  detection: Detection;
  /** A fresh hook per server (some faults keep a little state of their own). */
  make: () => ServerFault;
}

export const BOTH: Profile[] = ['spec', 'nexusd'];
export const SPEC: Profile[] = ['spec'];
export const NEXUSD: Profile[] = ['nexusd'];
export const SUITE: Detection = { by: 'suite' };

// --- the request being handled -------------------------------------------------------------------

/** A frame event with a JSON-object payload, seen from the fault's side. */
export interface Req {
  type: string;
  id: string;
  conn: ConnId;
  body: Record<string, unknown>;
  connection: Connection | undefined;
  session: Session | undefined;
  account: Account | undefined;
}

/** A frame's payload as JSON, or undefined when it is not JSON. */
export function payloadJson(payload: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return undefined;
  }
}

export function reqOf(state: State, event: Event): Req | undefined {
  if (event.kind !== 'frame') return undefined;
  const body = payloadJson(event.frame.payload);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const connection = state.connections[event.conn];
  const session = connection?.sessionId != null ? state.sessions[String(connection.sessionId)] : undefined;
  const account = session ? state.accounts[session.accountKey] : undefined;
  return {
    type: event.frame.type,
    id: event.frame.id,
    conn: event.conn,
    body: body as Record<string, unknown>,
    connection,
    session,
    account,
  };
}

/**
 * A server keeping accounts in a plain JavaScript object keyed by name: the lookup of a name whose
 * key is `constructor` or `__proto__` (GEN-7 lower-cases it) finds an inherited member, so for the
 * requests of `types` the name `named(req)` counts as an existing account.
 */
export const inheritedNameFound = (types: readonly string[], named: (req: Req) => unknown): ServerFault =>
  onRequest(types, (req, state, event, next) => {
    const name = named(req);
    const key = typeof name === 'string' ? nameKey(name) : '';
    if ((key !== 'constructor' && key !== '__proto__') || Object.hasOwn(state.accounts, key)) return undefined;
    const found = { ...state.accounts.guest!, username: name as string, isShared: false };
    const r = next(
      altered(state, (s) => (s.accounts[key] = found)),
      event,
    );
    return { ...r, state: altered(r.state, (s) => delete s.accounts[key]) };
  });

/** Whether the requester is an admin (by its account). */
export const isAdminReq = (r: Req): boolean => r.account?.isAdmin === true;
/** Whether the requester holds `perm` (admins hold everything, GEN-5). */
export const holds = (r: Req, perm: string): boolean =>
  r.account !== undefined && (r.account.isAdmin || r.account.permissions.includes(perm));
/** Whether the request's name member (`username` by default) names the requester's own account. */
export const isSelf = (r: Req, member = 'username'): boolean => {
  const name = r.body[member];
  return r.account !== undefined && typeof name === 'string' && nameKey(name) === nameKey(r.account.username);
};

/**
 * A fault on requests of the given types: `fn` returns the bent result, or `undefined` to leave
 * this request alone.
 */
export function onRequest(
  types: string | readonly string[],
  fn: (req: Req, state: State, event: Event & { kind: 'frame' }, next: Step) => StepResult<State> | undefined,
): ServerFault {
  const wanted = typeof types === 'string' ? [types] : types;
  return {
    step: (state, event, next) => {
      if (event.kind !== 'frame' || !wanted.includes(event.frame.type)) return next(state, event);
      const req = reqOf(state, event);
      return (req && fn(req, state, event, next)) ?? next(state, event);
    },
  };
}

/** Rewrites the outputs of every event (or only of `when` events). */
export function mapEveryOutput(
  fn: (o: Output, state: State, event: Event) => Output | Output[] | null,
  when: (state: State, event: Event) => boolean = () => true,
): ServerFault {
  return {
    step: (state, event, next) => {
      const r = next(state, event);
      return when(state, event) ? mapOutputs(r, (o) => fn(o, state, event)) : r;
    },
  };
}

// --- events ----------------------------------------------------------------------------------------

/** The same frame event with another JSON body. */
export function withBody(event: Event & { kind: 'frame' }, body: Record<string, unknown>): Event {
  return { ...event, frame: { ...event.frame, payload: new TextEncoder().encode(JSON.stringify(body)) } };
}

// --- outputs ---------------------------------------------------------------------------------------

export function isSend(o: Output, type?: string): o is SendOutput {
  return o.kind === 'send' && (type === undefined || o.message.type === type);
}

export function errorKeyOf(o: Output): ErrorKey | undefined {
  return o.kind === 'send' ? o.error?.key : undefined;
}

export function mapOutputs(r: StepResult<State>, fn: (o: Output) => Output | Output[] | null): StepResult<State> {
  const outputs: Output[] = [];
  for (const o of r.outputs) {
    const m = fn(o);
    if (m === null) continue;
    if (Array.isArray(m)) outputs.push(...m);
    else outputs.push(m);
  }
  return { ...r, outputs };
}

export function dropOutputs(r: StepResult<State>, drop: (o: Output) => boolean): StepResult<State> {
  return { ...r, outputs: r.outputs.filter((o) => !drop(o)) };
}

/** The same message with members of its body replaced (`undefined` removes a member). */
export function patchBody(o: SendOutput, patch: Record<string, unknown>): SendOutput {
  const body: Record<string, unknown> = { ...o.message.body, ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete body[k];
  return { ...o, message: { ...o.message, body } };
}

/** The same error output carrying another error's text (as a broken server words it). */
export function reword(o: SendOutput, key: ErrorKey, params: ErrorParams, profile: Profile): SendOutput {
  const text = renderError(key, params, profile);
  const field = 'message' in o.message.body && o.message.type === 'Error' ? 'message' : 'error';
  return patchBody(o, { [field]: text });
}

/** A fresh-id broadcast copy of `o` to another connection. */
export function copyTo(o: SendOutput, conn: ConnId, id: string): SendOutput {
  return { ...o, conn, message: { ...o.message, id } };
}

/** The connection ids of the live sessions in `state` that satisfy `pred`. */
export function sessionConns(state: State, pred: (s: Session, a: Account | undefined) => boolean = () => true): ConnId[] {
  const out: ConnId[] = [];
  for (const s of Object.values(state.sessions)) {
    if (s.conn !== null && pred(s, state.accounts[s.accountKey])) out.push(s.conn);
  }
  return out;
}

// --- state ---------------------------------------------------------------------------------------

/** A copy of `state` with `change` applied to it. */
export function altered(state: State, change: (s: State) => void): State {
  const copy = structuredClone(state);
  copy.accounts = nameTable(copy.accounts); // a clone has a prototype again
  change(copy);
  return copy;
}

/**
 * Runs the model as if the requester's account had other flags or permissions (`as`), then puts the
 * account's own flags back into the resulting state: how a missing or misplaced check behaves.
 */
export function runAs(
  state: State,
  event: Event,
  next: Step,
  accountKey: string,
  as: Partial<Pick<Account, 'isAdmin' | 'permissions' | 'isShared'>>,
): StepResult<State> {
  const original = state.accounts[accountKey];
  if (!original) return next(state, event);
  const r = next(
    altered(state, (s) => Object.assign(s.accounts[accountKey]!, structuredClone(as))),
    event,
  );
  const after = r.state.accounts[accountKey];
  if (!after) return r;
  const restored = altered(r.state, (s) => {
    const a = s.accounts[accountKey]!;
    for (const k of Object.keys(as) as Array<keyof typeof as>) (a as unknown as Record<string, unknown>)[k] = structuredClone(original[k]);
  });
  return { ...r, state: restored };
}

/** A fresh-looking broadcast id (12 lower-case hex digits) drawn from a fault's own counter. */
export function faultIdSource(prefix = 'fa'): () => string {
  let n = 0;
  return () => (prefix + (n++).toString(16)).padStart(12, '0').slice(-12);
}
