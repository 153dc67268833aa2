// Actors: the declared participants of a check, built by the runner (run-prefixed accounts created
// through the control connection, connections opened, Handshake and Login done) and driven by the
// scenario through the `Actor` interface of api.ts. Every byte goes through the lockstep, so the
// scenario only states the rule its title promises (expectSuccess / expectError); the runner checks
// everything else.
import { classifyError, errorMatches, GUEST_USERNAME, nameKey } from '../model/index.ts';
import type { ErrorKey, State } from '../model/index.ts';
import { createRng } from '../protocol/ids.ts';
import type { ClientType, MatchMode, Profile, ServerType } from '../protocol/types.ts';
import type { Failure } from './results.ts';
import type { Received } from '../net/connection.ts';
import { plaintextProbe, type PlaintextProbeResult } from '../net/plaintext-probe.ts';
import type { Actor, ActorSpec, CheckContext, CheckDef, Observed, Reply } from './api.ts';
import { CheckFailure, SkipCheck } from './failures.ts';
import type { Answer, HarnessConn, Lockstep, Outgoing } from './lockstep.ts';
import { renderMessage } from './render.ts';

// --- names and passwords ------------------------------------------------------------------------------

/**
 * Run-prefixed names. The prefix (`nc` + 4 base-36 digits of the seed + `_`) is what tells the run's
 * accounts and nicknames from everyone else's on a live target; only ASCII letters, digits and `_`
 * are used, so every profile accepts them (VAL-USERNAME, VAL-PATHCHARS).
 */
export class NameSource {
  readonly prefix: string;
  private counter = 0;

  constructor(seed: number) {
    this.prefix = `nc${(seed >>> 0).toString(36).slice(-4).padStart(4, '0')}_`;
  }

  /** A fresh name of at most 32 characters. */
  make(base = 'u'): string {
    this.counter += 1;
    const clean = base.replace(/[^A-Za-z0-9_]/g, '').slice(0, 18) || 'u';
    return `${this.prefix}${clean}${this.counter.toString(36)}`.slice(0, 32);
  }

  isRunName(name: string): boolean {
    return name.toLowerCase().startsWith(this.prefix);
  }
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function passwordSource(seed: number): () => string {
  const rng = createRng((seed ^ 0x27d4eb2f) >>> 0);
  return () => Array.from({ length: 20 }, () => ALNUM[Math.floor(rng() * ALNUM.length)]).join('');
}

// --- the run and the check ------------------------------------------------------------------------------

/** What lives for the whole run: the lockstep, names, the control actor, the server-info baseline. */
export class RunContext {
  /** The check in progress (failures cite its rules). */
  check: { id: string; rules: string[] } = { id: '', rules: [] };
  control!: HarnessActor;
  readonly password: () => string;
  /** How long `expectClosed` waits (longer in checks that wait for the target's timers). */
  closeWaitMs: number;

  constructor(
    readonly lockstep: Lockstep,
    readonly names: NameSource,
    readonly settings: {
      profile: Profile;
      match: MatchMode;
      timeoutMs: number;
      adminUsername: string;
      adminPassword: string;
      target: { host: string; port: number };
    },
    seed: number,
    /** Server info every check starts from (the pre-run one with the run's raised limit). */
    public serverBaseline: State['serverInfo'],
  ) {
    this.password = passwordSource(seed);
    this.closeWaitMs = settings.timeoutMs;
  }

  /**
   * Makes sure the control connection is up (a check may have closed it, e.g. by a second Login),
   * reopening it in lockstep when needed.
   */
  async ensureControl(): Promise<void> {
    const hc = this.control.hc;
    if (this.lockstep.isOpen(hc) && this.lockstep.phaseOf(hc) === 'auth') return;
    const fresh = await this.lockstep.open('admin');
    const actor = new HarnessActor(this, 'admin', fresh, {
      username: this.settings.adminUsername,
      password: this.settings.adminPassword,
      nickname: this.settings.adminUsername,
    });
    await setupStep(this, actor, 'Handshake', { version: this.lockstep.model().config.protocolVersion }, 'handshake of the control connection');
    await setupStep(this, actor, 'Login', actor.loginBody(), 'login of the control connection');
    this.control = actor;
  }
}

/** The `CheckContext` of one check, and what its cleanup must undo. */
export class CheckEnv implements CheckContext {
  readonly actors: HarnessActor[] = [];
  readonly createdNames = new Set<string>();
  guestOriginal: { enabled: boolean; permissions: string[] } | null = null;

