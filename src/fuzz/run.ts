// The fuzz driver: one run session (snapshot, lockstep, cleanup, comparison with the snapshot, as
// for the suite), the selected fuzzers one after another under their budget, progress, and the
// fixtures they record written as readable JSON. The result is a RunResult (same summary, so the
// same reports) plus one `fuzz` entry per fuzzer: a clean fuzzer counts as a passed check, every
// failure found as a failed one.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTarget } from '../net/address.ts';
import { addTraffic, type CheckResult, type Failure, type RunResult, type TrafficStats } from '../runner/results.ts';
import type { TrafficEvent } from '../runner/lockstep.ts';
import { runResultOf } from '../runner/run.ts';
import { RunSession, type SessionOptions } from '../runner/session.ts';
import type { Fixture, FuzzerName } from './fixture.ts';
import { loadFuzzer } from './registry.ts';
import type { FramesMode, FuzzContext, FuzzerResult, FuzzFailure, Fuzzer } from './types.ts';

export interface FuzzOptions extends Omit<SessionOptions, 'connectionsNeeded' | 'onTraffic' | 'slow'> {
  fuzzers: FuzzerName[];
  /** Time budget shared by the fuzzers (time one finishes early goes to the next). */
  timeMs?: number;
  /** Cases per fuzzer. */
  runs?: number;
  /** The frame fuzzer's tiers (default `mixed`, see frames/index.ts). */
  framesMode?: FramesMode;
  /** Where found fixtures are written; undefined: not written. */
  fixturesDir?: string;
  /** What fixtures name as the server they were found against (default: the address). */
  against?: string;
  /** Brings a crashed target back on the same address (the embedded server); see FuzzContext.restart. */
  restart?: () => Promise<void>;
  onProgress?: (p: FuzzProgress) => void;
  onFailure?: (fuzzer: FuzzerName, failure: FuzzFailure) => void;
  /** Called once, before any fuzzer, with what the target does not answer (runner/preflight.ts). */
  onNotice?: (line: string) => void;
}

export interface FuzzProgress {
  fuzzer: FuzzerName;
  cases: number;
  failures: number;
  elapsedMs: number;
  done: boolean;
}

export interface FuzzRunResult extends RunResult {
  fuzz: FuzzerResult[];
}

/** Transcripts keep this many frames at most (the last ones: where the failure is). */
const MAX_TRANSCRIPT = 2000;

function transcriptOf(events: readonly TrafficEvent[]): NonNullable<Fixture['found']>['transcript'] {
  const out: NonNullable<Fixture['found']>['transcript'] = [];
  for (const e of events) {
    if (e.dir === 'opened') continue;
    out.push({ conn: e.conn, actor: e.actor, dir: e.dir, frame: e.text });
  }
  return out.slice(-MAX_TRANSCRIPT);
}

/** A file name for a fixture: fuzzer, class, seed and a counter; never overwrites. */
function fixtureFile(dir: string, f: Fixture): string {
  const stem = `${f.fuzzer}-${f.class}-seed${f.seed}`.replace(/[^A-Za-z0-9_.-]/g, '_');
  for (let n = 1; ; n++) {
    const file = join(dir, `${stem}-${n}.json`);
    if (!existsSync(file)) return file;
  }
}

/**
 * A found failure's check id, the same from run to run for the same bug so that a CI gate can list
 * it (`--expect-failures`): fuzzer, class and the rule the failure broke, e.g.
 * `fuzz/stateful/sequence/ADM-UPDATE-16`. A fuzzer reports one failure per class, so ids rarely
 * repeat; when they do, the later ones get `-2`, `-3`.
 */
function failureId(fuzzer: string, f: FuzzFailure, seen: Map<string, number>): string {
  const id = `fuzz/${fuzzer}/${f.class}/${f.failures?.[0]?.rule ?? f.rules[0] ?? 'GEN-3'}`;
  const n = (seen.get(id) ?? 0) + 1;
  seen.set(id, n);
  return n === 1 ? id : `${id}-${n}`;
}

/** What a fuzzer's outcome looks like as checks of a report. */
function asChecks(r: FuzzerResult, error?: string): CheckResult[] {
  const base = { section: 'fuzz', errors: [], roundTrips: 0 };
  if (error !== undefined) {
    return [
      {
        ...base,
        id: `fuzz/${r.fuzzer}`,
        title: `${r.fuzzer} fuzzer`,
        rules: [],
        status: 'failed',
        message: error,
        failures: [{ rule: 'GEN-3', sent: '(fuzzer start)', expected: ['the fuzzer runs'], actual: error }],
        durationMs: r.durationMs,
      },
    ];
  }
  if (r.failures.length === 0) {
    return [
      {
        ...base,
        id: `fuzz/${r.fuzzer}`,
        title: `${r.fuzzer} fuzzer: ${r.cases} cases, no failure`,
        rules: [],
        status: 'passed',
        failures: [],
        durationMs: r.durationMs,
      },
    ];
  }
  const ids = new Map<string, number>();
  return r.failures.map((f): CheckResult => {
    const failures: Failure[] =
      f.failures && f.failures.length > 0
        ? f.failures
        : [
            {
              rule: f.rules[0] ?? 'GEN-3',
              sent: f.fixture ? `(see ${f.fixture})` : '(fuzz case)',
              expected: ['the model’s reaction'],
              actual: f.message,
            },
          ];
    return {
      ...base,
      id: failureId(r.fuzzer, f, ids),
      title: f.message.split('\n')[0]!,
      rules: f.rules,
      status: 'failed',
      message: `${f.class}${f.fixture ? ` (fixture ${f.fixture})` : ''}: ${f.message.split('\n')[0]}`,
      failures,
      durationMs: r.durationMs,
    };
  });
}

