// The one place where handlers produce outputs and change the state. Every handler receives a Ctx
// over a copy-on-write view of the input state (`state`: read it freely, change it only through
// the `put*` / `remove*` / `edit*` helpers) and emits messages only through these helpers, so
// carriers, fresh ids and audiences are decided the same way everywhere.
import type { ClientType, ConnId, Message, Profile } from '../protocol/types.ts';
import { responseTypeOf } from '../protocol/types.ts';
import { renderError } from './errors.ts';
import type { Carrier, CloseOutput, CloseReason, ErrorKey, ErrorParams, Output, SendAccept, SendOutput } from './events.ts';
import { sessionHolds } from './permissions.ts';
import type { Account, Connection, ServerInfo, Session, State } from './state.ts';
import { nameTable } from './state.ts';
import type { ViewCache } from './view-cache.ts';

/** A decoded client request as handlers see it. */
export interface Request<B = Record<string, unknown>> {
  conn: Connection;
  /** The live session of this connection, if any. */
  session: Session | null;
  /** Request id, echoed by every direct answer (WIRE-ID-2). */
  id: string;
  type: ClientType;
  body: B;
}

export type ByProfile<T> = { spec: T; nexusd: T };

export interface FailOptions {
  rules: string[];
  /** Further message forms the profile allows for this failure (e.g. `spec` Login: Error or LoginResponse). */
  alsoAllowed?: Carrier[];
  /** The close after an E!/H is not required (e.g. ADM-CREATE-6 in `spec`). */
  closeOptional?: boolean;
}

/**
 * An [UNDETERMINED] point a handler reaches (rules.md §7): the options a server may take there,
 * the reference server's own choice first (rules.md §8). `step` runs the event once per option.
 */
export interface ChoicePoint {
  /** Unique within one event, e.g. `UND-5` or `VAL-PATHCHARS:requested_username`. */
  id: string;
  rules: string[];
  options: ReadonlyArray<{ value: string; label: string }>;
}

/**
 * Options to take at choice points, by point id; a key without `:` also applies to every
 * `<key>:<field>` point (e.g. `VAL-PATHCHARS`). Unlisted points take the reference's option.
 */
export type Choices = Readonly<Record<string, string>>;

/** The keyed tables of the state, each copied on its first change in a run. */
type Table = 'accounts' | 'sessions' | 'connections';

export class Ctx {
  readonly outputs: Output[] = [];
  /** The choice points this run reached, with the option it took, in order. */
  readonly choices: Array<{ point: ChoicePoint; value: string }> = [];
  /**
   * The state this run builds. It starts as a shallow copy of the input and shares every table and
   * entry with it; a table or entry is copied the first time this run changes it (structural
   * sharing). So an event costs a shallow copy of each table it changes (its keys: one per session
   * online for the sessions table) and of each entry it changes, never a copy of the rest of the
   * state, and the input state is never mutated.
   */
  readonly state: State;
  /** Tables and entries this run copied (or created): the only objects it may mutate. */
  private readonly owned = new WeakSet<object>();

  constructor(
    input: State,
    readonly now: number,
    readonly forced: Choices = {},
    private readonly views?: ViewCache,
  ) {
    this.state = { ...input };
  }

  /**
   * A derived view of the state that reads only `deps` (tables or entries of `state`): memoised
   * when the caller keeps a view cache (the reference server), computed afresh otherwise.
   */
  view<T>(name: string, deps: readonly object[], compute: () => T): T {
    return this.views ? this.views.get(name, deps, compute) : compute();
  }

  // --- changing the state (copy on write) -----------------------------------------------------

  private table<T extends Table>(name: T): State[T] {
    let t = this.state[name];
    if (!this.owned.has(t)) {
      t = (name === 'accounts' ? nameTable<unknown>(t) : { ...t }) as State[T];
      this.state[name] = t;
      this.owned.add(t);
    }
    return t;
  }

  /** A private copy of an entry, stored back in its (private) table; the same copy for the rest of the run. */
  private entry(name: Table, key: string): object {
    const t = this.table(name) as Record<string, object>;
    let e = t[key];
    if (e === undefined) throw new Error(`model bug: no ${name} entry ${key} to change`);
    if (!this.owned.has(e)) {
      e = { ...e };
      t[key] = e;
      this.owned.add(e);
    }
    return e;
  }

  /** The session with this id, ready to change. */
  editSession(id: number): Session {
    return this.entry('sessions', String(id)) as Session;
  }

  editConnection(id: ConnId): Connection {
    return this.entry('connections', id) as Connection;
  }

  /** The account stored under this lower-cased key (GEN-7), ready to change. */
  editAccount(key: string): Account {
    return this.entry('accounts', key) as Account;
  }

  editServerInfo(): ServerInfo {
    if (!this.owned.has(this.state.serverInfo)) {
      this.state.serverInfo = { ...this.state.serverInfo };
      this.owned.add(this.state.serverInfo);
    }
    return this.state.serverInfo;
  }

  putSession(session: Session): void {
    this.owned.add(session);
    this.table('sessions')[String(session.id)] = session;
  }