  constructor(
    readonly run: RunContext,
    readonly def: CheckDef,
  ) {}

  get profile(): Profile {
    return this.run.settings.profile;
  }
  get match(): MatchMode {
    return this.run.settings.match;
  }
  get admin(): Actor {
    return this.run.control;
  }
  model(): Readonly<State> {
    return this.run.lockstep.model();
  }
  name(base?: string): string {
    return this.run.names.make(base);
  }
  created(username: string): void {
    this.createdNames.add(username);
  }
  assert(condition: unknown, rule: string, message: string): void {
    if (!condition) throw new CheckFailure([{ rule, sent: '(assertion)', expected: message, actual: 'it does not hold' }]);
  }
  skip(reason: string): never {
    throw new SkipCheck(reason);
  }
  plaintextProbe(bytes: Uint8Array | string): Promise<PlaintextProbeResult> {
    const { host, port } = this.run.settings.target;
    return plaintextProbe(host, port, bytes, this.run.settings.timeoutMs);
  }

  async connect(state: 'new' | 'shaken' = 'new', name?: string): Promise<Actor> {
    const label = name ?? `conn${this.actors.length + 1}`;
    const hc = await this.run.lockstep.open(label);
    const actor = new HarnessActor(this.run, label, hc, { username: '', password: '', nickname: '' });
    this.actors.push(actor);
    if (state === 'shaken' && this.run.lockstep.isOpen(hc)) {
      await setupStep(this.run, actor, 'Handshake', { version: this.model().config.protocolVersion }, 'handshake');
    }
    return actor;
  }

  /** Round trips on every authenticated connection of the check: nothing unexplained may be pending. */
  async finalBarriers(): Promise<void> {
    const lockstep = this.run.lockstep;
    const hcs = [...this.actors.map((a) => a.hc), this.run.control.hc];
    for (const hc of new Set(hcs)) {
      if (!lockstep.isOpen(hc) || lockstep.isRemoved(hc)) continue;
      if (lockstep.phaseOf(hc) !== 'auth') continue;
      await lockstep.barrier(hc);
    }
  }

  /**
   * Undoes the check in lockstep (so the target's cleanup is checked too): closes its connections,
   * restores the guest account, deletes the run's accounts, restores the server info.
   */
  async cleanup(): Promise<void> {
    const lockstep = this.run.lockstep;
    for (const a of this.actors) {
      if (a.hc !== this.run.control.hc && lockstep.isTracked(a.hc)) await lockstep.closeFromClient(a.hc);
    }
    await this.run.ensureControl();
    const control = this.run.control;
    if (this.guestOriginal) {
      const guest = lockstep.model().accounts[GUEST_USERNAME];
      const want = this.guestOriginal;
      if (guest) {
        const update: Record<string, unknown> = { username: GUEST_USERNAME };
        if (guest.enabled !== want.enabled) update.requested_enabled = want.enabled;
        if (!sameSet(guest.permissions, want.permissions)) update.requested_permissions = want.permissions;
        if (Object.keys(update).length > 1) await setupStep(this.run, control, 'UserUpdate', update, 'restore the guest account');
      }
    }
    const created = new Set([...this.createdNames].map(nameKey));
    for (const [key, account] of Object.entries(lockstep.model().accounts)) {
      if (key === GUEST_USERNAME || key === nameKey(this.run.settings.adminUsername)) continue;
      if (!this.run.names.isRunName(account.username) && !created.has(key)) continue;
      await setupStep(this.run, control, 'UserDelete', { username: account.username }, `delete ${account.username}`);
    }
    const now = lockstep.model().serverInfo;
    const want = this.run.serverBaseline;
    const update: Record<string, unknown> = {};
    for (const k of ['name', 'description', 'image', 'max_connections_per_ip', 'max_transfers_per_ip'] as const) {
      if (now[k] !== want[k]) update[k] = want[k];
    }
    if (Object.keys(update).length > 0) await setupStep(this.run, control, 'ServerInfoUpdate', update, 'restore the server info');
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
}

/** A request the runner makes for the check (setup, cleanup) that must succeed. */
async function setupStep(run: RunContext, actor: HarnessActor, type: ClientType, body: Record<string, unknown>, what: string): Promise<Answer> {
  const answer = await run.lockstep.request(actor.hc, type, body);
  const m = answer.observed?.message;
  if (!m || m.body.success !== true) {
    const rule = run.check.rules[0] ?? 'GEN-3';
    const sentBody = { type, ...body };
    throw new CheckFailure([
      {
        rule,
        sent: renderMessage({ type, id: answer.id, body: sentBody }),
        expected: `${what}: ${type}Response {success:true} (runner setup)`,
        actual: m ? renderMessage(m) : 'nothing',
        actor: actor.name,
      },
    ]);
  }
  return answer;
}

// --- actors -------------------------------------------------------------------------------------------

interface Credentials {
  username: string;
  password: string;
  nickname: string;
  isShared?: boolean;
  locale?: string;
  avatar?: string;
  features?: string[];
}

export class HarnessActor implements Actor {
  constructor(
    readonly run: RunContext,
    readonly name: string,
    readonly hc: HarnessConn,
    private readonly creds: Credentials,
  ) {}

