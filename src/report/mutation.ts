// The mutation score: the scripted suite against the reference server with each catalogued fault
// (src/server/faults/), in each profile where the fault is wrong. A fault counts as detected only by
// a failed check that cites one of the fault's rule ids. To stay fast, each fault runs only the
// checks that cite one of its rules (a fault elsewhere would only make unrelated checks wait out
// their timeouts); the baseline runs the whole suite without a fault and must not fail at all.
import type { Profile } from '../protocol/types.ts';
import type { CheckDef, Section } from '../runner/api.ts';
import { runSuite } from '../runner/run.ts';
import { firstLine } from '../runner/text.ts';
import type { FaultEntry } from '../server/faults/index.ts';
import type { ServerFault } from '../server/fault.ts';
import { startServer } from '../server/server.ts';
import type { CheckResult, RunResult } from './types.ts';

export type MutationStatus =
  /** A failed check citing one of the fault's rules. */
  | 'detected'
  /** Every selected check passed (or only checks citing none of its rules failed). */
  | 'missed'
  /** Only a fuzzer can find it and that fuzzer is not available (not registered, or no driver given). */
  | 'fuzz-only'
  /** The run could not start or broke down (the harness could not use the target at all). */
  | 'error';

export interface MutationRow {
  fault: string;
  family: string;
  profile: Profile;
  status: MutationStatus;
  /** `suite`, `fuzz:<name>`, or what stopped the run. */
  detectedBy: string;
  /** Failed checks that cite one of the fault's rules. */
  checks: string[];
  /** The fault's rule ids those checks cite. */
  rules: string[];
  /** How many checks were run against this fault. */
  checksRun: number;
  durationMs: number;
  /** One line: the first relevant failure, or why nothing was found. */
  note: string;
}

export interface MutationReport {
  startedAt: string;
  durationMs: number;
  seed: number;
  timeoutMs: number;
  selection: string;
  /** The whole suite against the server without a fault, per profile: must be 0 failed. */
  baseline: Array<{ profile: Profile; passed: number; failed: number; skipped: number; failedChecks: string[] }>;
  rows: MutationRow[];
  score: { detected: number; total: number; percent: number; fuzzOnly: number };
}

export interface MutationOptions {
  faults: readonly FaultEntry[];
  sections: Section[];
  seed: number;
  timeoutMs: number;
  /** Faults run side by side (each against its own server). */
  concurrency: number;
  /** Run the baseline (the whole suite, no fault) first. */
  baseline?: boolean;
  /** Runs a fuzzer against a faulty server; absent → faults detected only by a fuzzer are `fuzz-only`. */
  fuzz?: FuzzDriver;
  onRow?: (row: MutationRow) => void;
}

/**
 * Runs fuzzer `fuzzer` with a fixed seed and budget against a server it starts with `faults()` (and
 * restarts the same way when the fault crashed it); returns the rule ids its failures cite.
 */
export type FuzzDriver = (o: {
  fuzzer: string;
  seed: number;
  budget: number;
  profile: Profile;
  timeoutMs: number;
  faults: () => ServerFault[];
}) => Promise<{ available: boolean; failures: Array<{ rule: string; summary: string }> }>;

export const MUTATION_ADMIN = { username: 'mutation-admin', password: 'mutation-admin-pw' };

export const SELECTION =
  'per fault, the checks citing one of its rule ids, until the first of them fails (slow checks only for faults marked slow)';

/** The checks citing at least one of `rules`, regrouped by section. */
export function checksCiting(sections: Section[], rules: readonly string[]): Section[] {
  const wanted = new Set(rules);
  const cites = (c: CheckDef) => c.rules.some((r) => wanted.has(r));
  return sections.map((s) => ({ ...s, checks: s.checks.filter(cites) })).filter((s) => s.checks.length > 0);
}

/**
 * The fault's hook, watched: a hook that throws would make the server drop the connection, and the
 * checks would "detect" a bug of the catalogue instead of the deviation it describes.
 */
function watched(fault: FaultEntry, thrown: string[]): ServerFault {
  const hook = fault.make();
  const guard =
    <A extends unknown[], R>(fn: (...a: A) => R) =>
    (...a: A): R => {
      try {
        return fn(...a);
      } catch (e) {
        thrown.push(e instanceof Error ? e.message : String(e));
        throw e;
      }
    };
  return {
    ...(hook.step ? { step: guard(hook.step) } : {}),
    ...(hook.onFrame ? { onFrame: guard(hook.onFrame) } : {}),
  };
}

