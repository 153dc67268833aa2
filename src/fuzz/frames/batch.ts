// A batch of frame cases as one check. Throughput comes from here: the accounts are created once
// per batch, a connection whose state the model says is unchanged and whose decoder sits on a frame
// boundary is reused by the next case in that state, and only cases that close it pay for a new
// connection (and its handshake and login). Every step taken is recorded as fixture steps
// (fixture.ts), so the recording of a failing batch replays exactly, and the model decides every
// reuse the same way again. After the cases, liveness: the long-lived session `live` still answers
// a round trip and a new connection can handshake and log in.
import type { ActorSpec, CheckDef } from '../../runner/api.ts';
import { HarnessActor } from '../../runner/actors.ts';
import type { Step } from '../fixture.ts';
import { StepInterpreter } from '../steps.ts';
import { isLoggedIn, type ConnState, type FrameCase } from './cases.ts';

/** Actor names with a meaning for failure classes (a failure on them is a leak or a liveness failure). */
export const LIVE = 'live';
export const PROBE = 'probe';

/** The rules each grammar element exercises (wire.md §3–§7). */
const RULES: Record<string, string[]> = {
  magic: ['WIRE-FRM-1', 'WIRE-BAD-1'],
  'type-length': ['WIRE-FRM-2', 'WIRE-BAD-2'],
  type: ['WIRE-FRM-3', 'WIRE-FRM-8', 'WIRE-BAD-3', 'WIRE-BAD-11'],
  id: ['WIRE-FRM-4', 'WIRE-BAD-4', 'WIRE-BAD-5', 'WIRE-ID-2'],
  'payload-length': ['WIRE-FRM-5', 'WIRE-FRM-6', 'WIRE-BAD-6', 'WIRE-BAD-7', 'WIRE-LIM-1', 'WIRE-LIM-2'],
  terminator: ['WIRE-FRM-7', 'WIRE-BAD-8'],
  payload: ['WIRE-JSON-1', 'WIRE-JSON-2', 'WIRE-JSON-4', 'WIRE-JSON-6', 'WIRE-BAD-9', 'WIRE-BAD-10', 'WIRE-BAD-12'],
  delivery: ['WIRE-FRM-9', 'WIRE-SEQ-8'],
};

/** Sub-elements that exercise a rule of their own besides their element's. */
const EXTRA_RULES: Record<string, string[]> = {
  // Unknown members are ignored however deep or odd they are (WIRE-JSON-3).
  'payload:nesting': ['WIRE-JSON-3'],
  'payload:unknown-member': ['WIRE-JSON-3'],
  'payload:duplicate-member': ['UND-10'],
  'payload:duplicate-type': ['UND-10'],
};

export function rulesOf(element: string): string[] {
  return [...(EXTRA_RULES[element] ?? []), ...(RULES[element.split(':')[0]!] ?? ['WIRE-FRM-9'])];
}

/** The accounts a batch needs: `live` and `reg` always (liveness), the others for the states present. */
export function actorsFor(cases: readonly FrameCase[]): Record<string, ActorSpec> {
  const states = new Set(cases.map((c) => c.state));
  const actors: Record<string, ActorSpec> = { [LIVE]: { kind: 'user' }, reg: { kind: 'user', login: false } };
  if (states.has('shared')) actors.sh = { kind: 'shared', login: false };
  if (states.has('guest')) actors.gst = { kind: 'guest', login: false };
  if (states.has('admin')) actors.adm = { kind: 'user', admin: true, login: false };
  return actors;
}

function loginBody(state: ConnState, n: number): Record<string, unknown> {
  const common = { features: ['chat'], locale: 'en' };
  switch (state) {
    case 'shared':
      return { username: '{{sh.username}}', password: '{{sh.password}}', nickname: `{{name:s${n}}}`, ...common };
    case 'guest':
      return { username: 'guest', password: '', nickname: `{{name:g${n}}}`, ...common };
    case 'admin':
      return { username: '{{adm.username}}', password: '{{adm.password}}', ...common };
    default:
      return { username: '{{reg.username}}', password: '{{reg.password}}', ...common };
  }
}

