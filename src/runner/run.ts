// runSuite: connect, snapshot and seed the model, run the selected checks one after another in
// lockstep, and leave the target as it was — after passing checks, failed checks and interrupts
// alike. A check never crashes the run: whatever it throws becomes a failed result.
import type { Logger } from 'pino';
import { stateFromSnapshot } from '../model/index.ts';
import type { ServerInfo } from '../model/index.ts';
import { formatTarget } from '../net/address.ts';
import type { MatchMode, Profile } from '../protocol/types.ts';
import type { CheckResult, Failure, RunResult } from '../report/types.ts';
import type { CheckDef, Section } from './api.ts';
import { buildActors, CheckEnv, connectionsNeeded, HarnessActor, NameSource, RunContext } from './actors.ts';
import { CheckFailure, SkipCheck, TargetUnavailableError } from './failures.ts';
import { Lockstep, LockstepMismatch, RunAborted } from './lockstep.ts';
import type { ControlConnection, Snapshot, TargetOptions } from './target.ts';
import {
  compareSnapshots,
  openControl,
  rawBarrier,
  rawRequest,
  readSnapshot,
  restoreConnectionLimit,
  restoreTarget,
  strangersFromOurAddress,
  wasFresh,
} from './target.ts';
import { nowSeconds } from './clock.ts';

export { TargetUnavailableError } from './failures.ts';

/** How long `expectClosed` waits in a slow check: the 60 s frame deadline, its 5 s grace, slack. */
const SLOW_CLOSE_WAIT_MS = 75_000;

export interface RunOptions {
  target: { host: string; port: number; transport: 'auto' | 'tls' | 'plain'; fingerprint?: string; embedded: boolean };
  admin: { username: string; password: string };
  profile: Profile;
  match: MatchMode;
  /** Substring, or `/regex/flags`, matched against `<section>/<check>` ids and titles. */
  grep?: string;
  timeoutMs: number;
  seed: number;
  sections: Section[];
  /** Also run checks marked `needs.slow` (long timeouts). */
  slow?: boolean;
  /** SIGINT/SIGTERM from the CLI: stop after the current step, then clean up. */
  signal?: AbortSignal;
  onResult?: (r: CheckResult) => void;
  logger?: Logger;
}

interface Planned {
  section: Section;
  check: CheckDef;
}

/** `--grep`: a plain substring, or `/re/flags`. */
export function makeFilter(grep: string | undefined): (text: string) => boolean {
  if (grep === undefined || grep === '') return () => true;
  const re = /^\/(.*)\/([a-z]*)$/s.exec(grep);
  if (re) {
    const regex = new RegExp(re[1]!, re[2]);
    return (text) => regex.test(text);
  }
  return (text) => text.includes(grep);
}

export function selectChecks(sections: Section[], grep?: string): Planned[] {
  const matches = makeFilter(grep);
  const out: Planned[] = [];
  for (const section of sections) {
    for (const check of section.checks) {
      const id = `${section.id}/${check.id}`;
      if (matches(id) || matches(check.title)) out.push({ section, check });
    }
  }
  return out;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? '';
}

function summarise(failures: Failure[]): string {
  const f = failures[0]!;
  const more = failures.length > 1 ? ` (+${failures.length - 1} more)` : '';
  return `${f.rule}: expected ${firstLine(f.expected)}, got ${firstLine(f.actual)}${more}`;
}

