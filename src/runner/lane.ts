// One lane of a run: a lockstep mirror of the target with its own control connection, run-prefixed
// names and transcript recorder, running checks one after another. `runCheck` runs one check in
// lockstep and turns whatever it throws into a result, resyncing after a failure so failures never
// cascade. A run has one lane (`--jobs 1`) or several side by side (schedule.ts): each lane sees the
// others' sessions exactly as it sees strangers on a live target (strangers.ts), so nothing here
// knows about the others. What the lanes share — the pre-run snapshot, the findings, the run's stop
// reason — lives in the session (session.ts).
import type { Logger } from 'pino';
import { GUEST_USERNAME, nameKey, stateFromSnapshot } from '../model/index.ts';
import type { ServerInfo, State } from '../model/index.ts';
import type { CheckDef, Section } from './api.ts';
import type { CheckResult, TrafficStats } from './results.ts';
import { buildActors, CheckEnv, HarnessActor, NameSource, RunContext } from './actors.ts';
import { isRunFamily } from './names.ts';
import { CheckFailure, SkipCheck, STOPPED } from './failures.ts';
import { Lockstep, LockstepMismatch, RunAborted, type AbsentOutputs, type OutputKind, type TrafficEvent } from './lockstep.ts';
import type { Findings } from './preflight.ts';
import type { AdminCredentials, ControlConnection, ControlSocket, Snapshot, TargetOptions } from './target.ts';
import { RawExchangeError } from './target.ts';
import { nowSeconds } from './clock.ts';
import { isSlow, resultBase, skippedResult, summarise, whySkipped } from './check-plan.ts';
import { NetError } from '../net/connection.ts';
import { resyncTarget, type CleanupScope } from './cleanup.ts';
import { TranscriptRecorder } from './transcript.ts';
import type { MatchMode, Profile } from '../protocol/types.ts';

/** How long `expectClosed` waits in a slow check: the 60 s frame deadline, its 5 s grace, slack. */
const SLOW_CLOSE_WAIT_MS = 75_000;

/**
 * Requests whose effect or answer spans every session of the target (ADM-SINFO-10, CM-3): a check
 * that sends one must run alone. A lane running beside others treats one as the harness's own bug.
 */
const SERVER_WIDE_REQUESTS: ReadonlySet<string> = new Set(['ServerInfoUpdate', 'ConnectionMonitor']);

/**
 * The server-wide request a written frame is, or null. Raw writes (sendRaw) are not judged: most
 * never reach a handler (malformed, over a limit); one that does and changes server info makes its
 * ServerInfoUpdated reach the other lanes, which fail on that unpredicted frame.
 */
function serverWideRequest(e: TrafficEvent): string | null {
  return e.type !== undefined && SERVER_WIDE_REQUESTS.has(e.type) ? e.type : null;
}

/** Requests with a `username` member (and `requested_username`). */
const NAMING_REQUESTS: ReadonlySet<string> = new Set(['Login', 'UserCreate', 'UserEdit', 'UserUpdate', 'UserDelete']);

/**
 * The request a written frame is when it names the one guest account — an account request's
 * `username` or `requested_username` in any casing (GUEST-1), a Login as "" or "guest" (SES-GUEST-1)
 * — or null. Its answer shows the guest's state, which the guest lane changes (schedule.ts): beside
 * that lane such a check is the harness's own bug. Raw writes are not judged (as above).
 */
function guestRequest(e: TrafficEvent): string | null {
  if (e.type === undefined || !NAMING_REQUESTS.has(e.type)) return null;
  const body = e.body;
  if (body === undefined) return null;
  const isGuest = (v: unknown): boolean => typeof v === 'string' && nameKey(v) === GUEST_USERNAME;
  if (e.type === 'Login' && (body.username === '' || isGuest(body.username))) return 'Login as the guest';
  if (isGuest(body.username) || isGuest(body.requested_username)) return `${e.type} naming the guest account`;
  return null;
}

