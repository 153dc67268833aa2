// The stateful fuzzer's command bases, fast-check ICommand style: a command keeps its precondition
// (`check`) and the steps it emits (`run`) side by side. Parameters are indices into the live
// sessions and accounts of the fuzzer's model (model.ts), so a shrunk sequence still names
// something real. Commands only emit steps; the lockstep judges every response and broadcast.
import type fc from 'fast-check';
import { alive, pick, requester, type Model, type Session, type Steps } from './model.ts';

export type Cmd = fc.Command<Model, Steps>;

/**
 * Sessions a sequence opens at most, declared ones included: connections the model counts as gone
 * may still be open on the target, so this bounds the connections a sequence holds (WIRE-IP-1).
 */
export const MAX_SESSIONS = 16;

export const request = (r: Steps, s: Session, type: string, body: Record<string, unknown> = {}): void => {
  r.steps.push({ op: 'request', actor: s.actor, type, body });
};
export const hasLive = (m: Readonly<Model>): boolean => alive(m).length > 0;
export const accountsOf = (m: Readonly<Model>): string[] => [...m.accounts.keys()];

/** A base command: a live requester exists. */
export abstract class SessionCommand implements Cmd {
  constructor(
    readonly who: number,
    readonly asAdmin = false,
  ) {}
  check(m: Readonly<Model>): boolean {
    return hasLive(m);
  }
  abstract run(m: Model, r: Steps): void;
  abstract toString(): string;
  protected from(m: Readonly<Model>): Session {
    return requester(m, this.who, this.asAdmin);
  }
}

/** A base command acting on one account of the model (by index): a live requester and an account exist. */
export abstract class AccountCommand extends SessionCommand {
  constructor(
    who: number,
    asAdmin: boolean,
    readonly account: number,
  ) {
    super(who, asAdmin);
  }
  override check(m: Readonly<Model>): boolean {
    return hasLive(m) && m.accounts.size > 0;
  }
  /** The model key of the account the command acts on. */
  protected accountKey(m: Readonly<Model>): string {
    return pick(accountsOf(m), this.account);
  }
}
