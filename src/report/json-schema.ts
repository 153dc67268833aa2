// The JSON report's schema (zod): what `--json FILE` writes and what scripts and dashboards may
// rely on. The report's TypeScript types are inferred from it, so the two cannot drift apart.
import { z } from 'zod';
import { MATCH_MODES, PROFILES } from '../protocol/types.ts';

export const failureSchema = z.object({
  /** The rule broken. */
  rule: z.string(),
  /** What the harness sent (passwords masked). */
  sent: z.string(),
  /** Every outcome the spec allows here, one entry each. */
  expected: z.array(z.string()),
  /** What qualifies the outcomes (error carriers, optional frames, the outcome the traffic showed). */
  note: z.string().optional(),
  /** What came back. */
  actual: z.string(),
  /** Which actor/connection saw it. */
  actor: z.string().optional(),
});

export const transcriptSchema = z.object({
  entries: z.array(
    z.object({
      /** ms since the epoch */
      at: z.number(),
      conn: z.string(),
      actor: z.string(),
      dir: z.enum(['opened', 'sent', 'received', 'closed']),
      /** The rendered frame, passwords masked; empty for opens and closes. */
      text: z.string(),
    }),
  ),
  /** Events left out of the middle of a long check. */
  omitted: z.number().int().nonnegative(),
});

const countSchema = z.object({ covered: z.number().int(), total: z.number().int(), missing: z.array(z.string()) });

export const jsonCheckSchema = z.object({
  /** `<section>/<check>` */
  id: z.string(),
  section: z.string(),
  title: z.string(),
  rules: z.array(z.string()),
  errors: z.array(z.string()),
  /** Seed document section the check comes from; null where the seeds are silent. */
  seed: z.string().nullable(),
  /** The scenario file and line of the check, where known. */
  file: z.string().optional(),
  line: z.number().int().optional(),
  /** `flaky`: failed, then passed on a re-run (never a pass). */
  status: z.enum(['passed', 'failed', 'skipped', 'flaky']),
  /** Failure summary or skip reason; null when passed. */
  message: z.string().nullable(),
  durationMs: z.number().int().nonnegative(),
  roundTrips: z.number().int().nonnegative(),
  failures: z.array(failureSchema),
  /** Every connection's traffic during the failed attempt (failed and flaky checks). */
  transcript: transcriptSchema.optional(),
  /** A failed check re-run once: how often it ran and how often it failed. */
  attempts: z.object({ runs: z.number().int(), failed: z.number().int() }).optional(),
  /** Listed in --expect-failures: held = failed as expected; not held = now passes (fails the run). */
  expectedFailure: z.object({ reason: z.string(), held: z.boolean() }).optional(),
});

/** Failures grouped by rule and by what differed, most checks first (report/root-causes.ts). */
export const rootCauseSchema = z.object({
  rule: z.string(),
  what: z.string(),
  checks: z.number().int(),
  failures: z.number().int(),
  checkIds: z.array(z.string()),
  example: z.object({ check: z.string(), failure: failureSchema, transcript: transcriptSchema.optional() }),
});

export const jsonReportSchema = z.object({
  reportVersion: z.number().int(),
  tool: z.object({ name: z.literal('nexus-conform'), version: z.string() }),
  startedAt: z.string(),
  durationMs: z.number().int().nonnegative(),
  profile: z.enum(PROFILES),
  match: z.enum(MATCH_MODES),
  seed: z.number().int(),
  target: z.object({
    address: z.string(),
    transport: z.enum(['tls', 'plain']),
    fingerprint: z.string().optional(),
    embedded: z.boolean(),
    fresh: z.boolean(),
  }),
  summary: z.object({
    passed: z.number().int(),
    failed: z.number().int(),
    skipped: z.number().int(),
    flaky: z.number().int(),
    total: z.number().int(),
  }),
  /** The report opens with the root causes: failures grouped by rule and what differed. */
  rootCauses: z.array(rootCauseSchema),
  stats: z.object({ roundTrips: z.number().int(), connections: z.number().int(), logins: z.number().int() }),
  coverage: z.object({ rules: countSchema, errors: countSchema }).nullable(),
  restored: z.object({ ok: z.boolean(), differences: z.array(z.string()) }).nullable(),
  checks: z.array(jsonCheckSchema),
});

export type JsonCheck = z.infer<typeof jsonCheckSchema>;
export type JsonReport = z.infer<typeof jsonReportSchema>;
