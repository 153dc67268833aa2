// Results as plain data: what the runner produces and every reporter (console, JUnit, JSON, …)
// formats. They live with the runner so results flow one way: src/report imports them, nothing
// under src/runner imports src/report.
import type { MatchMode, Profile } from '../protocol/types.ts';

export type CheckStatus = 'passed' | 'failed' | 'skipped';

/** One mismatch between what the target did and what the spec allows. */
export interface Failure {
  /** The rule broken (first rule id of the check or of the model output involved). */
  rule: string;
  /** What the harness sent (rendered frame or description; passwords masked). */
  sent: string;
  /** What was expected, including every accepted alternative. */
  expected: string;
  /** What came back (rendered frame, "nothing within 2000 ms", "connection closed", …). */
  actual: string;
  /** Which actor/connection saw it. */
  actor?: string;
}

export interface CheckResult {
  /** `<section>/<check>` */
  id: string;
  section: string;
  title: string;
  rules: string[];
  errors: string[];
  /** The seed document section the check comes from, where the seeds speak (e.g. `admin.md §Kick Behavior`). */
  seed?: string;
  status: CheckStatus;
  /** One line: the failure summary, or the skip reason. */
  message?: string;
  failures: Failure[];
  durationMs: number;
  roundTrips: number;
}

export interface CoverageSummary {
  rules: { covered: number; total: number; missing: string[] };
  errors: { covered: number; total: number; missing: string[] };
}

export interface RunResult {
  target: { address: string; transport: 'tls' | 'plain'; fingerprint?: string; embedded: boolean; fresh: boolean };
  profile: Profile;
  match: MatchMode;
  startedAt: string;
  durationMs: number;
  summary: { passed: number; failed: number; skipped: number; total: number };
  checks: CheckResult[];
  stats: { roundTrips: number; connections: number };
  coverage?: CoverageSummary;
  /** Whether accounts and server info equal the pre-run snapshot after cleanup. */
  restored?: { ok: boolean; differences: string[] };
  /** Seed of everything random in the run (ids, names). */
  seed: number;
}
