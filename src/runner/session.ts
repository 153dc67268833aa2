// A run session: one target, one lockstep mirror, any number of checks run on demand, one cleanup.
// `openSession` connects, reads the pre-run snapshot (a fresh target's first login creates the
// admin, SES-AUTH-2) and seeds the model; `runCheck` runs one check in lockstep and turns whatever
// it throws into a result, resyncing after a failure so failures never cascade; `finish` deletes
// what the run created, restores what it changed and compares the target with the snapshot. The
// scripted suite (run.ts), the fuzzers and replay all drive checks through this one path. Its
// pieces live apart: planning a check and its result (check-plan.ts), cleanup outside the model
// (cleanup.ts: keep reachable, resync, final restore).
import type { Logger } from 'pino';
import { stateFromSnapshot } from '../model/index.ts';
import type { ServerInfo } from '../model/index.ts';
import type { MatchMode, Profile } from '../protocol/types.ts';
import type { CheckResult, RunResult } from './results.ts';
import type { CheckDef, Section } from './api.ts';
import { buildActors, CheckEnv, HarnessActor, NameSource, RunContext } from './actors.ts';
import { CheckFailure, SkipCheck, STOPPED } from './failures.ts';
import { BARRIER_REQUEST, Lockstep, LockstepMismatch, RunAborted, type TrafficEvent } from './lockstep.ts';
import { Findings } from './preflight.ts';
import type { AdminCredentials, ControlConnection, Snapshot, TargetOptions } from './target.ts';
import { NotAdminError, openControl, RawExchangeError, rawRequest, readSnapshot, strangersFromOurAddress, wasFresh } from './target.ts';
import { controlIds } from './control.ts';
import { nowSeconds } from './clock.ts';
import { isSlow, resultBase, skippedResult, summarise, whySkipped } from './check-plan.ts';
import type { NexusConnection } from '../net/connection.ts';
import { finalRestore, resyncTarget, type CleanupScope } from './cleanup.ts';
import { NetError } from '../net/connection.ts';
import { TranscriptRecorder } from './transcript.ts';

/** How long `expectClosed` waits in a slow check: the 60 s frame deadline, its 5 s grace, slack. */
const SLOW_CLOSE_WAIT_MS = 75_000;

export interface SessionOptions {
  target: { host: string; port: number; transport: 'auto' | 'tls' | 'plain'; fingerprint?: string; embedded: boolean };
  admin: AdminCredentials;
  profile: Profile;
  match: MatchMode;
  timeoutMs: number;
  seed: number;
  /** The most connections one check opens at once (WIRE-IP-1: the per-IP limit is raised to fit). */
  connectionsNeeded: number;
  /** Also run checks marked `needs.slow` (long timeouts). */
  slow?: boolean;
  /** SIGINT/SIGTERM from the CLI: stop after the current step, then clean up. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Hears every frame of every harness connection (transcripts, traces); passwords are masked. */
  onTraffic?: (e: TrafficEvent) => void;
  /**
   * The harness started the target itself (the embedded server, a test's server), so it was empty:
   * a first login that does not create an admin is a SES-AUTH-2 failure, not a usage error.
   */
  knownFresh?: boolean;
}

export { skippedResult, summarise } from './check-plan.ts';

export class RunSession {
  /** Set once the run cannot go on (interrupt, target gone): later checks are skipped with it. */
  stopped: string | null = null;
  /** Accounts checks created under names of their own (t.created), for the final sweep. */
  private readonly createdByChecks = new Set<string>();
  /** No admin session could be had (SES-AUTH-2 broken): nothing ran, nothing to restore. */
  private noAdmin = false;

  private constructor(
    private readonly opts: SessionOptions,
    private readonly targetOpts: TargetOptions,
    private readonly names: NameSource,
    private readonly initial: Snapshot,
    /** Server info every check starts from (the snapshot's, with the run's raised limit). */
    private readonly working: ServerInfo,
    readonly fresh: boolean,
    readonly transport: 'tls' | 'plain',
    readonly fingerprint: string | undefined,
    private readonly lockstep: Lockstep,
    private readonly run: RunContext,
    /** Hears the check's traffic, for the transcript of a failed check. */
    private readonly recorder: TranscriptRecorder,
    /** What the harness's own bookkeeping found wrong with the target (preflight.ts). */
    readonly findings: Findings,
  ) {}