async function suiteAgainst(
  profile: Profile,
  sections: Section[],
  o: { seed: number; timeoutMs: number; slow: boolean; fault?: FaultEntry; thrown?: string[]; stopWhen?: (r: CheckResult) => boolean },
): Promise<RunResult> {
  const server = await startServer({ profile, ...(o.fault ? { faults: [watched(o.fault, o.thrown ?? [])] } : {}) });
  // One citing failure is enough: the checks after it are skipped (they would only wait out timeouts).
  const stop = new AbortController();
  try {
    return await runSuite({
      target: { host: server.host, port: server.port, transport: 'plain', embedded: true },
      // Every server here starts fresh, so a first login that is not an admin is a finding (SES-AUTH-2).
      knownFresh: true,
      admin: MUTATION_ADMIN,
      profile,
      match: 'exact',
      timeoutMs: o.timeoutMs,
      seed: o.seed,
      sections,
      slow: o.slow,
      signal: stop.signal,
      onResult: (r) => {
        if (o.stopWhen?.(r)) stop.abort();
      },
    });
  } finally {
    await server.close();
  }
}

/** The failed checks of `result` that cite one of `rules` (in the check's rules or a failure's rule). */
export function citingFailures(
  checks: readonly CheckResult[],
  rules: readonly string[],
): { checks: string[]; rules: string[]; first?: string } {
  const wanted = new Set(rules);
  const hits = checks.filter(
    (c) => c.status === 'failed' && (c.rules.some((r) => wanted.has(r)) || c.failures.some((f) => wanted.has(f.rule))),
  );
  const cited = new Set<string>();
  for (const c of hits) {
    for (const r of c.rules) if (wanted.has(r)) cited.add(r);
    for (const f of c.failures) if (wanted.has(f.rule)) cited.add(f.rule);
  }
  const f = hits[0]?.failures[0];
  return {
    checks: hits.map((c) => c.id),
    rules: [...cited].sort(),
    ...(f ? { first: `${hits[0]!.id}: [${f.rule}] expected ${firstLine(f.expected[0] ?? '', 117)}, got ${firstLine(f.actual, 117)}` } : {}),
  };
}

async function runOne(fault: FaultEntry, profile: Profile, o: MutationOptions): Promise<MutationRow> {
  const t0 = Date.now();
  const base = { fault: fault.name, family: fault.family, profile, checks: [] as string[], rules: [] as string[], checksRun: 0 };
  const done = (r: Omit<MutationRow, keyof typeof base | 'durationMs'> & Partial<typeof base>): MutationRow => ({
    ...base,
    ...r,
    durationMs: Date.now() - t0,
  });
  try {
    if (fault.detection.by === 'fuzz') {
      const d = fault.detection;
      if (!o.fuzz) return done({ status: 'fuzz-only', detectedBy: `fuzz:${d.fuzzer}`, note: 'needs the fuzzer; not run' });
      const thrown: string[] = [];
      const r = await o.fuzz({
        fuzzer: d.fuzzer,
        seed: d.seed,
        budget: d.budget,
        profile,
        timeoutMs: o.timeoutMs,
        faults: () => [watched(fault, thrown)],
      });
      if (!r.available)
        return done({ status: 'fuzz-only', detectedBy: `fuzz:${d.fuzzer}`, note: `fuzzer "${d.fuzzer}" is not in this build` });
      if (thrown.length > 0) return done({ status: 'error', detectedBy: 'none', note: `the fault's hook threw: ${thrown[0]}` });
      const cited = r.failures.filter((f) => fault.rules.includes(f.rule));
      return done({
        status: cited.length > 0 ? 'detected' : 'missed',
        detectedBy: `fuzz:${d.fuzzer} (seed ${d.seed}, ${d.budget} cases)`,
        rules: [...new Set(cited.map((f) => f.rule))].sort(),
        note: cited[0]?.summary ?? r.failures[0]?.summary ?? 'the fuzzer found nothing',
      });
    }
    const slow = fault.detection.slow === true;
    const sections = checksCiting(o.sections, fault.rules);
    const thrown: string[] = [];
    const result = await suiteAgainst(profile, sections, {
      seed: o.seed,
      timeoutMs: o.timeoutMs,
      slow,
      fault,
      thrown,
      stopWhen: (r) => citingFailures([r], fault.rules).checks.length > 0,
    });
    if (thrown.length > 0) return done({ status: 'error', detectedBy: 'none', note: `the fault's hook threw: ${thrown[0]}` });
    const hit = citingFailures(result.checks, fault.rules);
    const ran = result.checks.filter((c) => c.status !== 'skipped').length;
    return done({
      status: hit.checks.length > 0 ? 'detected' : 'missed',
      detectedBy: 'suite',
      checks: hit.checks,
      rules: hit.rules,
      checksRun: ran,
      note: hit.first ?? `${ran} checks citing ${fault.rules.join(', ')} all passed`,
    });
  } catch (err) {
    return done({
      status: 'error',
      detectedBy: 'none',
      note: err instanceof Error ? (err.message.split('\n')[0] ?? err.name) : String(err),
    });
  }
}

