// Results as plain data: what the runner produces and every reporter (console, JUnit, JSON, …)
// formats. They live with the runner so results flow one way: src/report imports them, nothing
// under src/runner imports src/report.
import type { MatchMode, Profile } from '../protocol/types.ts';

/** `flaky`: failed, then passed when re-run once on fresh connections — reported, never a pass. */
export type CheckStatus = 'passed' | 'failed' | 'skipped' | 'flaky';

/** One mismatch between what the target did and what the spec allows. */
export interface Failure {
  /** The rule broken (first rule id of the check or of the model output involved). */
  rule: string;
  /** What the harness sent (rendered frame or description; passwords masked). */
  sent: string;
  /**
   * Every outcome the spec allows here, one entry each (a rendered frame, a close, a description),
   * as h2spec's verifier keeps `Expected []string`.
   */
  expected: string[];
  /** What qualifies the outcomes: error carriers, optional frames, which of several allowed outcomes the traffic showed. */
  note?: string;
  /** What came back (rendered frame, "nothing within 2000 ms", "connection closed", …). */
  actual: string;
  /** Which actor/connection saw it. */
  actor?: string;
}

/** One event of a connection during a check (a frame as rendered, passwords masked; opens and closes). */
export interface TranscriptEntry {
  /** ms since the epoch */
  at: number;
  conn: string;
  actor: string;
  dir: 'opened' | 'sent' | 'received' | 'closed';
  /** The rendered frame (`NX|…|Type|id|…|{json}`) or bytes; empty for opens and closes. */
  text: string;
}

export interface CheckResult {
  /** `<section>/<check>` */
  id: string;
  section: string;
  title: string;
  rules: string[];
  errors: string[];
  /** The scenario file of the check (relative to the package root) and its line there, where known. */
  file?: string;
  line?: number;
  /** The seed document section the check comes from, where the seeds speak (e.g. `admin.md §Kick Behavior`). */
  seed?: string;
  status: CheckStatus;
  /** One line: the failure summary, or the skip reason. */
  message?: string;
  failures: Failure[];
  durationMs: number;
  roundTrips: number;
  /**
   * Every connection's traffic during the (first failed) attempt, for failed and flaky checks: the
   * frames sent and received, opens and closes, passwords masked. `omitted` events from the middle
   * of a long check are left out.
   */
  transcript?: { entries: TranscriptEntry[]; omitted: number };
  /** When a failed check was re-run: how often it ran and how often it failed. */
  attempts?: { runs: number; failed: number };
  /**
   * Listed in `--expect-failures` with this reason: `held` when it failed as expected (does not
   * fail the run), not held when it now passes (fails the run: the list must shrink).
   */
  expectedFailure?: { reason: string; held: boolean };
}

export interface CoverageSummary {
  rules: { covered: number; total: number; missing: string[] };
  errors: { covered: number; total: number; missing: string[] };
}

/** The run's traffic: requests answered one write at a time, connections opened, and how many of those logged in. */
export interface TrafficStats {
  roundTrips: number;
  connections: number;
  /** Connections that wrote a Handshake and then a Login (both also counted in `roundTrips`). */
  logins: number;
}

/** The sum of traffic counters (lanes of a run, sessions a restart replaced). */
export function addTraffic(...parts: readonly TrafficStats[]): TrafficStats {
  const sum: TrafficStats = { roundTrips: 0, connections: 0, logins: 0 };
  for (const p of parts) {
    sum.roundTrips += p.roundTrips;
    sum.connections += p.connections;
    sum.logins += p.logins;
  }
  return sum;
}

export interface RunResult {
  target: { address: string; transport: 'tls' | 'plain'; fingerprint?: string; embedded: boolean; fresh: boolean };
  profile: Profile;
  match: MatchMode;
  startedAt: string;
  durationMs: number;
  summary: { passed: number; failed: number; skipped: number; flaky: number; total: number };
  checks: CheckResult[];
  stats: TrafficStats;
  coverage?: CoverageSummary;
  /** Whether accounts and server info equal the pre-run snapshot after cleanup. */
  restored?: { ok: boolean; differences: string[] };
  /** Seed of everything random in the run (ids, names). */
  seed: number;
}

/** The expected side of a failure as lines: the first outcome, the others as `or …`, then the note. */
export function expectedLines(f: Pick<Failure, 'expected' | 'note'>): string[] {
  const lines = f.expected.map((e, i) => (i === 0 ? e : `or ${e}`));
  if (f.note !== undefined && f.note !== '') lines.push(`(${f.note})`);
  return lines;
}