  get username(): string {
    return this.creds.username;
  }
  get nickname(): string {
    return this.creds.nickname;
  }
  get password(): string {
    return this.creds.password;
  }
  get sessionId(): number | undefined {
    return this.run.lockstep.sessionOf(this.hc);
  }
  get connected(): boolean {
    return this.run.lockstep.isOpen(this.hc) && this.run.lockstep.phaseOf(this.hc) !== undefined;
  }

  /** The Login this actor makes by default: its credentials, locale "en" unless its spec says otherwise. */
  loginBody(): Record<string, unknown> {
    const body: Record<string, unknown> = {
      username: this.creds.username,
      password: this.creds.password,
      features: this.creds.features ?? ['chat'],
      locale: this.creds.locale ?? 'en',
    };
    if (this.creds.avatar !== undefined) body.avatar = this.creds.avatar;
    if (this.creds.isShared) body.nickname = this.creds.nickname;
    return body;
  }

  request(type: ClientType, body: Record<string, unknown> = {}): Reply {
    return makeReply(this, type, body, () => this.run.lockstep.request(this.hc, type, body));
  }

  async pipeline(requests: Array<{ type: ClientType; body?: Record<string, unknown> }>): Promise<Array<Observed | null>> {
    const items: Outgoing[] = requests.map((r) => ({ kind: 'message', type: r.type, body: r.body ?? {} }));
    const answers = await this.run.lockstep.exchange(this.hc, items);
    return answers.map((a) => this.observed(a.observed));
  }

  async sendRaw(bytes: Uint8Array | string): Promise<void> {
    await this.run.lockstep.exchange(this.hc, [{ kind: 'raw', bytes }]);
  }

  handshake(version?: string): Reply {
    const body = { version: version ?? this.run.lockstep.model().config.protocolVersion };
    return this.request('Handshake', body);
  }

  login(body?: Record<string, unknown>): Reply {
    return this.request('Login', body ?? this.loginBody());
  }

  async expectConnected(): Promise<void> {
    const lockstep = this.run.lockstep;
    if (lockstep.isOpen(this.hc)) {
      const phase = lockstep.phaseOf(this.hc);
      // A causal barrier needs a session (USR-INFO-2 answers without side effects only then); before
      // login every request has an effect, so only the arrivals so far can be checked.
      if (phase === 'auth' || phase === 'removed') await lockstep.barrier(this.hc);
      else await lockstep.exchange(this.hc, []);
    }
    if (!lockstep.isOpen(this.hc)) {
      throw new CheckFailure([this.failure('the connection stays open', `closed (${lockstep.closeReason(this.hc)})`, '(round trip)')]);
    }
  }