/** Runs the fuzzers against one target. Throws TargetUnavailableError when the run cannot start. */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzRunResult> {
  const startedAt = new Date();
  const t0 = Date.now();
  const fuzzers: Fuzzer[] = [];
  for (const name of opts.fuzzers) fuzzers.push(await loadFuzzer(name));

  let heard: TrafficEvent[] = [];
  let lastCheck: TrafficEvent[] = [];
  const sessionOpts: SessionOptions = {
    target: opts.target,
    admin: opts.admin,
    profile: opts.profile,
    match: opts.match,
    timeoutMs: opts.timeoutMs,
    seed: opts.seed,
    connectionsNeeded: Math.max(8, ...fuzzers.map((f) => f.connections ?? 0)),
    onTraffic: (e) => heard.push(e),
    ...(opts.knownFresh ? { knownFresh: true } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  };
  /** Every check a fuzzer runs starts a new transcript; the last check's is kept for `record`. */
  const open = async (): Promise<RunSession> => {
    const s = await RunSession.open(sessionOpts);
    const runCheck = s.runCheck.bind(s);
    s.runCheck = async (section, check) => {
      heard = [];
      try {
        return await runCheck(section, check);
      } finally {
        lastCheck = heard;
        heard = [];
      }
    };
    return s;
  };

  let session = await open();
  const firstFresh = session.fresh;
  /** The counters of sessions a restart replaced (the result counts the whole run). */
  let retired: TrafficStats = addTraffic();
  const retire = (s: RunSession): void => {
    retired = addTraffic(retired, s.stats);
  };
  const results: FuzzerResult[] = [];
  // What the harness's bookkeeping found wrong with the target comes first, as failed checks.
  for (const line of session.notices()) opts.onNotice?.(line);
  const checks: CheckResult[] = [...session.preflightResults()];
  let restored: RunResult['restored'];
  try {
    for (const [k, fuzzer] of fuzzers.entries()) {
      if (opts.signal?.aborted) break;
      const started = Date.now();
      const budget: FuzzContext['budget'] = {};
      if (opts.runs !== undefined) budget.runs = opts.runs;
      if (opts.timeMs !== undefined) budget.deadline = started + Math.max(0, t0 + opts.timeMs - started) / (fuzzers.length - k);
      const ctx: FuzzContext = {
        session,
        profile: opts.profile,
        match: opts.match,
        seed: opts.seed,
        timeoutMs: opts.timeoutMs,
        budget,
        ...(opts.framesMode ? { framesMode: opts.framesMode } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        against: opts.against ?? formatTarget(opts.target),
        progress: (cases, failures) =>
          opts.onProgress?.({ fuzzer: fuzzer.name, cases, failures, elapsedMs: Date.now() - started, done: false }),
        record: (fixture) => {
          if (fixture.found && fixture.found.transcript.length === 0) fixture.found.transcript = transcriptOf(lastCheck);
          if (opts.fixturesDir === undefined) return undefined;
          mkdirSync(opts.fixturesDir, { recursive: true });
          const file = fixtureFile(opts.fixturesDir, fixture);
          writeFileSync(file, JSON.stringify(fixture, null, 2) + '\n');
          return file;
        },
      };
      if (opts.restart) {
        const restart = opts.restart;
        ctx.restart = async () => {
          retire(session);
          await restart();
          session = await open();
          ctx.session = session;
        };
      }
      let result: FuzzerResult;
      let error: string | undefined;
      try {
        const r = await fuzzer.run(ctx);
        const durationMs = Date.now() - started;
        result = { ...r, durationMs, casesPerSecond: durationMs > 0 ? Math.round((r.cases * 1000) / durationMs) : 0 };
        for (const f of r.failures) opts.onFailure?.(fuzzer.name, f);
      } catch (e) {
        const durationMs = Date.now() - started;
        error = `the ${fuzzer.name} fuzzer stopped: ${(e as Error).message}`;
        result = { fuzzer: fuzzer.name, cases: 0, durationMs, casesPerSecond: 0, failures: [] };
      }
      results.push(result);
      // A fuzzer that ran no case because the run had stopped (target gone, no admin) did not pass.
      if (error === undefined && result.cases === 0 && session.stopped !== null) {
        checks.push({
          section: 'fuzz',
          errors: [],
          roundTrips: 0,
          id: `fuzz/${result.fuzzer}`,
          title: `${result.fuzzer} fuzzer`,
          rules: [],
          status: 'skipped',
          message: session.stopped,
          failures: [],
          durationMs: result.durationMs,
        });
      } else checks.push(...asChecks(result, error));
      opts.onProgress?.({
        fuzzer: fuzzer.name,
        cases: result.cases,
        failures: result.failures.length,
        elapsedMs: result.durationMs,
        done: true,
      });
    }
  } finally {
    restored = await session.finish();
  }

  const result = runResultOf(session, opts, startedAt, checks, restored);
  result.target.fresh = firstFresh;
  result.stats = addTraffic(result.stats, retired);
  return { ...result, fuzz: results };
}
