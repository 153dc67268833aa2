// Actors: the declared participants of a check, built by the runner (build-actors.ts) and driven
// by the scenario through the `Actor` interface of api.ts (harness-actor.ts). Every byte goes
// through the lockstep, so the scenario only states the rule its title promises (expectSuccess /
// expectError); the runner checks everything else. This module holds what lives for the whole run
// (RunContext) and for one check (CheckEnv, the CheckContext of api.ts, with its cleanup).
import { GUEST_USERNAME, nameKey, sameSet } from '../model/index.ts';
import type { State } from '../model/index.ts';
import type { MatchMode, Profile } from '../protocol/types.ts';
import { plaintextProbe, type PlaintextProbeResult } from '../net/plaintext-probe.ts';
import type { Actor, CheckContext, CheckDef, Observed } from './api.ts';
import { bodyFailures, valueFailure } from './expect.ts';
import { CheckFailure, SkipCheck } from './failures.ts';
import { HarnessActor, setupStep } from './harness-actor.ts';
import type { Lockstep } from './lockstep.ts';
import { passwordSource, type NameSource } from './names.ts';
import { ServerInfoWatch } from './server-info-watch.ts';
import { deleteRequests } from './deletion.ts';

export { buildActors, connectionsNeeded } from './build-actors.ts';
export { HarnessActor } from './harness-actor.ts';
export { NameSource, passwordSource } from './names.ts';

// --- the run and the check ------------------------------------------------------------------------------

/** What lives for the whole run: the lockstep, names, the control actor, the server-info baseline. */
export class RunContext {
  /** The check in progress (failures cite its rules). */
  check: { id: string; rules: string[] } = { id: '', rules: [] };
  control!: HarnessActor;
  /** The server info as last seen on the control connection (set with `control`; restore.ts reads it). */
  controlInfo: ServerInfoWatch | null = null;
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
    // Watched before its Login is written: the guard reads the limit it last saw (restore.ts).
    const watch = fresh.conn ? ServerInfoWatch.start(fresh.conn) : null;
    const actor = new HarnessActor(this, 'admin', fresh, {
      username: this.settings.adminUsername,
      password: this.settings.adminPassword,
      nickname: this.settings.adminUsername,
    });
    await setupStep(
      this,
      actor,
      'Handshake',
      { version: this.lockstep.model().config.protocolVersion },
      'handshake of the control connection',
    );
    await setupStep(this, actor, 'Login', actor.loginBody(), 'login of the control connection');
    this.control = actor;
    this.controlInfo = watch;
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
  expectBody(
    observed: Observed | Record<string, unknown> | null | undefined,
    pattern: Record<string, unknown>,
    rule: string,
    what?: string,
  ): void {
    const failures = bodyFailures(observed, pattern, rule, what);
    if (failures.length > 0) throw new CheckFailure(failures);
  }
  expectEqual(actual: unknown, expected: unknown, rule: string, what: string): void {
    const failure = valueFailure(actual, expected, rule, what);
    if (failure) throw new CheckFailure([failure]);
  }
  assert(condition: unknown, rule: string, message: string): void {
    if (!condition) throw new CheckFailure([{ rule, sent: '(assertion)', expected: [message], actual: 'it does not hold' }]);
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
      for (const r of deleteRequests(account.username, this.run.settings.profile, () => this.run.names.make('del'))) {
        await setupStep(this.run, control, r.type, r.body, `delete ${account.username}`);
      }
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