  removeSession(id: number): void {
    delete this.table('sessions')[String(id)];
  }

  putConnection(conn: Connection): void {
    this.owned.add(conn);
    this.table('connections')[conn.id] = conn;
  }

  removeConnection(id: ConnId): void {
    delete this.table('connections')[id];
  }

  putAccount(key: string, account: Account): void {
    this.owned.add(account);
    this.table('accounts')[key] = account;
  }

  removeAccount(key: string): void {
    delete this.table('accounts')[key];
  }

  /** The option this run takes at `point`: the forced one, else the reference's (the first). */
  choose(point: ChoicePoint): string {
    const made = this.choices.find((c) => c.point.id === point.id);
    if (made) return made.value;
    const wanted = this.forced[point.id] ?? this.forced[point.id.split(':')[0]!];
    const value = point.options.some((o) => o.value === wanted) ? wanted! : point.options[0]!.value;
    this.choices.push({ point, value });
    return value;
  }

  get profile(): Profile {
    return this.state.config.profile;
  }

  byProfile<T>(choice: ByProfile<T>): T {
    return choice[this.profile];
  }

  /** WIRE-ID-3: fresh lower-case 12-hex id, deterministic from the state's seed and counter. */
  freshId(): string {
    this.state.idCounter += 1;
    let x = (this.state.idSeed ^ Math.imul(this.state.idCounter, 0x9e3779b1)) >>> 0;
    let y = (Math.imul(this.state.idCounter, 0x85ebca6b) + this.state.idSeed) >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
    y = Math.imul(y ^ (y >>> 15), 0x846ca68b) >>> 0;
    return (x.toString(16).padStart(8, '0') + y.toString(16).padStart(8, '0')).slice(0, 12);
  }

  // --- sessions and connections ---------------------------------------------------------------

  session(id: number): Session | undefined {
    return this.state.sessions[String(id)];
  }

  /** Every live session, in login order. */
  liveSessions(): Session[] {
    return Object.values(this.state.sessions).sort((a, b) => a.loginSeq - b.loginSeq);
  }

  sessionsOfAccount(accountKey: string): Session[] {
    return this.liveSessions().filter((s) => s.accountKey === accountKey);
  }

  // --- sending --------------------------------------------------------------------------------

  /** Sends `type` with `body` (the `type` member is added) to a connection; `id` defaults to a fresh one. */
  send(
    conn: ConnId | null,
    type: string,
    body: Record<string, unknown>,
    opts: { rules: string[]; id?: string; accept?: SendAccept; error?: SendOutput['error'] },
  ): void {
    if (conn === null) return; // a foreign session: nothing for us to write
    const message: Message = { type, id: opts.id ?? this.freshId(), body: { type, ...body } };
    const out: SendOutput = { kind: 'send', conn, message, rules: opts.rules };
    const locales = this.aggregatedLocales(message.body);
    const accept: SendAccept = { ...opts.accept, ...(locales.length > 0 ? { anyLocaleOf: locales } : {}) };
    if (Object.keys(accept).length > 0) out.accept = accept;
    if (opts.error) out.error = opts.error;
    this.outputs.push(out);
  }

  /**
   * UND-14 [UNDETERMINED]: every aggregated entry of `body` (an object with `locale` and two or
   * more `session_ids`) may carry the locale of any of its sessions. Evaluated when the message is
   * emitted, so a broadcast about sessions that end later in the same step is covered too. A large
   * list member (a memoised user list) is walked once per version of the sessions table.
   */
  private aggregatedLocales(body: Record<string, unknown>): NonNullable<SendAccept['anyLocaleOf']> {
    const out: NonNullable<SendAccept['anyLocaleOf']> = [];
    for (const key in body) {
      const v = body[key];
      if (this.views && Array.isArray(v) && v.length >= 64) {
        out.push(...this.view('UND-14 locales', [v, this.state.sessions], () => this.collectLocales(v, [])));
      } else this.collectLocales(v, out);
    }
    return out;
  }

  private collectLocales(v: unknown, out: NonNullable<SendAccept['anyLocaleOf']>): NonNullable<SendAccept['anyLocaleOf']> {
    if (Array.isArray(v)) {
      for (const x of v) this.collectLocales(x, out);
      return out;
    }
    if (typeof v !== 'object' || v === null) return out;
    const o = v as Record<string, unknown>;
    const ids = o.session_ids;
    if (typeof o.locale === 'string' && Array.isArray(ids) && ids.length > 1) {
      const sessions = ids.map((id) => this.session(Number(id))).filter((x): x is Session => x !== undefined);
      const locales = [...new Set(sessions.sort((a, b) => a.loginSeq - b.loginSeq).map((x) => x.locale))];
      if (locales.length > 1) out.push({ sessionIds: [...(ids as number[])].sort((a, b) => a - b), locales });
    }
    for (const key in o) this.collectLocales(o[key], out);
    return out;
  }

