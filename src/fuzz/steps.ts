// Steps as a check: every fuzz case and every fixture is a list of steps (fixture.ts) over declared
// actors, run as an ordinary check through the run session, so the lockstep mirror and comparator
// judge each response and broadcast exactly as in the scripted suite. This module is the only
// interpreter of steps: fuzzers build steps, `toCheck` runs them, replay reads them from a file.
import type { Actor, ActorSpec, CheckContext, CheckDef } from '../runner/api.ts';
import type { ClientType } from '../protocol/types.ts';
import { nameKey } from '../model/index.ts';
import type { Step } from './fixture.ts';

export interface StepsCase {
  id: string;
  title: string;
  rules: string[];
  actors: Record<string, ActorSpec>;
  steps: Step[];
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_-]+)(?:\.(username|nickname|password)|:([A-Za-z0-9_]*))\s*\}\}/g;

/** Substitutes `{{actor.field}}` and `{{name:base}}` in every string of `value`. */
export function substitute(value: unknown, actors: ReadonlyMap<string, Actor>, freshName: (base: string) => string): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (whole, who: string, field: string | undefined, base: string | undefined) => {
      if (who === 'name' && base !== undefined) return freshName(base);
      const actor = actors.get(who);
      if (actor === undefined || field === undefined) throw new Error(`step refers to ${whole}, but there is no actor "${who}"`);
      return actor[field as 'username' | 'nickname' | 'password'];
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, actors, freshName));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, actors, freshName)]));
  }
  return value;
}

/**
 * Runs steps one at a time in the check context `t`, keeping the actors they open. A fuzzer that
 * decides its next step from what the model says now (e.g. reuse a connection that is still open)
 * drives this directly and records the steps it took; the recording replays identically.
 */
export class StepInterpreter {
  private readonly actors: Map<string, Actor>;
  private readonly names = new Map<string, string>();

  constructor(
    declared: Record<string, Actor>,
    private readonly t: CheckContext,
  ) {
    this.actors = new Map<string, Actor>(Object.entries(declared));
    this.actors.set('admin', t.admin);
  }

  /** The actor `name` (declared, opened by a `connect` step, or `admin`). */
  actor(name: string): Actor {
    const a = this.actors.get(name);
    if (a === undefined) throw new Error(`step names an unknown actor "${name}"`);
    return a;
  }

  private readonly freshName = (base: string): string => {
    let n = this.names.get(base);
    if (n === undefined) {
      n = this.t.name(base || 'f');
      this.names.set(base, n);
    }
    return n;
  };

  private sub<T>(v: T): T {
    return substitute(v, this.actors, this.freshName) as T;
  }

  async run(s: Step): Promise<void> {
    const { t } = this;
    switch (s.op) {
      case 'request': {
        const body = this.sub(s.body);
        registerCreated(s.type, body, t);
        await this.actor(s.actor).request(s.type as ClientType, body);
        break;
      }
      case 'pipeline': {
        const requests = s.requests.map((r) => ({ type: r.type as ClientType, body: this.sub(r.body) }));
        for (const r of requests) registerCreated(r.type, r.body, t);
        await this.actor(s.actor).pipeline(requests);
        break;
      }
      case 'raw':
        await this.actor(s.actor).sendRaw(s.text !== undefined ? this.sub(s.text) : Buffer.from(s.base64!, 'base64'));
        break;
      case 'connect':
        this.actors.set(s.actor, await t.connect(s.state, s.actor));
        break;
      case 'handshake':
        await this.actor(s.actor).handshake(s.version);
        break;
      case 'login':
        await this.actor(s.actor).login(s.body === undefined ? undefined : this.sub(s.body));
        break;
      case 'close':
        await this.actor(s.actor).close();
        break;
      case 'expectConnected':
        await this.actor(s.actor).expectConnected();
        break;
      case 'expectClosed':
        await this.actor(s.actor).expectClosed();
        break;
    }
  }
}

/** Runs `steps` with the declared `actors` (plus `admin`) in the check context `t`. */
export async function runSteps(steps: readonly Step[], declared: Record<string, Actor>, t: CheckContext): Promise<void> {
  const interpreter = new StepInterpreter(declared, t);
  for (const s of steps) await interpreter.run(s);
}

/**
 * Accounts a step may create (UserCreate) or rename into existence (UserUpdate `requested_username`)
 * are deleted at cleanup like the check's own; a name the model already knows (an account that was
 * there before, e.g. the target's own) is never registered, so cleanup cannot delete it.
 */
function registerCreated(type: string, body: Record<string, unknown>, t: CheckContext): void {
  const name = type === 'UserCreate' ? body.username : type === 'UserUpdate' ? body.requested_username : undefined;
  if (typeof name === 'string' && name !== '' && t.model().accounts[nameKey(name)] === undefined) t.created(name);
}

/** A steps case as a check of the scenario DSL, ready for RunSession.runCheck. */
export function toCheck(c: StepsCase): CheckDef {
  return {
    id: c.id,
    title: c.title,
    rules: c.rules,
    actors: c.actors,
    run: (actors, t) => runSteps(c.steps, actors, t),
  };
}