  /** The bookkeeping findings as failed checks of the `preflight` section (none on a conforming target). */
  preflightResults(): CheckResult[] {
    return this.findings.results();
  }

  /** Lines for the top of the report: requests the target does not answer, each named once. */
  notices(): string[] {
    return this.findings.notices();
  }

  /**
   * Connects, reads the snapshot and seeds the mirror. Throws TargetUnavailableError only when the
   * target cannot be reached, spoken to or logged into as the admin; whatever else its bookkeeping
   * answers get wrong becomes a finding (preflight.ts) and the run goes on with what it could read.
   */
  static async open(opts: SessionOptions): Promise<RunSession> {
    const log = opts.logger;
    const names = new NameSource(opts.seed);
    const targetOpts: TargetOptions = {
      host: opts.target.host,
      port: opts.target.port,
      transport: opts.target.transport,
      timeoutMs: opts.timeoutMs,
    };
    if (opts.target.fingerprint !== undefined) targetOpts.fingerprint = opts.target.fingerprint;
    const findings = new Findings();

    let control: ControlConnection;
    try {
      control = await openControl(targetOpts, opts.admin, {
        findings,
        ids: controlIds(opts.seed),
        ...(opts.knownFresh ? { knownFresh: true } : {}),
      });
    } catch (e) {
      if (e instanceof NotAdminError && e.firstUser) return RunSession.withoutAdmin(opts, targetOpts, names, findings, e.message);
      throw e;
    }
    let initial: Snapshot;
    let fresh: boolean;
    let working: ServerInfo;
    try {
      initial = await readSnapshot(control, opts.admin, opts.timeoutMs, findings);
      fresh = await wasFresh(control, initial, opts.admin, opts.timeoutMs, findings);
      // WIRE-IP-1: the run's own connections plus strangers from our address must fit under the limit.
      const needed = opts.connectionsNeeded + strangersFromOurAddress(initial) + 1;
      working = { ...initial.serverInfo };
      const limit = initial.serverInfo.max_connections_per_ip;
      if (limit > 0 && limit < needed && !findings.missing.has('ServerInfoUpdate')) {
        const body = { max_connections_per_ip: needed };
        let detail: string | null = null;
        try {
          const m = await rawRequest(control.raw, 'ServerInfoUpdate', body, opts.timeoutMs, findings);
          if (m.type !== 'ServerInfoUpdateResponse' || m.body.success !== true) detail = `${m.type} ${JSON.stringify(m.body)}`;
        } catch (e) {
          if (!(e instanceof RawExchangeError)) throw e;
          detail = e.detail;
          findings.notAnswered('ServerInfoUpdate', detail);
        }
        if (detail === null) {
          working.max_connections_per_ip = needed;
          control.login.serverInfo = { ...working };
        } else {
          findings.add('raise-limit', {
            sent: `ServerInfoUpdate ${JSON.stringify(body)}`,
            expected: ['ServerInfoUpdateResponse {success:true}'],
            actual: detail,
          });
        }
      }
      if (!findings.missing.has('UserInfo')) {
        try {
          const m = await rawRequest(control.raw, BARRIER_REQUEST.type, { ...BARRIER_REQUEST.body }, opts.timeoutMs, findings);
          if (m.type !== 'UserInfoResponse')
            findings.answeredWrongly('UserInfo', `answered ${m.type} ${JSON.stringify(m.body.message ?? m.body.error ?? '')}`);
        } catch (e) {
          if (!(e instanceof RawExchangeError)) throw e;
          findings.notAnswered('UserInfo', e.detail);
        }
      }
    } catch (e) {
      await control.conn.close();
      throw e;
    }
    const transport = control.conn.transport;
    log?.info({ target: `${opts.target.host}:${opts.target.port}`, transport, fresh }, 'run starts');

    const recorder = new TranscriptRecorder();
    const lockstepOpts: ConstructorParameters<typeof Lockstep>[0] = {
      profile: opts.profile,
      match: opts.match,
      timeoutMs: opts.timeoutMs,
      target: {
        host: opts.target.host,
        port: opts.target.port,
        transport,
        ...(opts.target.fingerprint !== undefined ? { fingerprint: opts.target.fingerprint } : {}),
      },
      isRunName: (n) => names.isRunName(n),
      adminUsername: opts.admin.username,
      seed: opts.seed,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(log ? { logger: log } : {}),
      onTraffic: recorder.tap(opts.onTraffic),
    };
    const lockstep = new Lockstep(lockstepOpts, seedModel(opts, control, initial, working));
    const run = new RunContext(
      lockstep,
      names,
      {
        profile: opts.profile,
        match: opts.match,
        timeoutMs: opts.timeoutMs,
        adminUsername: opts.admin.username,
        adminPassword: opts.admin.password,
        target: { host: opts.target.host, port: opts.target.port },
      },
      opts.seed,
      working,
    );
    const session = new RunSession(
      opts,
      targetOpts,
      names,
      initial,
      working,
      fresh,
      transport,
      control.conn.fingerprint,
      lockstep,
      run,
      recorder,
      findings,
    );
    session.attachControl(control);
    return session;
  }

