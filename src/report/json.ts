// JSON report: the RunResult as a stable document for CI dashboards and scripts (its schema:
// json-schema.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JsonReport } from './json-schema.ts';
import { rootCauses } from './root-causes.ts';
import { toolVersion } from './tool-version.ts';
import type { RunResult } from './types.ts';

export type { JsonCheck, JsonReport } from './json-schema.ts';

/** Bumped when a field changes meaning or disappears (additions keep the version). */
export const JSON_REPORT_VERSION = 2; // 2: failures[].expected is the list of allowed outcomes, plus note

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
    rootCauses: rootCauses(result.checks),
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
      ...(c.transcript ? { transcript: c.transcript } : {}),
      ...(c.file !== undefined ? { file: c.file } : {}),
      ...(c.line !== undefined ? { line: c.line } : {}),
      ...(c.attempts ? { attempts: c.attempts } : {}),
      ...(c.expectedFailure ? { expectedFailure: c.expectedFailure } : {}),
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