/** What every lane of a run shares: the settings, the target, the pre-run snapshot, the stop reason. */
export interface LaneHost {
  readonly settings: {
    target: { host: string; port: number; fingerprint?: string };
    admin: AdminCredentials;
    profile: Profile;
    match: MatchMode;
    timeoutMs: number;
    seed: number;
    slow?: boolean;
    signal?: AbortSignal;
    logger?: Logger;
  };
  readonly targetOpts: TargetOptions;
  readonly initial: Snapshot;
  /** Server info every check starts from (the snapshot's, with the run's raised limit). */
  readonly working: ServerInfo;
  readonly fresh: boolean;
  readonly transport: 'tls' | 'plain';
  readonly findings: Findings;
  /** Set once the run cannot go on (interrupt, target gone): later checks of every lane are skipped with it. */
  stopped: string | null;
  /** Output kinds presumed absent, shared by the run's lanes (absent: never presumed). */
  readonly absent?: AbsentOutputs | undefined;
  /** Accounts checks created under names of their own (t.created), for the final sweep. */
  readonly createdByChecks: Set<string>;
}

/** Lane k's seed: lane 0 uses the run's seed; the others derive theirs from it (a repeated seed repeats them). */
export function laneSeed(seed: number, lane: number): number {
  return lane === 0 ? seed : (seed ^ Math.imul(lane, 0x9e3779b9)) >>> 0;
}

export class Lane {
  readonly names: NameSource;
  readonly lockstep: Lockstep;
  private readonly run: RunContext;
  /** Hears the check's traffic, for the transcript of a failed check. */
  private readonly recorder = new TranscriptRecorder();
  private readonly seed: number;
  /**
   * Set while the lane runs beside other lanes (schedule.ts). A check that then sends a
   * server-wide request was planned wrongly (check-plan.ts `sharedState`): it fails as a harness bug.
   */
  concurrent = false;
  /**
   * Set while the guest lane runs beside this one (schedule.ts): a resync after a failed check
   * leaves the guest account as it is — a guest check may be using it — and the guest lane, the
   * only one that changes it, restores it itself.
   */
  leavesGuest = false;
  /**
   * What the check in progress sent that its lane may not: a server-wide request while
   * `concurrent`, a request naming the guest while `leavesGuest`. Reported as the harness's bug.
   */
  private misplaced: string | null = null;
  /** See presumedInLastCheck. */
  private presumed: readonly OutputKind[] = [];

  /**
   * A lane over a logged-in control connection, its mirror seeded from `snapshot` (read over that
   * connection) with `serverInfo`. `onTraffic` hears every frame of the lane's connections.
   */
  constructor(
    private readonly host: LaneHost,
    readonly index: number,
    /** The lane's own admin account (lane 0: the run's; lane k: one the run created for it). */
    readonly admin: AdminCredentials,
    control: ControlConnection | null,
    snapshot: Snapshot,
    serverInfo: ServerInfo,
    onTraffic?: (e: TrafficEvent) => void,
  ) {
    const s = host.settings;
    this.seed = laneSeed(s.seed, index);
    this.names = new NameSource(s.seed, index);
    const names = this.names;
    const family = isRunFamily(s.seed);
    const transport = control?.conn.transport ?? host.transport;
    this.lockstep = new Lockstep(
      {
        profile: s.profile,
        match: s.match,
        timeoutMs: s.timeoutMs,
        target: {
          host: s.target.host,
          port: s.target.port,
          transport,
          ...(s.target.fingerprint !== undefined ? { fingerprint: s.target.fingerprint } : {}),
        },
        isRunName: (n) => names.isRunName(n),
        isSiblingName: (n) => family(n) && !names.isRunName(n),
        adminUsername: admin.username,
        seed: this.seed,
        ...(host.absent ? { absent: host.absent } : {}),
        ...(s.signal ? { signal: s.signal } : {}),
        ...(s.logger ? { logger: s.logger } : {}),
        onTraffic: this.recorder.tap((e) => {
          if (e.dir === 'sent') this.misplaced ??= this.misplacedRequest(e);
          onTraffic?.(e);
        }),
      },
      control ? this.seedModel(control, snapshot, serverInfo) : this.emptyModel(snapshot),
    );
    this.run = new RunContext(
      this.lockstep,
      names,
      {
        profile: s.profile,
        match: s.match,
        timeoutMs: s.timeoutMs,
        adminUsername: admin.username,
        adminPassword: admin.password,
        target: { host: s.target.host, port: s.target.port },
      },
      this.seed,
      serverInfo,
    );
    if (control) this.attachControl(control);
  }

