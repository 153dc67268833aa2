// runSuite: plan the selected checks, run them through a run session (session.ts: lockstep, resync
// after failures, cleanup) one after another or on several lanes side by side (schedule.ts,
// `--jobs`), and collect the results in plan order.
import type { Logger } from 'pino';
import { formatTarget } from '../net/address.ts';
import type { MatchMode, Profile } from '../protocol/types.ts';
import type { CheckResult, RunResult } from './results.ts';
import type { Section } from './api.ts';
import { connectionsNeeded } from './actors.ts';
import { makeFilter } from './filter.ts';
import { RunSession, type SessionOptions } from './session.ts';
import { runPlanned, type Planned } from './schedule.ts';
import { MAX_LANES } from './names.ts';
import type { AdminCredentials } from './control.ts';

export { TargetUnavailableError } from './failures.ts';
export { makeFilter } from './filter.ts';

export interface RunOptions {
  target: { host: string; port: number; transport: 'auto' | 'tls' | 'plain'; fingerprint?: string; embedded: boolean };
  admin: AdminCredentials;
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
  /**
   * What the run has to say beside the results: before any check, what the target does not answer
   * (preflight.ts notices); at the end, before the results held on a presumed absence, why they come last.
   */
  onNotice?: (line: string) => void;
  /** The harness started the target, so it was empty (SES-AUTH-2 is then checkable). */
  knownFresh?: boolean;
  /** Re-run a failed check once on fresh connections; a pass then makes it `flaky` (default off). */
  retry?: boolean;
  /** Hears every frame of every harness connection (traces, --verbose); passwords are masked. */
  onTraffic?: SessionOptions['onTraffic'];
  /**
   * Lanes running independent checks side by side (default 1: one after another in plan order).
   * Checks that act on server-wide state still run alone, and checks on the guest account one after
   * another on lane 0 beside the others (check-plan.ts `sharedState`, schedule.ts).
   */
  jobs?: number;
  logger?: Logger;
}

export { MAX_LANES as MAX_JOBS } from './names.ts';

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

/** Runs the suite against one target. Throws TargetUnavailableError when the run cannot start. */
export async function runSuite(opts: RunOptions): Promise<RunResult> {
  const startedAt = new Date();
  const planned = selectChecks(opts.sections, opts.grep);
  const jobs = Math.min(Math.max(1, Math.floor(opts.jobs ?? 1)), MAX_LANES);
  const session = await RunSession.open({
    target: opts.target,
    admin: opts.admin,
    profile: opts.profile,
    match: opts.match,
    timeoutMs: opts.timeoutMs,
    seed: opts.seed,
    connectionsNeeded: Math.max(0, ...planned.map((p) => connectionsNeeded(p.check))),
    lanes: jobs,
    // runPlanned runs a check failed on a presumed absence again if the type shows up (schedule.ts).
    presumeAbsent: true,
    ...(opts.slow !== undefined ? { slow: opts.slow } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.knownFresh ? { knownFresh: true } : {}),
    ...(opts.onTraffic ? { onTraffic: opts.onTraffic } : {}),
  });

  for (const line of session.notices()) opts.onNotice?.(line);
  // What the harness's bookkeeping found wrong comes first, as failed checks (preflight.ts).
  const results: CheckResult[] = [...session.preflightResults()];
  for (const r of results) opts.onResult?.(r);
  let restored: RunResult['restored'];
  try {
    const onResult = (r: CheckResult): void => {
      opts.onResult?.(r);
      opts.logger?.debug({ id: r.id, status: r.status, message: r.message }, 'check done');
    };
    const schedule = { jobs, retry: opts.retry === true, onResult, ...(opts.onNotice ? { onNotice: opts.onNotice } : {}) };
    results.push(...(await runPlanned(session, planned, schedule)));
  } finally {
    restored = await session.finish();
  }

  return runResultOf(session, opts, startedAt, results, restored);
}

/** The run's result: what the target was, the checks' results and counts, the session's counters, the cleanup. */
export function runResultOf(
  session: RunSession,
  opts: Pick<RunOptions, 'target' | 'profile' | 'match' | 'seed'>,
  startedAt: Date,
  checks: CheckResult[],
  restored: RunResult['restored'],
): RunResult {
  const target: RunResult['target'] = {
    address: formatTarget(opts.target),
    transport: session.transport,
    embedded: opts.target.embedded,
    fresh: session.fresh,
  };
  if (session.fingerprint !== undefined) target.fingerprint = session.fingerprint;
  return {
    target,
    profile: opts.profile,
    match: opts.match,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    summary: summaryOf(checks),
    checks,
    stats: session.stats,
    seed: opts.seed,
    ...(restored ? { restored } : {}),
  };
}

/** Counts by status. */
export function summaryOf(results: CheckResult[]): RunResult['summary'] {
  return {
    passed: results.filter((r) => r.status === 'passed').length,
    failed: results.filter((r) => r.status === 'failed').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
    flaky: results.filter((r) => r.status === 'flaky').length,
    total: results.length,
  };
}
