// The stateful fuzzer's commands, fast-check ICommand style: each keeps its precondition (`check`)
// and the steps it emits (`run`) side by side. Parameters are indices into the live sessions and
// accounts of the fuzzer's model (model.ts), so a shrunk sequence still names something real.
// Commands only emit steps; the lockstep judges every response and broadcast when the steps run.
import fc from 'fast-check';
import { ALL_PERMISSIONS, SHARED_ALLOWED } from '../../model/index.ts';
import { alive, dropAccountSessions, fresh, pick, requester, type Model, type Session, type Steps } from './model.ts';

type Cmd = fc.Command<Model, Steps>;

/**
 * Sessions a sequence opens at most, declared ones included: connections the model counts as gone
 * may still be open on the target, so this bounds the connections a sequence holds (WIRE-IP-1).
 */
export const MAX_SESSIONS = 16;

const request = (r: Steps, s: Session, type: string, body: Record<string, unknown> = {}): void => {
  r.steps.push({ op: 'request', actor: s.actor, type, body });
};
const hasLive = (m: Readonly<Model>): boolean => alive(m).length > 0;
const accountsOf = (m: Readonly<Model>): string[] => [...m.accounts.keys()];

/** A base command: a live requester exists. */
abstract class SessionCommand implements Cmd {
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

/** A new session of an existing account on a new connection (shared ones under a fresh nickname). */
class Login implements Cmd {
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
class Logout extends SessionCommand {
  run(m: Model, r: Steps): void {
    const s = this.from(m);
    r.steps.push({ op: 'close', actor: s.actor });
    s.alive = false;
  }
  toString(): string {
    return `Logout(${this.who})`;
  }
}

class Away extends SessionCommand {
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

class Back extends SessionCommand {
  run(m: Model, r: Steps): void {
    request(r, this.from(m), 'UserBack');
  }
  toString(): string {
    return `Back(${this.who})`;
  }
}

class Status extends SessionCommand {
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

class List extends SessionCommand {
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
class Info extends SessionCommand {
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

class Monitor extends SessionCommand {
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

class Burst extends SessionCommand {
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

/** UserKick of a live session's nickname; whatever the verdict, the target is not used again. */
class Kick extends SessionCommand {
  constructor(
    who: number,
    asAdmin: boolean,
    readonly target: number,
  ) {
    super(who, asAdmin);
  }
  run(m: Model, r: Steps): void {
    const from = this.from(m);
    const target = pick(alive(m), this.target);
    request(r, from, 'UserKick', { nickname: target.nickname });
    if (m.accounts.get(target.account)?.shared) target.alive = false;
    else dropAccountSessions(m, target.account);
  }
  toString(): string {
    return `Kick(${this.who}, ${this.asAdmin}, ${this.target})`;
  }
}

class Create extends SessionCommand {
  constructor(
    who: number,
    asAdmin: boolean,
    readonly kind: { shared: boolean; admin: boolean; enabled: boolean; permissions: string[] },
  ) {
    super(who, asAdmin);
  }
  run(m: Model, r: Steps): void {
    const n = fresh(m);
    const ref = `{{name:a${n}}}`;
    const { shared, admin, enabled, permissions } = this.kind;
    request(r, this.from(m), 'UserCreate', {
      username: ref,
      password: 'Fuzz-pass-1',
      is_admin: admin,
      ...(shared ? { is_shared: true } : {}),
      enabled,
      permissions,
    });
    m.accounts.set(`a${n}`, { ref, password: 'Fuzz-pass-1', shared, admin, enabled });
  }
  toString(): string {
    return `Create(${this.who}, ${this.asAdmin}, ${JSON.stringify(this.kind)})`;
  }
}

class Edit extends SessionCommand {
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
  run(m: Model, r: Steps): void {
    request(r, this.from(m), 'UserEdit', { username: m.accounts.get(pick(accountsOf(m), this.account))!.ref });
  }
  toString(): string {
    return `Edit(${this.who}, ${this.asAdmin}, ${this.account})`;
  }
}

export type Change = 'rename' | 'permissions' | 'disable' | 'enable' | 'promote' | 'demote';

/** UserUpdate: renames, permission changes, disable/enable, promote/demote. */
class Update extends SessionCommand {
  constructor(
    who: number,
    asAdmin: boolean,
    readonly account: number,
    readonly change: Change,
    readonly permissions: string[],
  ) {
    super(who, asAdmin);
  }
  override check(m: Readonly<Model>): boolean {
    return hasLive(m) && m.accounts.size > 0;
  }
  run(m: Model, r: Steps): void {
    const from = this.from(m);
    const key = pick(accountsOf(m), this.account);
    const a = m.accounts.get(key)!;
    const body: Record<string, unknown> = { username: a.ref };
    switch (this.change) {
      case 'rename': {
        const ref = `{{name:u${fresh(m)}}}`;
        body.requested_username = ref;
        // The account keeps its sessions (regular ones may show either nickname, UND-7).
        a.ref = ref;
        for (const s of m.sessions) if (s.account === key && !a.shared) s.nickname = ref;
        break;
      }
      case 'permissions':
        body.requested_permissions = this.permissions;
        break;
      case 'disable':
        body.requested_enabled = false;
        a.enabled = false;
        dropAccountSessions(m, key);
        break;
      case 'enable':
        body.requested_enabled = true;
        a.enabled = true;
        break;
      case 'promote':
      case 'demote':
        body.requested_is_admin = this.change === 'promote';
        a.admin = this.change === 'promote';
        break;
    }
    request(r, from, 'UserUpdate', body);
  }
  toString(): string {
    return `Update(${this.who}, ${this.asAdmin}, ${this.account}, ${this.change}, ${JSON.stringify(this.permissions)})`;
  }
}

class Delete extends SessionCommand {
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
  run(m: Model, r: Steps): void {
    const from = this.from(m);
    const key = pick(accountsOf(m), this.account);
    request(r, from, 'UserDelete', { username: m.accounts.get(key)!.ref });
    dropAccountSessions(m, key);
    m.accounts.delete(key);
  }
  toString(): string {
    return `Delete(${this.who}, ${this.asAdmin}, ${this.account})`;
  }
}

class ServerInfo extends SessionCommand {
  constructor(
    who: number,
    asAdmin: boolean,
    readonly member: 'name' | 'description',
    readonly value: string,
  ) {
    super(who, asAdmin);
  }
  run(m: Model, r: Steps): void {
    request(r, this.from(m), 'ServerInfoUpdate', { [this.member]: this.value });
  }
  toString(): string {
    return `ServerInfo(${this.who}, ${this.member}, ${JSON.stringify(this.value)})`;
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

class Junk extends SessionCommand {
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

const who = fc.nat({ max: 63 });
const idx = fc.nat({ max: 63 });
const text = fc.constantFrom('brb', 'lunch', '', 'back at 5', 'é中😀', 'x'.repeat(128));
const someOf = (names: readonly string[]): fc.Arbitrary<string[]> => fc.subarray([...names], { maxLength: 5 });

/** Every command with its parameter arbitrary; admin-only actions ask for the admin half of the time. */
export const COMMANDS: Array<fc.Arbitrary<Cmd>> = [
  idx.map((a) => new Login(a)),
  who.map((w) => new Logout(w)),
  fc.tuple(who, fc.option(text, { nil: undefined })).map(([w, t]) => new Away(w, t)),
  who.map((w) => new Back(w)),
  fc.tuple(who, fc.option(text, { nil: null })).map(([w, t]) => new Status(w, t)),
  fc.tuple(who, fc.boolean()).map(([w, all]) => new List(w, all)),
  fc.tuple(who, idx).map(([w, t]) => new Info(w, t)),
  who.map((w) => new Monitor(w)),
  fc
    .tuple(
      who,
      fc.array(fc.constantFrom<BurstItem>('list', 'list-all', 'info', 'monitor', 'away', 'back', 'status'), { minLength: 2, maxLength: 8 }),
      idx,
    )
    .map(([w, items, t]) => new Burst(w, items, t)),
  fc.tuple(who, fc.boolean(), idx).map(([w, a, t]) => new Kick(w, a, t)),
  fc
    .tuple(who, fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), someOf(ALL_PERMISSIONS), someOf(SHARED_ALLOWED))
    .map(
      ([w, a, shared, admin, enabled, perms, sharedPerms]) =>
        new Create(w, a, { shared, admin: admin && !shared, enabled, permissions: shared ? sharedPerms : perms }),
    ),
  fc.tuple(who, fc.boolean(), idx).map(([w, a, t]) => new Edit(w, a, t)),
  fc
    .tuple(
      who,
      fc.boolean(),
      idx,
      fc.constantFrom<Change>('rename', 'rename', 'permissions', 'disable', 'enable', 'promote', 'demote'),
      someOf(SHARED_ALLOWED),
    )
    .map(([w, a, t, c, p]) => new Update(w, a, t, c, p)),
  fc.tuple(who, fc.boolean(), idx).map(([w, a, t]) => new Delete(w, a, t)),
  fc
    .tuple(
      who,
      fc.boolean(),
      fc.constantFrom<'name' | 'description'>('name', 'description'),
      fc.constantFrom('Fuzzed server', 'Ünïcødé 中', 'A much longer description of the server'),
    )
    .map(([w, a, k, v]) => new ServerInfo(w, a, k, v)),
  fc.tuple(who, idx).map(([w, j]) => new Junk(w, j)),
];
