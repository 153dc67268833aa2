// runSuite: plan the selected checks, run them one after another through a run session
// (session.ts: lockstep, resync after failures, cleanup), and collect the results.
import type { Logger } from 'pino';
import { formatTarget } from '../net/address.ts';
import type { MatchMode, Profile } from '../protocol/types.ts';
import type { CheckResult, RunResult } from './results.ts';
import type { CheckDef, Section } from './api.ts';
import { connectionsNeeded } from './actors.ts';
import { makeFilter } from './filter.ts';
import { RunSession } from './session.ts';

export { TargetUnavailableError } from './failures.ts';
export { makeFilter } from './filter.ts';

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
  const t0 = Date.now();
  const planned = selectChecks(opts.sections, opts.grep);
  const session = await RunSession.open({
    target: opts.target,
    admin: opts.admin,
    profile: opts.profile,
    match: opts.match,
    timeoutMs: opts.timeoutMs,
    seed: opts.seed,
    connectionsNeeded: Math.max(0, ...planned.map((p) => connectionsNeeded(p.check))),
    ...(opts.slow !== undefined ? { slow: opts.slow } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });

  const results: CheckResult[] = [];
  let restored: RunResult['restored'];
  try {
    for (const p of planned) {
      const r = await session.runCheck(p.section, p.check);
      results.push(r);
      opts.onResult?.(r);
      opts.logger?.debug({ id: r.id, status: r.status, message: r.message }, 'check done');
    }
  } finally {
    restored = await session.finish();
  }

  const targetInfo: RunResult['target'] = {
    address: formatTarget(opts.target),
    transport: session.transport,
    embedded: opts.target.embedded,
    fresh: session.fresh,
  };
  if (session.fingerprint !== undefined) targetInfo.fingerprint = session.fingerprint;
  return {
    target: targetInfo,
    profile: opts.profile,
    match: opts.match,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - t0,
    summary: summaryOf(results),
    checks: results,
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
    total: results.length,
  };
}