/** Runs the suite against one target. Throws TargetUnavailableError when the run cannot start. */
export async function runSuite(opts: RunOptions): Promise<RunResult> {
  const startedAt = new Date();
  const t0 = Date.now();
  const log = opts.logger;
  const names = new NameSource(opts.seed);
  const targetOpts: TargetOptions = {
    host: opts.target.host,
    port: opts.target.port,
    transport: opts.target.transport,
    timeoutMs: opts.timeoutMs,
  };
  if (opts.target.fingerprint !== undefined) targetOpts.fingerprint = opts.target.fingerprint;
  const planned = selectChecks(opts.sections, opts.grep);

  // 1. The control connection and the pre-run snapshot (SES-AUTH-2 creates the admin on a fresh target).
  const control = await openControl(targetOpts, opts.admin);
  let initial: Snapshot;
  let fresh: boolean;
  let working: ServerInfo;
  try {
    initial = await readSnapshot(control, opts.admin, opts.timeoutMs);
    fresh = await wasFresh(control, initial, opts.admin, opts.timeoutMs);
    // WIRE-IP-1: the run's own connections plus strangers from our address must fit under the limit.
    const needed = Math.max(0, ...planned.map((p) => connectionsNeeded(p.check))) + strangersFromOurAddress(initial) + 1;
    working = { ...initial.serverInfo };
    const limit = initial.serverInfo.max_connections_per_ip;
    if (limit > 0 && limit < needed) {
      const m = await rawRequest(control.conn, 'ServerInfoUpdate', { max_connections_per_ip: needed }, opts.timeoutMs);
      if (m.body.success !== true) throw new Error(`raising max_connections_per_ip to ${needed} failed: ${JSON.stringify(m.body)}`);
      working.max_connections_per_ip = needed;
      control.login.serverInfo = { ...working };
    }
    await rawBarrier(control.conn, opts.timeoutMs);
  } catch (e) {
    await control.conn.close();
    throw new TargetUnavailableError(`cannot read the target's state: ${(e as Error).message}`);
  }
  const transport = control.conn.transport;
  log?.info({ target: formatTarget(opts.target), transport, fresh, checks: planned.length }, 'run starts');

  // 2. The model mirror, seeded from the snapshot, with the control session attached.
  const lockstepTarget: { host: string; port: number; transport: 'tls' | 'plain'; fingerprint?: string } = {
    host: opts.target.host,
    port: opts.target.port,
    transport,
  };
  if (opts.target.fingerprint !== undefined) lockstepTarget.fingerprint = opts.target.fingerprint;
  const lockstepOpts: ConstructorParameters<typeof Lockstep>[0] = {
    profile: opts.profile,
    match: opts.match,
    timeoutMs: opts.timeoutMs,
    target: lockstepTarget,
    isRunName: (n) => names.isRunName(n),
    adminUsername: opts.admin.username,
    seed: opts.seed,
  };
  if (opts.signal) lockstepOpts.signal = opts.signal;
  if (log) lockstepOpts.logger = log;

  const modelConfig = (c: ControlConnection) => ({
    profile: opts.profile,
    protocolVersion: c.login.protocolVersion,
    softwareVersion: c.login.serverInfo.version,
  });
  const seedModel = (c: ControlConnection, snap: Snapshot, serverInfo: ServerInfo) =>
    stateFromSnapshot(modelConfig(c), { ...snap, serverInfo }, { idSeed: opts.seed, now: nowSeconds() });

  const lockstep = new Lockstep(lockstepOpts, seedModel(control, initial, working));
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
  const attachControl = (c: ControlConnection): void => {
    const hc = lockstep.adopt('admin', c.conn);
    lockstep.attachSession(hc, c.login.sessionId, c.login.locale);
    run.control = new HarnessActor(run, 'admin', hc, {
      username: opts.admin.username,
      password: opts.admin.password,
      nickname: opts.admin.username,
    });
  };
  lockstep.reset(lockstep.state);
  attachControl(control);

  /**
   * WIRE-IP-1: a check may have lowered the per-IP limit below the connections open from our
   * address (strangers' included) and failed or been interrupted before restoring it; once the
   * run's connections are dropped no new control connection would get in. Put the limit back over
   * the still-open control connection first (target.ts restoreConnectionLimit).
   */
  const keepReachable = async (want: ServerInfo): Promise<void> => {
    const conn = run.control?.hc.conn;
    if (!conn) return;
    const problems = await restoreConnectionLimit(conn, want, opts.timeoutMs);
    if (problems.length > 0) log?.warn({ problems }, 'could not restore the per-IP limit before reconnecting');
  };

  /** After a failed check: clean up outside the model, then read the target again (no cascading). */
  const resync = async (createdNames: Iterable<string>): Promise<void> => {
    await keepReachable(working);
    for (const hc of lockstep.harnessConnections()) await lockstep.discard(hc);
    const c = await openControl(targetOpts, opts.admin);
    const problems = await restoreTarget(
      c,
      { baseline: initial, serverInfo: working, isRunName: (n) => names.isRunName(n), extraAccounts: createdNames, profile: opts.profile },
      opts.timeoutMs,
    );
    if (problems.length > 0) log?.warn({ problems }, 'cleanup after a failed check was incomplete');
    const snap = await readSnapshot(c, opts.admin, opts.timeoutMs);
    await rawBarrier(c.conn, opts.timeoutMs);
    lockstep.reset(seedModel(c, snap, c.login.serverInfo));
    attachControl(c);
  };

  const results: CheckResult[] = [];
  let stopped: string | null = null;
  /** Accounts checks created under names of their own (t.created), for the final sweep. */
  const createdByChecks = new Set<string>();

  const runOne = async (p: Planned): Promise<CheckResult> => {
    const { section, check } = p;
    const id = `${section.id}/${check.id}`;
    const base = { id, section: section.id, title: check.title, rules: check.rules, errors: [...(check.errors ?? [])], ...seedOf(section, check) };
    const skipped = (message: string): CheckResult => ({ ...base, status: 'skipped', message, failures: [], durationMs: 0, roundTrips: 0 });
    const needs = check.needs ?? {};
    if (needs.profile && needs.profile !== opts.profile) return skipped(`needs profile ${needs.profile}`);
    if (needs.tls && transport !== 'tls') return skipped('needs a TLS target');
    if (needs.fresh && !fresh) return skipped('needs a fresh target (accounts existed before the run)');
    const slow = needs.slow === true || check.slow === true;
    if (slow && !opts.slow) return skipped('slow check (run with --slow)');

    const started = Date.now();
    const roundTrips0 = lockstep.stats.roundTrips;
    run.check = { id, rules: check.rules };
    // WIRE-TMO-4: slow checks wait for the target's own deadlines (30 s idle, 60 s frame, + 5 s).
    lockstep.allowServerTimeouts = slow;
    run.closeWaitMs = slow ? Math.max(opts.timeoutMs, SLOW_CLOSE_WAIT_MS) : opts.timeoutMs;
    const failures = lockstep.beginCheck(check.rules);
    const env = new CheckEnv(run, check);
    let skipReason: string | null = null;
    let interrupted = false;
    const absorb = (e: unknown, during: string): void => {
      if (e instanceof SkipCheck) skipReason = e.reason;
      else if (e instanceof RunAborted) interrupted = true;
      else if (e instanceof LockstepMismatch) return; // already in `failures`
      else if (e instanceof CheckFailure) failures.push(...e.failures);
      else {
        const err = e as Error;
        failures.push({
          rule: check.rules[0] ?? 'GEN-3',
          sent: `(${during})`,
          expected: `the check ${during === 'run' ? 'runs' : 'cleans up'} to completion`,
          actual: `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`,
        });
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
    if (!interrupted && failures.length === 0) {
      try {
        await env.cleanup();
      } catch (e) {
        absorb(e, 'cleanup');
      }
    }
    for (const n of env.createdNames) createdByChecks.add(n);
    if (!interrupted && failures.length > 0) {
      try {
        await resync(env.createdNames);
      } catch (e) {
        stopped = `the target became unavailable: ${(e as Error).message}`;
        failures.push({ rule: check.rules[0] ?? 'GEN-3', sent: '(resync after the failure)', expected: 'the target can be read again', actual: stopped });
      }
    }
    if (interrupted) stopped = 'run interrupted';

    const result: CheckResult = {
      ...base,
      status: failures.length > 0 ? 'failed' : skipReason !== null || interrupted ? 'skipped' : 'passed',
      failures: [...failures],
      durationMs: Date.now() - started,
      roundTrips: lockstep.stats.roundTrips - roundTrips0,
    };
    if (failures.length > 0) result.message = summarise(failures);
    else if (skipReason !== null) result.message = skipReason;
    else if (interrupted) result.message = 'run interrupted';
    return result;
  };

  let restored: RunResult['restored'];
  try {
    for (const p of planned) {
      if (stopped === null && opts.signal?.aborted) stopped = 'run interrupted';
      if (stopped !== null) {
        const r: CheckResult = {
          id: `${p.section.id}/${p.check.id}`,
          section: p.section.id,
          title: p.check.title,
          rules: p.check.rules,
          errors: [...(p.check.errors ?? [])],
          ...seedOf(p.section, p.check),
          status: 'skipped',
          message: stopped,
          failures: [],
          durationMs: 0,
          roundTrips: 0,
        };
        results.push(r);
        opts.onResult?.(r);
        continue;
      }
      const r = await runOne(p);
      results.push(r);
      opts.onResult?.(r);
      log?.debug({ id: r.id, status: r.status, message: r.message }, 'check done');
    }
  } finally {
    restored = await finalRestore();
  }

  async function finalRestore(): Promise<NonNullable<RunResult['restored']>> {
    await keepReachable(initial.serverInfo);
    for (const hc of lockstep.harnessConnections()) await lockstep.discard(hc);
    const differences: string[] = [];
    try {
      const c = await openControl(targetOpts, opts.admin);
      try {
        const createdAnywhere = [...createdByChecks];
        differences.push(
          ...(await restoreTarget(
            c,
            { baseline: initial, serverInfo: initial.serverInfo, isRunName: (n) => names.isRunName(n), extraAccounts: createdAnywhere, profile: opts.profile },
            opts.timeoutMs,
          )),
        );
      } finally {
        await c.conn.close();
      }
      // A fresh connection reads the target as it is now.
      const check = await openControl(targetOpts, opts.admin);
      try {
        const after = await readSnapshot(check, opts.admin, opts.timeoutMs);
        differences.push(...compareSnapshots(initial, after));
      } finally {
        await check.conn.close();
      }
    } catch (e) {
      differences.push(`cannot verify the cleanup: ${(e as Error).message}`);
    }
    return { ok: differences.length === 0, differences };
  }

  const summary = {
    passed: results.filter((r) => r.status === 'passed').length,
    failed: results.filter((r) => r.status === 'failed').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
    total: results.length,
  };
  const targetInfo: RunResult['target'] = {
    address: formatTarget(opts.target),
    transport,
    embedded: opts.target.embedded,
    fresh,
  };
  if (control.conn.fingerprint !== undefined) targetInfo.fingerprint = control.conn.fingerprint;
  const result: RunResult = {
    target: targetInfo,
    profile: opts.profile,
    match: opts.match,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - t0,
    summary,
    checks: results,
    stats: { ...lockstep.stats },
    seed: opts.seed,
  };
  if (restored) result.restored = restored;
  return result;
}

/** The seed section a check cites: its own, else its section's (absent where the seeds are silent). */
function seedOf(section: Section, check: CheckDef): { seed?: string } {
  const seed = check.seed ?? section.seed;
  return seed === undefined ? {} : { seed };
}
