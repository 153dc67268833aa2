// The stateful fuzzer's session commands: logins and logouts, presence (away, back, status),
// reading requests (lists, info, monitor, bursts of them) and junk frames interleaved with the
// traffic. The account-management commands are in admin-commands.ts.
import { fresh, pick, type Model, type Steps } from './model.ts';
import { accountsOf, MAX_SESSIONS, request, SessionCommand, type Cmd } from './command-base.ts';

/** A new session of an existing account on a new connection (shared ones under a fresh nickname). */
export class Login implements Cmd {
  constructor(readonly account: number) {}
  check(m: Readonly<Model>): boolean {
    return m.accounts.size > 0 && m.sessions.length < MAX_SESSIONS;
  }
  run(m: Model, r: Steps): void {
    const key = pick(accountsOf(m), this.account);
    const a = m.accounts.get(key)!;
    const n = fresh(m);
    const actor = `n${n}`;
    const nickname = a.shared ? `{{name:k${n}}}` : a.ref;
    r.steps.push({ op: 'connect', actor, state: 'shaken' });
    r.steps.push({
      op: 'login',
      actor,
      body: {
        username: a.ref,
        password: a.password,
        features: ['chat'],
        locale: n % 2 === 0 ? 'en' : 'de',
        ...(a.shared ? { nickname } : {}),
      },
    });
    m.sessions.push({ actor, account: key, nickname, alive: a.enabled });
  }
  toString(): string {
    return `Login(${this.account})`;
  }
}

/** Client-side logout: the connection is closed (SES-BC-3 broadcast checked by the lockstep). */
export class Logout extends SessionCommand {
  run(m: Model, r: Steps): void {
    const s = this.from(m);
    r.steps.push({ op: 'close', actor: s.actor });
    s.alive = false;
  }
  toString(): string {
    return `Logout(${this.who})`;
  }
}

export class Away extends SessionCommand {
  constructor(
    who: number,
    readonly message: string | null | undefined,
  ) {
    super(who);
  }
  run(m: Model, r: Steps): void {
    request(r, this.from(m), 'UserAway', this.message === undefined ? {} : { message: this.message });
  }
  toString(): string {
    return `Away(${this.who}, ${JSON.stringify(this.message)})`;
  }
}

export class Back extends SessionCommand {
  run(m: Model, r: Steps): void {
    request(r, this.from(m), 'UserBack');
  }
  toString(): string {
    return `Back(${this.who})`;
  }
}

export class Status extends SessionCommand {
  constructor(
    who: number,
    readonly status: string | null,
  ) {
    super(who);
  }
  run(m: Model, r: Steps): void {
    request(r, this.from(m), 'UserStatus', { status: this.status });
  }
  toString(): string {
    return `Status(${this.who}, ${JSON.stringify(this.status)})`;
  }
}

export class List extends SessionCommand {
  constructor(
    who: number,
    readonly all: boolean,
  ) {
    super(who);
  }
  run(m: Model, r: Steps): void {
    request(r, this.from(m), 'UserList', this.all ? { all: true } : {});
  }
  toString(): string {
    return `List(${this.who}, ${this.all})`;
  }
}

/** UserInfo about any session ever seen (gone ones included: E-NICKNAME-NOT-ONLINE is checked too). */
export class Info extends SessionCommand {
  constructor(
    who: number,
    readonly target: number,
  ) {
    super(who);
  }
  run(m: Model, r: Steps): void {
    request(r, this.from(m), 'UserInfo', { nickname: pick(m.sessions, this.target).nickname });
  }
  toString(): string {
    return `Info(${this.who}, ${this.target})`;
  }
}

export class Monitor extends SessionCommand {
  run(m: Model, r: Steps): void {
    request(r, this.from(m), 'ConnectionMonitor');
  }
  toString(): string {
    return `Monitor(${this.who})`;
  }
}

/**
 * Read-only and away/status requests one session sends back to back. They are sent one by one, not
 * pipelined: the lockstep does not yet accept every allowed outcome inside a pipeline (an optional
 * broadcast left out, an `E!` carrier closing before the later requests are read).
 */
export type BurstItem = 'list' | 'list-all' | 'info' | 'monitor' | 'away' | 'back' | 'status';

export class Burst extends SessionCommand {
  constructor(
    who: number,
    readonly items: BurstItem[],
    readonly target: number,
  ) {
    super(who);
  }
  run(m: Model, r: Steps): void {
    const s = this.from(m);
    for (const item of this.items) {
      const [type, body]: [string, Record<string, unknown>] =
        item === 'list'
          ? ['UserList', {}]
          : item === 'list-all'
            ? ['UserList', { all: true }]
            : item === 'info'
              ? ['UserInfo', { nickname: pick(m.sessions, this.target).nickname }]
              : item === 'monitor'
                ? ['ConnectionMonitor', {}]
                : item === 'away'
                  ? ['UserAway', { message: 'away' }]
                  : item === 'back'
                    ? ['UserBack', {}]
                    : ['UserStatus', { status: 'busy' }];
      request(r, s, type, body);
    }
  }
  toString(): string {
    return `Burst(${this.who}, ${JSON.stringify(this.items)}, ${this.target})`;
  }
}

/** A frame with correct lengths around `payload`. */
const frame = (type: string, id: string, payload: string): string =>
  `NX|${Buffer.byteLength(type)}|${type}|${id}|${Buffer.byteLength(payload)}|${payload}\n`;

/** Junk frames interleaved with the traffic (the frame fuzzer covers the wire in depth). */
export const JUNK = [
  frame('ZzNotAType', '00000000000a', '{}'), // unknown type (WIRE-FRM-8: a name no build knows)
  frame('UserList', '00000000000z', '{"type":"UserList"}'), // non-hex id
  frame('UserList', '00000000000b', '{"type":'), // invalid JSON
  frame('UserList', '00000000000c', '[]'), // not an object
  `XX${frame('UserList', '00000000000d', '{"type":"UserList"}').slice(2)}`, // bad magic
  frame('UserKick', '00000000000e', '{"type":"UserKick","nickname":5}'), // wrong member type
] as const;

export class Junk extends SessionCommand {
  constructor(
    who: number,
    readonly junk: number,
  ) {
    super(who);
  }
  run(m: Model, r: Steps): void {
    const s = this.from(m);
    r.steps.push({ op: 'raw', actor: s.actor, text: pick(JUNK, this.junk) });
    s.alive = false;
  }
  toString(): string {
    return `Junk(${this.who}, ${this.junk})`;
  }
}