/** A raw step: readable text when the bytes are UTF-8 that cannot be mistaken for a placeholder. */
export function rawStep(actor: string, b: Buffer): Step {
  const text = b.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(b) && !text.includes('{{')) return { op: 'raw', actor, text };
  return { op: 'raw', actor, base64: b.toString('base64') };
}

/** Where a batch stopped: the steps taken and the case running when it stopped (-1: liveness). */
export interface BatchTrace {
  steps: Step[];
  caseIndex: number;
}

/** The check that runs `cases`; `trace` receives the steps taken as they are taken. */
export function batchCheck(id: string, cases: readonly FrameCase[], trace: BatchTrace): CheckDef {
  const rules = [...new Set(cases.flatMap((c) => rulesOf(c.element)))];
  return {
    id,
    title: `${cases.length} frame case(s)`,
    rules,
    actors: actorsFor(cases),
    run: async (actors, t) => {
      const interpreter = new StepInterpreter(actors, t);
      const exec = async (s: Step): Promise<void> => {
        trace.steps.push(s);
        await interpreter.run(s);
      };
      /** Open connections on a frame boundary, by the state they are in. */
      const pool = new Map<ConnState, string>();
      let opened = 0;
      for (const [i, c] of cases.entries()) {
        trace.caseIndex = i;
        let name = pool.get(c.state);
        pool.delete(c.state);
        if (name === undefined) {
          name = `c${++opened}`;
          await exec({ op: 'connect', actor: name, state: c.state === 'new' ? 'new' : 'shaken' });
          if (isLoggedIn(c.state)) await exec({ op: 'login', actor: name, body: loginBody(c.state, opened) });
        }
        for (const w of c.writes) await exec(rawStep(name, w));
        const conn = interpreter.actor(name);
        const next = reusableAs(conn, c.state);
        if (next !== null && !pool.has(next)) pool.set(next, name);
        else if (conn.connected) await exec({ op: 'close', actor: name });
        // The model closed it: the target must have closed it too ("Error then close" is not
        // "Error, connection kept"); usually the close has already arrived and this costs nothing.
        else await exec({ op: 'expectClosed', actor: name });
      }
      trace.caseIndex = -1;
      for (const s of livenessSteps()) await exec(s);
    },
  };
}

/** Liveness as steps: the long-lived session answers, and a new connection can log in. */
function livenessSteps(): Step[] {
  return [
    { op: 'expectConnected', actor: LIVE },
    { op: 'connect', actor: PROBE, state: 'shaken' },
    { op: 'login', actor: PROBE, body: loginBody('regular', 0) },
    { op: 'close', actor: PROBE },
  ];
}

/**
 * The steps of `cases` with no model to decide reuse: each case on a connection of its own, closed
 * after it (a no-op when the target closed it), then liveness. What tier 1 (fast.ts) records of a
 * batch it saw crash a target that cannot be brought back to replay and shrink it.
 */
export function standaloneSteps(cases: readonly FrameCase[]): Step[] {
  const steps: Step[] = [];
  for (const [i, c] of cases.entries()) {
    const name = `c${i + 1}`;
    steps.push({ op: 'connect', actor: name, state: c.state === 'new' ? 'new' : 'shaken' });
    if (isLoggedIn(c.state)) steps.push({ op: 'login', actor: name, body: loginBody(c.state, i + 1) });
    for (const w of c.writes) steps.push(rawStep(name, w));
    steps.push({ op: 'close', actor: name });
  }
  return [...steps, ...livenessSteps()];
}

/** The state a connection can serve the next case in, or null when it must be closed. */
function reusableAs(actor: ReturnType<StepInterpreter['actor']>, was: ConnState): ConnState | null {
  if (!(actor instanceof HarnessActor) || !actor.connected) return null;
  const { hc } = actor;
  const lockstep = actor.run.lockstep;
  if (hc.decoder.midFrame || hc.decoder.error !== null || hc.closeTolerated || lockstep.isRemoved(hc)) return null;
  const phase = lockstep.phaseOf(hc);
  if (phase === 'new') return 'new';
  if (phase === 'shaken') return 'shaken';
  if (phase === 'auth' && isLoggedIn(was)) return was;
  return null;
}