/** Runs the whole table: the baseline, then every fault in every profile where it is wrong. */
export async function runMutation(o: MutationOptions): Promise<MutationReport> {
  const startedAt = new Date();
  const t0 = Date.now();
  const baseline: MutationReport['baseline'] = [];
  if (o.baseline !== false) {
    for (const profile of ['spec', 'nexusd'] as const) {
      const r = await suiteAgainst(profile, o.sections, { seed: o.seed, timeoutMs: o.timeoutMs, slow: false });
      baseline.push({ profile, ...pick(r.summary), failedChecks: r.checks.filter((c) => c.status === 'failed').map((c) => c.id) });
    }
  }
  // Faults that wait for the server's own timeouts go first, so the others run alongside them.
  const slowFirst = [...o.faults].sort((a, b) => Number(isSlow(b)) - Number(isSlow(a)));
  const jobs = slowFirst.flatMap((f) => f.profiles.map((p) => ({ f, p })));
  const rows: MutationRow[] = new Array(jobs.length);
  let nextJob = 0;
  const worker = async (): Promise<void> => {
    while (nextJob < jobs.length) {
      const i = nextJob++;
      const { f, p } = jobs[i]!;
      rows[i] = await runOne(f, p, o);
      o.onRow?.(rows[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  return {
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - t0,
    seed: o.seed,
    timeoutMs: o.timeoutMs,
    selection: SELECTION,
    baseline,
    rows,
    score: scoreOf(rows),
  };
}

const isSlow = (f: FaultEntry): boolean => f.detection.by === 'suite' && f.detection.slow === true;

const pick = (s: RunResult['summary']) => ({ passed: s.passed, failed: s.failed, skipped: s.skipped });

/** Score per fault (a fault is detected when every profile it is wrong in detected it). */
export function scoreOf(rows: readonly MutationRow[]): MutationReport['score'] {
  const byFault = new Map<string, MutationStatus[]>();
  for (const r of rows) byFault.set(r.fault, [...(byFault.get(r.fault) ?? []), r.status]);
  const total = byFault.size;
  const detected = [...byFault.values()].filter((s) => s.every((x) => x === 'detected')).length;
  const fuzzOnly = [...byFault.values()].filter((s) => s.includes('fuzz-only')).length;
  return { detected, total, fuzzOnly, percent: total === 0 ? 100 : Math.round((1000 * detected) / total) / 10 };
}

/** The table for a terminal: fault, profile, status, detected by, check ids; then the score. */
export function formatMutationTable(report: MutationReport): string {
  const lines: string[] = [];
  for (const b of report.baseline) {
    lines.push(
      `baseline ${b.profile}: ${b.passed} passed, ${b.failed} failed, ${b.skipped} skipped${b.failed > 0 ? ` (${b.failedChecks.join(', ')})` : ''}`,
    );
  }
  const head = ['fault', 'profile', 'result', 'detected by', 'check ids'];
  const body = report.rows.map((r) => [
    r.fault,
    r.profile,
    r.status,
    r.detectedBy,
    r.status === 'detected' && r.checks.length > 0
      ? `${r.checks.slice(0, 3).join(', ')}${r.checks.length > 3 ? ` (+${r.checks.length - 3})` : ''}`
      : r.status === 'detected'
        ? r.rules.join(', ')
        : r.note,
  ]);
  const widths = head.map((h, i) => Math.min(48, Math.max(h.length, ...body.map((row) => row[i]!.length))));
  const fmt = (row: string[]) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  lines.push('', fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...body.map(fmt));
  const s = report.score;
  lines.push(
    '',
    `mutation score: ${s.detected}/${s.total} faults detected (${s.percent}%)${s.fuzzOnly > 0 ? `, ${s.fuzzOnly} waiting for a fuzzer` : ''}; ` +
      `${report.rows.length} fault runs in ${(report.durationMs / 1000).toFixed(1)} s (seed ${report.seed}, timeout ${report.timeoutMs} ms)`,
    `selection: ${report.selection}`,
  );
  return lines.join('\n');
}