  /** Round trips and connections so far (the runner's counters). */
  get stats(): TrafficStats {
    return this.lockstep.stats;
  }

  /**
   * The output kinds whose presumed absence failed the last check this lane ran, when every
   * failure of it rests on one (its verdict stands only if none of them arrives later in the run:
   * schedule.ts runs it again otherwise); empty otherwise.
   */
  presumedInLastCheck(): readonly OutputKind[] {
    return this.presumed;
  }

  /** Runs one check; never throws: a failure, a skip or an interrupt is the result's status. */
  async runCheck(section: Section, check: CheckDef): Promise<CheckResult> {
    const { host } = this;
    const s = host.settings;
    if (host.stopped === null && s.signal?.aborted) host.stopped = 'run interrupted';
    const facts = { profile: s.profile, transport: host.transport, fresh: host.fresh, slow: s.slow === true, stopped: host.stopped };
    const skip = whySkipped(check, facts);
    if (skip !== null) return skippedResult(section, check, skip);
    const slow = isSlow(check);

    const { lockstep, run } = this;
    const started = Date.now();
    const roundTrips0 = lockstep.stats.roundTrips;
    const id = `${section.id}/${check.id}`;
    run.check = { id, rules: check.rules };
    // WIRE-TMO-4: slow checks wait for the target's own deadlines (30 s idle, 60 s frame, + 5 s).
    lockstep.beginCheck(check.rules, { serverTimeouts: slow });
    run.closeWaitMs = slow ? Math.max(s.timeoutMs, SLOW_CLOSE_WAIT_MS) : s.timeoutMs;
    const env = new CheckEnv(run, check);
    this.misplaced = null;
    this.recorder.start();
    let skipReason: string | null = null;
    let interrupted = false;
    const absorb = (e: unknown, during: string): void => {
      if (e instanceof SkipCheck) skipReason = e.reason;
      else if (e instanceof RunAborted) interrupted = true;
      else if (e instanceof LockstepMismatch)
        return; // already in the record
      else if (e instanceof CheckFailure) lockstep.report(...e.failures);
      else lockstep.report(this.unexpected(e, check, during));
    };

    try {
      await run.ensureControl();
      const actors = await buildActors(check.actors ?? {}, env);
      await check.run(actors, env);
      await env.finalBarriers();
    } catch (e) {
      absorb(e, 'run');
    }
    if (!interrupted && lockstep.failures.length === 0) {
      try {
        await env.cleanup();
      } catch (e) {
        absorb(e, 'cleanup');
      }
    }
    if (this.misplaced !== null) lockstep.report(this.unexpected(new Error(this.misplaced), check, 'run'));
    for (const n of env.createdNames) host.createdByChecks.add(n);
    // The check's own traffic, without the resync that follows a failure.
    const transcript = this.recorder.stop();
    if (!interrupted && lockstep.failures.length > 0) {
      try {
        await this.resync(env.createdNames);
      } catch (e) {
        host.stopped = `${STOPPED.unavailable}: ${(e as Error).message}`;
        lockstep.report({
          rule: check.rules[0] ?? 'GEN-3',
          sent: '(resync after the failure)',
          expected: ['the target can be read again'],
          actual: host.stopped,
        });
      }
    }
    if (interrupted) host.stopped = 'run interrupted';

    const failures = lockstep.failures;
    // Only a check whose every failure rests on a presumption waits for the end of the plan.
    const presumed = lockstep.presumedAbsent;
    this.presumed = failures.length > 0 && presumed.failures === failures.length ? presumed.kinds : [];
    const result: CheckResult = {
      ...resultBase(section, check),
      status: failures.length > 0 ? 'failed' : skipReason !== null || interrupted ? 'skipped' : 'passed',
      failures,
      durationMs: Date.now() - started,
      roundTrips: lockstep.stats.roundTrips - roundTrips0,
    };
    if (failures.length > 0) {
      result.message = summarise(failures);
      result.transcript = transcript();
    } else if (skipReason !== null) result.message = skipReason;
    else if (interrupted) result.message = 'run interrupted';
    return result;
  }