  /** Success answer: `<Type>Response {success:true, …}` echoing the request id. */
  respond(req: Request<unknown>, body: Record<string, unknown>, rules: string[], accept?: SendAccept): void {
    this.send(req.conn.id, responseTypeOf(req.type), { success: true, ...body }, { id: req.id, rules, ...(accept ? { accept } : {}) });
  }

  /** Failure answer through `carrier` (rules.md header); E! and H also close the connection. */
  fail(req: Request<unknown>, key: ErrorKey, params: ErrorParams, carrier: Carrier | ByProfile<Carrier>, opts: FailOptions): void {
    const chosen = typeof carrier === 'string' ? carrier : this.byProfile(carrier);
    const text = renderError(key, params, this.profile);
    const error: SendOutput['error'] = {
      key,
      params,
      carriers: [chosen, ...(opts.alsoAllowed ?? []).filter((c) => c !== chosen)],
      command: req.type,
    };
    const conn = req.conn.id;
    switch (chosen) {
      case 'T':
        this.send(conn, responseTypeOf(req.type), { success: false, error: text }, { id: req.id, rules: opts.rules, error });
        break;
      case 'H':
        this.send(
          conn,
          'HandshakeResponse',
          { success: false, version: this.state.config.protocolVersion, error: text },
          { id: req.id, rules: opts.rules, error },
        );
        break;
      case 'E':
      case 'E!':
        this.send(conn, 'Error', { message: text, command: req.type }, { id: req.id, rules: opts.rules, error });
        break;
      case 'N':
        this.send(conn, 'Error', { message: text }, { rules: opts.rules, error });
        break;
    }
    if (chosen === 'E!' || chosen === 'H') {
      this.close(conn, 'error', opts.rules, opts.closeOptional ? { optional: true } : undefined);
    }
  }

  /** SES-ERR-4: notice to a session being removed by someone else (fresh id). */
  notice(conn: ConnId | null, key: ErrorKey, params: ErrorParams, command: string | undefined, rules: string[]): void {
    const text = renderError(key, params, this.profile);
    const body: Record<string, unknown> = { message: text };
    if (command !== undefined) body.command = command;
    const error: SendOutput['error'] = { key, params, carriers: ['N'] };
    if (command !== undefined) error.command = command;
    this.send(conn, 'Error', body, { rules, error });
  }

  close(conn: ConnId | null, reason: CloseReason, rules: string[], accept?: CloseOutput['accept']): void {
    if (conn === null) return;
    const out: CloseOutput = { kind: 'close', conn, reason, rules };
    if (accept) out.accept = accept;
    this.outputs.push(out);
  }

  /**
   * Sends to every live session chosen by `to` (each copy with its own fresh id, WIRE-ID-3).
   * `body` may depend on the recipient.
   */
  broadcast(
    type: string,
    body: Record<string, unknown> | ((recipient: Session) => Record<string, unknown>),
    to: (recipient: Session) => boolean,
    rules: string[],
    accept?: SendAccept,
  ): void {
    for (const s of this.liveSessions()) {
      if (!to(s)) continue;
      const b = typeof body === 'function' ? body(s) : body;
      this.send(s.conn, type, b, accept ? { rules, accept } : { rules });
    }
  }

  /**
   * GEN-2: this connection's session was removed by someone else (kick, delete, disable) while the
   * socket stayed open. Answers E-AUTHENTICATION and returns true; false when the session is live.
   * ServerInfoUpdate never closes in `nexusd` (ADM-SINFO-2); `spec` accepts either.
   */
  rejectIfRemoved(req: Request<unknown>, rules: string[]): boolean {
    if (req.conn.phase !== 'removed') return false;
    if (req.type === 'ServerInfoUpdate') {
      this.fail(
        req,
        'E-AUTHENTICATION',
        {},
        { spec: 'E!', nexusd: 'E' },
        {
          rules: ['GEN-2', 'ADM-SINFO-2', ...rules],
          closeOptional: true,
        },
      );
    } else {
      this.fail(req, 'E-AUTHENTICATION', {}, 'E!', { rules: ['GEN-2', ...rules] });
    }
    return true;
  }

  holds(session: Session, permission: Parameters<typeof sessionHolds>[2]): boolean {
    return sessionHolds(this.state, session, permission);
  }

  /**
   * Ends a session (SES-BC-3): removes it, marks its connection REMOVED (or forgets it when
   * `connGone`), and sends `UserDisconnected` to every remaining `user_list` holder (BC-2).
   */
  endSession(sessionId: number, rules: string[], connGone = false): void {
    const s = this.session(sessionId);
    if (!s) return;
    this.removeSession(sessionId);
    if (s.conn !== null && this.state.connections[s.conn]) {
      if (connGone) this.removeConnection(s.conn);
      else {
        const c = this.editConnection(s.conn);
        c.phase = 'removed';
        c.sessionId = null;
      }
    }
    this.broadcast('UserDisconnected', { session_id: s.id, nickname: s.nickname }, (r) => this.holds(r, 'user_list'), [
      'SES-BC-3',
      'BC-2',
      ...rules,
    ]);
  }
}
