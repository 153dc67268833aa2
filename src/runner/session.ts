// A run session: one target, one or more lanes (lane.ts: a lockstep mirror each), any number of
// checks run on demand, one cleanup. `open` connects, reads the pre-run snapshot (a fresh target's
// first login creates the admin, SES-AUTH-2), prepares the target (prepare.ts) and seeds lane 0;
// `runCheck` runs one check on lane 0; `openLanes` adds lanes for concurrent checks (schedule.ts);
// `finish` drops every lane, deletes what the run created, restores what it changed and compares
// the target with the snapshot. The scripted suite (run.ts), the fuzzers and replay all drive checks
// through this one path. Its pieces live apart: a lane and its checks (lane.ts), planning a check
// and its result (check-plan.ts), cleanup outside the model (cleanup.ts: keep reachable, resync,
// final restore).
import type { Logger } from 'pino';
import type { ServerInfo } from '../model/index.ts';
import type { MatchMode, Profile } from '../protocol/types.ts';
import { addTraffic, type CheckResult, type RunResult, type TrafficStats } from './results.ts';
import type { CheckDef, Section } from './api.ts';
import { STOPPED } from './failures.ts';
import { AbsentOutputs, type TrafficEvent } from './lockstep.ts';
import { Findings } from './preflight.ts';
import type { AdminCredentials, ControlConnection, Snapshot, TargetOptions } from './target.ts';
import { controlIds, NotAdminError, openControl, rawSuccess, readSnapshot, wasFresh } from './target.ts';
import { finalRestore } from './cleanup.ts';
import { Lane, laneSeed, type LaneHost } from './lane.ts';
import { isRunFamily, MAX_LANES, NameSource, passwordSource } from './names.ts';
import { prepareTarget } from './prepare.ts';

export interface SessionOptions {
  target: { host: string; port: number; transport: 'auto' | 'tls' | 'plain'; fingerprint?: string; embedded: boolean };
  admin: AdminCredentials;
  profile: Profile;
  match: MatchMode;
  timeoutMs: number;
  seed: number;
  /** The most connections one check opens at once (WIRE-IP-1: the per-IP limit is raised to fit). */
  connectionsNeeded: number;
  /** Lanes that will run checks side by side (`--jobs`, default 1): the per-IP limit fits them all. */
  lanes?: number;
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
  /**
   * Output kinds the target never makes (broadcasts, removal closes) are presumed absent after full
   * waits found them missing (lockstep/absent-outputs.ts). Only a runner that runs a check failed
   * on a presumption again once the kind shows up (schedule.ts) may set it.
   */
  presumeAbsent?: boolean;
}

export { skippedResult, summarise } from './check-plan.ts';

/** Requests a lane cannot do without. */
const LANE_NEEDS = ['UserList', 'UserEdit', 'UserInfo'];

/** Lane k's admin account: a run-prefixed name and a password, both from the seed. */
function laneAdmin(seed: number, lane: number): AdminCredentials {
  return { username: new NameSource(seed, lane).make('admin'), password: passwordSource(laneSeed(seed, lane) ^ 0x51ed27)() };
}

/** A server info of nothing: the snapshot of a target the harness never had an admin session on. */
const NO_SERVER_INFO: ServerInfo = {
  name: '',
  description: '',
  version: '',
  transfer_port: 0,
  max_connections_per_ip: 0,
  max_transfers_per_ip: 0,
  image: '',
};

export class RunSession implements LaneHost {
  stopped: string | null = null;
  readonly createdByChecks = new Set<string>();
  /** No admin session could be had (SES-AUTH-2 broken): nothing ran, nothing to restore. */
  private noAdmin = false;
  /** Every lane so far; lane 0 first. Lanes a concurrent phase opened stay for their counters. */
  private readonly lanes: Lane[] = [];
  /** Output kinds presumed absent, shared by every lane (`presumeAbsent`). */
  readonly absent: AbsentOutputs | undefined;

  private constructor(
    readonly settings: SessionOptions,
    readonly targetOpts: TargetOptions,
    readonly initial: Snapshot,
    readonly working: ServerInfo,
    readonly fresh: boolean,
    readonly transport: 'tls' | 'plain',
    readonly fingerprint: string | undefined,
    /** What the harness's own bookkeeping found wrong with the target (preflight.ts). */
    readonly findings: Findings,
  ) {
    this.absent = settings.presumeAbsent ? new AbsentOutputs() : undefined;
  }

  /** The bookkeeping findings as failed checks of the `preflight` section (none on a conforming target). */
  preflightResults(): CheckResult[] {
    return this.findings.results();
  }

  /** Lines for the top of the report: requests the target does not answer, each named once. */
  notices(): string[] {
    return this.findings.notices();
  }