  /**
   * SES-AUTH-2 broken: the first login on a fresh target did not create an admin. The harness has
   * no admin session, so no check can run; each is skipped with that reason, the finding is the
   * run's failed check, and there is nothing to restore (no check ran).
   */
  private static withoutAdmin(
    opts: SessionOptions,
    targetOpts: TargetOptions,
    names: NameSource,
    findings: Findings,
    reason: string,
  ): RunSession {
    const snapshot: Snapshot = {
      accounts: [],
      sessions: [],
      serverInfo: {
        name: '',
        description: '',
        version: '',
        transfer_port: 0,
        max_connections_per_ip: 0,
        max_transfers_per_ip: 0,
        image: '',
      },
      ownSessionId: 0,
    };
    const state = stateFromSnapshot({ profile: opts.profile, protocolVersion: '', softwareVersion: '' }, snapshot, {
      idSeed: opts.seed,
      now: nowSeconds(),
    });
    const lockstep = new Lockstep(
      {
        profile: opts.profile,
        match: opts.match,
        timeoutMs: opts.timeoutMs,
        target: { host: targetOpts.host, port: targetOpts.port, transport: 'plain' },
        isRunName: (n) => names.isRunName(n),
        adminUsername: opts.admin.username,
        seed: opts.seed,
      },
      state,
    );
    const run = new RunContext(
      lockstep,
      names,
      {
        profile: opts.profile,
        match: opts.match,
        timeoutMs: opts.timeoutMs,
        adminUsername: opts.admin.username,
        adminPassword: opts.admin.password,
        target: { host: targetOpts.host, port: targetOpts.port },
      },
      opts.seed,
      snapshot.serverInfo,
    );
    const transport = targetOpts.transport === 'tls' ? 'tls' : 'plain';
    const session = new RunSession(
      opts,
      targetOpts,
      names,
      snapshot,
      snapshot.serverInfo,
      true,
      transport,
      undefined,
      lockstep,
      run,
      new TranscriptRecorder(),
      findings,
    );
    session.stopped = `${STOPPED.noAdmin}: ${reason}`;
    session.noAdmin = true;
    return session;
  }

  /** Round trips and connections so far (the runner's counters). */
  get stats(): { roundTrips: number; connections: number } {
    return { ...this.lockstep.stats };
  }

  /** Whether a run name (account or nickname) belongs to this run. */
  isRunName(name: string): boolean {
    return this.names.isRunName(name);
  }

