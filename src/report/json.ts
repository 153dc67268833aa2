// JSON report: the RunResult as a stable document for CI dashboards and scripts.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CheckResult, RunResult } from './types.ts';

/** Bumped when a field changes meaning or disappears (additions keep the version). */
export const JSON_REPORT_VERSION = 1;

function toolVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface JsonCheck {
  id: string;
  section: string;
  title: string;
  rules: string[];
  errors: string[];
  /** Seed document section the check comes from; null where the seeds are silent. */
  seed: string | null;
  status: CheckResult['status'];
  /** Failure summary or skip reason; null when passed. */
  message: string | null;
  durationMs: number;
  roundTrips: number;
  failures: CheckResult['failures'];
}

export interface JsonReport {
  reportVersion: number;
  tool: { name: 'nexus-conform'; version: string };
  startedAt: string;
  durationMs: number;
  profile: RunResult['profile'];
  match: RunResult['match'];
  seed: number;
  target: RunResult['target'];
  summary: RunResult['summary'];
  stats: RunResult['stats'];
  coverage: RunResult['coverage'] | null;
  restored: RunResult['restored'] | null;
  checks: JsonCheck[];
}

export function toJsonReport(result: RunResult): JsonReport {
  return {
    reportVersion: JSON_REPORT_VERSION,
    tool: { name: 'nexus-conform', version: toolVersion() },
    startedAt: result.startedAt,
    durationMs: Math.round(result.durationMs),
    profile: result.profile,
    match: result.match,
    seed: result.seed,
    target: result.target,
    summary: result.summary,
    stats: result.stats,
    coverage: result.coverage ?? null,
    restored: result.restored ?? null,
    checks: result.checks.map((c) => ({
      id: c.id,
      section: c.section,
      title: c.title,
      rules: c.rules,
      errors: c.errors,
      seed: c.seed ?? null,
      status: c.status,
      message: c.message ?? null,
      durationMs: Math.round(c.durationMs),
      roundTrips: c.roundTrips,
      failures: c.failures,
    })),
  };
}

export function renderJson(result: RunResult): string {
  return JSON.stringify(toJsonReport(result), null, 2) + '\n';
}

export function writeJsonReport(file: string, result: RunResult): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, renderJson(result));
}