  /**
   * Connects, reads the snapshot and seeds lane 0. Throws TargetUnavailableError only when the
   * target cannot be reached, spoken to or logged into as the admin; whatever else its bookkeeping
   * answers get wrong becomes a finding (preflight.ts) and the run goes on with what it could read.
   */
  static async open(opts: SessionOptions): Promise<RunSession> {
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
      if (e instanceof NotAdminError && e.firstUser) return RunSession.withoutAdmin(opts, targetOpts, findings, e.message);
      throw e;
    }
    let initial: Snapshot;
    let fresh: boolean;
    let working: ServerInfo;
    try {
      initial = await readSnapshot(control, opts.admin, opts.timeoutMs, findings);
      fresh = await wasFresh(control, initial, opts.admin, opts.timeoutMs, findings);
      working = await prepareTarget(control, initial, { ...opts, lanes: opts.lanes ?? 1 }, findings);
    } catch (e) {
      await control.conn.close();
      throw e;
    }
    const transport = control.conn.transport;
    opts.logger?.info({ target: `${opts.target.host}:${opts.target.port}`, transport, fresh }, 'run starts');
    const session = new RunSession(opts, targetOpts, initial, working, fresh, transport, control.conn.fingerprint, findings);
    session.lanes.push(new Lane(session, 0, opts.admin, control, initial, working, opts.onTraffic));
    return session;
  }

  /**
   * SES-AUTH-2 broken: the first login on a fresh target did not create an admin. The harness has
   * no admin session, so no check can run; each is skipped with that reason, the finding is the
   * run's failed check, and there is nothing to restore (no check ran).
   */
  private static withoutAdmin(opts: SessionOptions, targetOpts: TargetOptions, findings: Findings, reason: string): RunSession {
    const snapshot: Snapshot = { accounts: [], sessions: [], serverInfo: NO_SERVER_INFO, ownSessionId: 0 };
    const transport = targetOpts.transport === 'tls' ? 'tls' : 'plain';
    const session = new RunSession(opts, targetOpts, snapshot, snapshot.serverInfo, true, transport, undefined, findings);
    session.lanes.push(new Lane(session, 0, opts.admin, null, snapshot, snapshot.serverInfo));
    session.stopped = `${STOPPED.noAdmin}: ${reason}`;
    session.noAdmin = true;
    return session;
  }

  /** Round trips and connections so far, over every lane (the runner's counters). */
  get stats(): TrafficStats {
    return addTraffic(...this.lanes.map((l) => l.stats));
  }

  /** Whether a run name (account or nickname) belongs to this run (any of its lanes). */
  isRunName(name: string): boolean {
    return isRunFamily(this.settings.seed)(name);
  }

  /** Runs one check on lane 0; never throws: a failure, a skip or an interrupt is the result's status. */
  runCheck(section: Section, check: CheckDef): Promise<CheckResult> {
    return this.lanes[0]!.runCheck(section, check);
  }

  /**
   * Lanes for a concurrent phase: lane 0 and `count - 1` new ones. Lane k logs in as an admin
   * account of its own (run-prefixed, `nc…a_admin1`, created here over a connection of its own and
   * deleted by the final sweep), so no lane ever shares an account with another: each sees the
   * others' sessions only as strangers. Lanes open one after another, each seeded from what it
   * reads; one that cannot be opened (the target refuses the account or the connection) ends the
   * list there, and the caller gets fewer.
   */
  async openLanes(count: number): Promise<Lane[]> {
    const out = [this.lanes[0]!];
    if (count <= 1 || this.noAdmin || this.stopped !== null) return out;
    // A lane reads its snapshot (UserList, UserEdit) and makes barriers (UserInfo): a target that
    // does not answer those would only cost a timeout per lane for nothing.
    if (LANE_NEEDS.some((type) => this.findings.missing.has(type))) return out;
    const { settings } = this;
    const pass = Findings.knowing(this.findings.missing);
    let creator: ControlConnection | null = null;
    try {
      creator = await openControl(this.targetOpts, settings.admin, { findings: pass, ids: controlIds(laneSeed(settings.seed, MAX_LANES)) });
      for (let k = 1; k < count; k++) {
        const admin = laneAdmin(settings.seed, k);
        let control: ControlConnection | null = null;
        try {
          const body = { username: admin.username, password: admin.password, is_admin: true, enabled: true, permissions: [] };
          await rawSuccess(creator.raw, 'UserCreate', body, settings.timeoutMs);
          this.createdByChecks.add(admin.username);
          control = await openControl(this.targetOpts, admin, { findings: pass, ids: controlIds(laneSeed(settings.seed, k)) });
          const snapshot = await readSnapshot(control, admin, settings.timeoutMs, pass);
          const tag = String.fromCharCode(96 + k);
          const onTraffic = settings.onTraffic;
          // Connection ids are per lane (h1, h2, …): the run-wide tap tells the lanes apart.
          const tap = onTraffic ? (e: TrafficEvent) => onTraffic({ ...e, conn: `${tag}.${e.conn}` }) : undefined;
          const lane = new Lane(this, k, admin, control, snapshot, control.login.serverInfo, tap);
          this.lanes.push(lane);
          out.push(lane);
        } catch (e) {
          settings.logger?.warn({ err: e, lane: k }, 'could not open one more lane; running with fewer');
          await control?.conn.close();
          break;
        }
      }
    } catch (e) {
      settings.logger?.warn({ err: e }, 'could not open more lanes; running on one');
    } finally {
      await creator?.conn.close();
    }
    return out;
  }

  /** Drops every lane but lane 0 (their checks are done): what runs next runs alone again. */
  async closeOtherLanes(): Promise<void> {
    for (const l of this.lanes.slice(1)) await l.close();
  }

  /** Deletes what the run created, restores what it changed, and compares the target with the snapshot. */
  async finish(): Promise<NonNullable<RunResult['restored']>> {
    if (this.noAdmin) {
      return {
        ok: false,
        differences: ['nothing restored or verified: the harness never had an admin session (no check ran, so the run changed nothing)'],
      };
    }
    await this.closeOtherLanes();
    const first = this.lanes[0]!;
    return finalRestore(
      first.cleanupScope((n) => this.isRunName(n)),
      first.controlConn(),
      this.createdByChecks,
    );
  }
}