  /** Runs one check; never throws: a failure, a skip or an interrupt is the result's status. */
  async runCheck(section: Section, check: CheckDef): Promise<CheckResult> {
    if (this.stopped === null && this.opts.signal?.aborted) this.stopped = 'run interrupted';
    const facts = {
      profile: this.opts.profile,
      transport: this.transport,
      fresh: this.fresh,
      slow: this.opts.slow === true,
      stopped: this.stopped,
    };
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
    run.closeWaitMs = slow ? Math.max(this.opts.timeoutMs, SLOW_CLOSE_WAIT_MS) : this.opts.timeoutMs;
    const env = new CheckEnv(run, check);
    this.recorder.start();
    let skipReason: string | null = null;
    let interrupted = false;
    const absorb = (e: unknown, during: string): void => {
      if (e instanceof SkipCheck) skipReason = e.reason;
      else if (e instanceof RunAborted) interrupted = true;
      else if (e instanceof LockstepMismatch)
        return; // already in the record
      else if (e instanceof CheckFailure) lockstep.report(...e.failures);
      else {
        // What the target did (a raw exchange it failed, a connection it dropped) is said in its
        // terms; anything else is the harness's own bug, said as such with the seed to repeat it.
        const err = e as Error;
        const byTarget = e instanceof RawExchangeError || e instanceof NetError;
        lockstep.report({
          rule: check.rules[0] ?? 'GEN-3',
          sent: `(${during})`,
          expected: [`the check ${during === 'run' ? 'runs' : 'cleans up'} to completion`],
          actual: byTarget
            ? (err.message.split('\n')[0] ?? '')
            : `internal error in the harness: ${err?.message?.split('\n')[0] ?? String(e)} (repeat with --seed ${this.opts.seed}; NEXUS_CONFORM_DEBUG=1 logs the stack)`,
        });
        if (!byTarget) this.opts.logger?.error({ err, check: id }, 'internal error');
      }
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
    for (const n of env.createdNames) this.createdByChecks.add(n);
    // The check's own traffic, without the resync that follows a failure.
    const transcript = this.recorder.stop();
    if (!interrupted && lockstep.failures.length > 0) {
      try {
        await this.resync(env.createdNames);
      } catch (e) {
        this.stopped = `${STOPPED.unavailable}: ${(e as Error).message}`;
        lockstep.report({
          rule: check.rules[0] ?? 'GEN-3',
          sent: '(resync after the failure)',
          expected: ['the target can be read again'],
          actual: this.stopped,
        });
      }
    }
    if (interrupted) this.stopped = 'run interrupted';

    const failures = lockstep.failures;
    const result: CheckResult = {
      ...resultBase(section, check),
      status: failures.length > 0 ? 'failed' : skipReason !== null || interrupted ? 'skipped' : 'passed',
      failures,
      durationMs: Date.now() - started,
      roundTrips: lockstep.stats.roundTrips - roundTrips0,
    };
    if (failures.length > 0) {
      result.message = summarise(failures);
      result.transcript = transcript;
    } else if (skipReason !== null) result.message = skipReason;
    else if (interrupted) result.message = 'run interrupted';
    return result;
  }

  /** Deletes what the run created, restores what it changed, and compares the target with the snapshot. */
  async finish(): Promise<NonNullable<RunResult['restored']>> {
    if (this.noAdmin) {
      return {
        ok: false,
        differences: ['nothing restored or verified: the harness never had an admin session (no check ran, so the run changed nothing)'],
      };
    }
    return finalRestore(this.cleanupScope(), this.controlConn(), this.createdByChecks);
  }

  private attachControl(c: ControlConnection): void {
    const hc = this.lockstep.adopt('admin', c.conn);
    this.lockstep.attachSession(hc, c.login.sessionId, c.login.locale);
    this.run.control = new HarnessActor(this.run, 'admin', hc, {
      username: this.opts.admin.username,
      password: this.opts.admin.password,
      nickname: this.opts.admin.username,
    });
  }

  /** The control connection's socket, while it is up (the per-IP limit is restored over it first). */
  private controlConn(): NexusConnection | null {
    return this.run.control?.hc.conn ?? null;
  }

  private cleanupScope(): CleanupScope {
    const { opts } = this;
    return {
      target: this.targetOpts,
      admin: opts.admin,
      profile: opts.profile,
      timeoutMs: opts.timeoutMs,
      logger: opts.logger,
      isRunName: (n) => this.names.isRunName(n),
      initial: this.initial,
      findings: this.findings,
      lockstep: this.lockstep,
    };
  }

  /** After a failed check: clean up outside the model, then read the target again (no cascading). */
  private async resync(createdNames: Iterable<string>): Promise<void> {
    const { control, snapshot } = await resyncTarget(this.cleanupScope(), this.controlConn(), this.working, createdNames);
    this.lockstep.reset(seedModel(this.opts, control, snapshot, control.login.serverInfo));
    this.attachControl(control);
  }
}

function seedModel(opts: SessionOptions, c: ControlConnection, snap: Snapshot, serverInfo: ServerInfo) {
  const config = { profile: opts.profile, protocolVersion: c.login.protocolVersion, softwareVersion: c.login.serverInfo.version };
  return stateFromSnapshot(config, { ...snap, serverInfo }, { idSeed: opts.seed, now: nowSeconds() });
}