  /** Why a frame the lane's check sent may not be sent on this lane now, or null. */
  private misplacedRequest(e: TrafficEvent): string | null {
    const serverWide = this.concurrent ? serverWideRequest(e) : null;
    if (serverWide !== null) {
      return `the check sent ${serverWide} beside other checks (--jobs): it acts on server-wide state, so it must run alone (CheckDef.exclusive)`;
    }
    const guest = this.leavesGuest ? guestRequest(e) : null;
    if (guest !== null) {
      return `the check sent ${guest} beside the guest lane (--jobs): it reads or changes the guest account, so it must run on that lane (declare a guest actor or cite GUEST-1)`;
    }
    return null;
  }

  /** The control connection's socket and what it saw, while it is up (the per-IP limit is restored over it first). */
  controlConn(): ControlSocket | null {
    const conn = this.run.control?.hc.conn;
    const watch = this.run.controlInfo;
    return conn && watch ? { conn, serverInfoWatch: watch } : null;
  }

  /** Drops every connection of the lane (its control too): the lane is done. */
  async close(): Promise<void> {
    for (const hc of this.lockstep.harnessConnections()) await this.lockstep.discard(hc);
  }

  /**
   * What the cleanup outside the model works with, for this lane's mirror and names (never its own
   * admin account, which lives as long as the lane).
   */
  cleanupScope(
    isRunName: (name: string) => boolean = (n) => this.names.isRunName(n) && nameKey(n) !== nameKey(this.admin.username),
  ): CleanupScope {
    const { host } = this;
    return {
      target: host.targetOpts,
      admin: this.admin,
      profile: host.settings.profile,
      timeoutMs: host.settings.timeoutMs,
      logger: host.settings.logger,
      isRunName,
      shortName: () => this.names.make('del'),
      initial: host.initial,
      findings: host.findings,
      lockstep: this.lockstep,
      ...(this.leavesGuest ? { leave: new Set([GUEST_USERNAME]) } : {}),
    };
  }

  /**
   * What the target did (a raw exchange it failed, a connection it dropped) is said in its terms;
   * anything else is the harness's own bug, said as such with the seed to repeat it.
   */
  private unexpected(e: unknown, check: CheckDef, during: string) {
    const err = e as Error;
    const byTarget = e instanceof RawExchangeError || e instanceof NetError;
    if (!byTarget) this.host.settings.logger?.error({ err, check: this.run.check.id }, 'internal error');
    return {
      rule: check.rules[0] ?? 'GEN-3',
      sent: `(${during})`,
      expected: [`the check ${during === 'run' ? 'runs' : 'cleans up'} to completion`],
      actual: byTarget
        ? (err.message.split('\n')[0] ?? '')
        : `internal error in the harness: ${err?.message?.split('\n')[0] ?? String(e)} (repeat with --seed ${this.host.settings.seed}; NEXUS_CONFORM_DEBUG=1 logs the stack)`,
    };
  }

  private attachControl(c: ControlConnection): void {
    const { admin } = this;
    const hc = this.lockstep.adopt('admin', c.conn);
    this.run.controlInfo = c.serverInfoWatch;
    this.lockstep.attachSession(hc, c.login.sessionId, c.login.locale);
    this.run.control = new HarnessActor(this.run, 'admin', hc, {
      username: admin.username,
      password: admin.password,
      nickname: admin.username,
    });
  }

  /** After a failed check: clean up outside the model, then read the target again (no cascading). */
  private async resync(createdNames: Iterable<string>): Promise<void> {
    const { control, snapshot } = await resyncTarget(this.cleanupScope(), this.controlConn(), this.host.working, createdNames);
    this.lockstep.reset(this.seedModel(control, snapshot, control.login.serverInfo));
    this.attachControl(control);
  }

  private seedModel(c: ControlConnection, snap: Snapshot, serverInfo: ServerInfo): State {
    const config = {
      profile: this.host.settings.profile,
      protocolVersion: c.login.protocolVersion,
      softwareVersion: c.login.serverInfo.version,
    };
    return stateFromSnapshot(config, { ...snap, serverInfo }, { idSeed: this.seed, now: nowSeconds() });
  }

  /** The mirror of a lane that never had an admin session (SES-AUTH-2 broken): no check runs on it. */
  private emptyModel(snap: Snapshot): State {
    return stateFromSnapshot({ profile: this.host.settings.profile, protocolVersion: '', softwareVersion: '' }, snap, {
      idSeed: this.seed,
      now: nowSeconds(),
    });
  }
}