  async expectClosed(): Promise<void> {
    await this.run.lockstep.awaitClose(this.hc, this.run.closeWaitMs);
  }

  async close(): Promise<void> {
    await this.run.lockstep.closeFromClient(this.hc);
  }

  observed(r: Received | null): Observed | null {
    if (!r?.message) return null;
    return {
      type: r.message.type,
      id: r.message.id,
      body: this.run.lockstep.toModelIds(r.message.body),
    };
  }

  failure(expected: string, actual: string, sent: string): Failure {
    return { rule: this.run.check.rules[0] ?? 'GEN-3', sent, expected, actual, actor: this.name };
  }
}

/**
 * A Reply runs eagerly (the request is on its way when `request` returns) and never leaves an
 * unhandled rejection behind, whether or not the scenario awaits it.
 */
function makeReply(actor: HarnessActor, type: string, body: Record<string, unknown>, run: () => Promise<Answer>): Reply {
  const answer = run();
  answer.catch(() => {});
  const observed = answer.then((a) => actor.observed(a.observed));
  observed.catch(() => {});
  const sentOf = (a: Answer): string => renderMessage({ type, id: a.id, body: { type, ...body } });
  const shown = (a: Answer): string => (a.observed?.message ? renderMessage(a.observed.message) : a.closedInstead ? 'connection closed' : 'nothing');
  const predictedText = (a: Answer): string =>
    a.predicted?.error ? `the model predicts ${a.predicted.error.key}` : a.predicted ? `the model predicts ${a.predicted.message.type}` : 'the model predicts no answer';

  return {
    then: (onFulfilled, onRejected) => observed.then(onFulfilled, onRejected),
    async expectSuccess(): Promise<Observed> {
      const a = await answer;
      const o = actor.observed(a.observed);
      const ok = o !== null && o.type === (`${type}Response` as ServerType) && o.body.success === true;
      if (!ok || a.predicted?.error) {
        throw new CheckFailure([actor.failure(`${type}Response {success:true} (${predictedText(a)})`, shown(a), sentOf(a))]);
      }
      return o;
    },
    async expectError(key: ErrorKey): Promise<Observed> {
      const a = await answer;
      const o = actor.observed(a.observed);
      const predicted = a.predicted?.error;
      if (o === null) {
        // SES-KICK-3: a removed session's socket may be closed instead of answering E-AUTHENTICATION.
        if (a.closedInstead && key === 'E-AUTHENTICATION') return { type: 'Error', id: a.id, body: {} };
        throw new CheckFailure([actor.failure(`${key} (${predictedText(a)})`, shown(a), sentOf(a))]);
      }
      const text = o.type === 'Error' ? o.body.message : o.body.error;
      const { profile, match } = actor.run.settings;
      const carries =
        typeof text === 'string' &&
        (predicted?.key === key ? errorMatches(text, key, predicted.params, profile, match) : classifyError(text).includes(key));
      if (!carries || predicted?.key !== key) {
        const why = predicted?.key !== key ? `${predictedText(a)}, the check expects ${key}` : `error ${key} (${match} match)`;
        throw new CheckFailure([actor.failure(why, shown(a), sentOf(a))]);
      }
      return o;
    },
  };
}

// --- building the declared actors -----------------------------------------------------------------------

async function openLoggedIn(env: CheckEnv, name: string, creds: Credentials, login: boolean): Promise<HarnessActor> {
  const run = env.run;
  const hc = await run.lockstep.open(name);
  const actor = new HarnessActor(run, name, hc, creds);
  env.actors.push(actor);
  await setupStep(run, actor, 'Handshake', { version: run.lockstep.model().config.protocolVersion }, 'handshake');
  if (login) await setupStep(run, actor, 'Login', actor.loginBody(), `login of ${name}`);
  return actor;
}

async function createAccount(
  env: CheckEnv,
  a: { username: string; password: string; isAdmin: boolean; isShared: boolean; enabled: boolean; permissions: string[] },
): Promise<void> {
  const body: Record<string, unknown> = {
    username: a.username,
    password: a.password,
    is_admin: a.isAdmin,
    enabled: a.enabled,
    permissions: a.permissions,
  };
  if (a.isShared) body.is_shared = true;
  await setupStep(env.run, env.run.control, 'UserCreate', body, `create account ${a.username}`);
}

/** The guest account, enabled (and with the requested permissions) for this check; restored by cleanup. */
async function prepareGuest(env: CheckEnv, permissions: string[] | undefined): Promise<void> {
  const lockstep = env.run.lockstep;
  const guest = lockstep.model().accounts[GUEST_USERNAME];
  if (!guest) env.skip('the target has no guest account');
  env.guestOriginal ??= { enabled: guest.enabled, permissions: [...guest.permissions] };
  const update: Record<string, unknown> = { username: GUEST_USERNAME };
  if (!guest.enabled) update.requested_enabled = true;
  if (permissions && !sameSet(permissions, guest.permissions)) update.requested_permissions = permissions;
  if (Object.keys(update).length > 1) await setupStep(env.run, env.run.control, 'UserUpdate', update, 'prepare the guest account');
}

/** Builds every declared actor, in declaration order (sessionOf refers to earlier ones). */
export async function buildActors(specs: Record<string, ActorSpec>, env: CheckEnv): Promise<Record<string, HarnessActor>> {
  const run = env.run;
  const built: Record<string, HarnessActor> = {};
  for (const [name, spec] of Object.entries(specs)) {
    switch (spec.kind) {
      case 'user': {
        const username = run.names.make(spec.name ?? name);
        const password = run.password();
        const enabled = spec.enabled ?? true;
        await createAccount(env, {
          username,
          password,
          isAdmin: spec.admin === true,
          isShared: false,
          enabled,
          permissions: spec.permissions ?? [],
        });
        const creds: Credentials = { username, password, nickname: username };
        if (spec.locale !== undefined) creds.locale = spec.locale;
        if (spec.avatar !== undefined) creds.avatar = spec.avatar;
        if (spec.features !== undefined) creds.features = spec.features;
        built[name] = await openLoggedIn(env, name, creds, (spec.login ?? true) && enabled);
        break;
      }
      case 'shared': {
        const username = run.names.make(spec.name ?? name);
        const password = run.password();
        await createAccount(env, { username, password, isAdmin: false, isShared: true, enabled: true, permissions: spec.permissions ?? [] });
        const nickname = run.names.make(spec.nickname ?? name);
        built[name] = await openLoggedIn(env, name, { username, password, nickname, isShared: true }, spec.login ?? true);
        break;
      }
      case 'sessionOf': {
        const of = built[spec.of];
        if (!of) throw new Error(`actor ${name}: sessionOf(${JSON.stringify(spec.of)}) must name an actor declared before it`);
        const account = run.lockstep.model().accounts[nameKey(of.username)];
        const isShared = account?.isShared === true;
        const creds: Credentials = {
          username: of.username,
          password: of.password,
          nickname: isShared ? run.names.make(spec.nickname ?? name) : of.username,
          isShared,
        };
        if (spec.locale !== undefined) creds.locale = spec.locale;
        if (spec.avatar !== undefined) creds.avatar = spec.avatar;
        if (spec.features !== undefined) creds.features = spec.features;
        built[name] = await openLoggedIn(env, name, creds, true);
        break;
      }
      case 'guest': {
        await prepareGuest(env, spec.permissions);
        const nickname = run.names.make(spec.nickname ?? name);
        built[name] = await openLoggedIn(env, name, { username: GUEST_USERNAME, password: '', nickname, isShared: true }, true);
        break;
      }
      case 'connection': {
        const hc = await run.lockstep.open(name);
        const actor = new HarnessActor(run, name, hc, { username: '', password: '', nickname: '' });
        env.actors.push(actor);
        if (spec.state === 'shaken') {
          await setupStep(run, actor, 'Handshake', { version: run.lockstep.model().config.protocolVersion }, 'handshake');
        }
        built[name] = actor;
        break;
      }
    }
  }
  return built;
}

/** How many connections a check opens at most (actors, the control connection, one spare for `t.connect`). */
export function connectionsNeeded(def: CheckDef): number {
  return Object.keys(def.actors ?? {}).length + 2;
}
