// The regression fixture: what a fuzzer writes when it finds (and shrinks) a failure, and what
// `nexus-conform replay` reads. A fixture is a check written as data: the actors it declares (the
// scenario DSL's actor specs, api.ts) and the steps it takes (steps.ts). Replay turns it back into a
// check and runs it through the same run session and lockstep oracle as the scripted suite, so a
// fixture can never judge differently from the check it came from. Names are symbolic (`{{bob.username}}`)
// because every run prefixes its accounts anew. The zod schema is the format's definition.
import { z } from 'zod';
import { MATCH_MODES, PROFILES } from '../protocol/types.ts';

export const FIXTURE_FORMAT = 'nexus-conform-fixture';
export const FIXTURE_VERSION = 1;

export const FUZZERS = ['frames', 'validators', 'stateful'] as const;
export type FuzzerName = (typeof FUZZERS)[number];

const body = z.record(z.string(), z.unknown());

const actorSpec = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('user'),
      permissions: z.array(z.string()).optional(),
      admin: z.boolean().optional(),
      enabled: z.boolean().optional(),
      login: z.boolean().optional(),
      locale: z.string().optional(),
      avatar: z.string().optional(),
      features: z.array(z.string()).optional(),
      name: z.string().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('shared'),
      permissions: z.array(z.string()).optional(),
      nickname: z.string().optional(),
      login: z.boolean().optional(),
      name: z.string().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('sessionOf'),
      of: z.string(),
      nickname: z.string().optional(),
      locale: z.string().optional(),
      avatar: z.string().optional(),
      features: z.array(z.string()).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('guest'),
      nickname: z.string().optional(),
      permissions: z.array(z.string()).optional(),
      login: z.boolean().optional(),
    })
    .strict(),
  z.object({ kind: z.literal('connection'), state: z.enum(['new', 'shaken']) }).strict(),
]);

/**
 * One step of a fixture. `actor` names a declared actor, one opened by a `connect` step, or `admin`
 * (the run's control session). String values anywhere in `body` may hold `{{actor.username}}`,
 * `{{actor.nickname}}`, `{{actor.password}}` or `{{name:base}}` (a fresh run-prefixed name, the same
 * for the same base within one replay); steps.ts substitutes them.
 */
export const stepSchema = z.discriminatedUnion('op', [
  /** A well-formed request, checked in lockstep (Actor.request). */
  z.object({ op: z.literal('request'), actor: z.string(), type: z.string(), body: body.default({}) }).strict(),
  /** Several requests in one write (Actor.pipeline). */
  z
    .object({
      op: z.literal('pipeline'),
      actor: z.string(),
      requests: z.array(z.object({ type: z.string(), body: body.default({}) }).strict()),
    })
    .strict(),
  /** Raw bytes (Actor.sendRaw): `text` is UTF-8, `base64` is any bytes. Exactly one of the two. */
  z
    .object({ op: z.literal('raw'), actor: z.string(), text: z.string().optional(), base64: z.string().optional() })
    .strict()
    .refine((s) => (s.text === undefined) !== (s.base64 === undefined), { message: 'a raw step has exactly one of text and base64' }),
  /** Opens one more bare connection under a new actor name (CheckContext.connect). */
  z.object({ op: z.literal('connect'), actor: z.string(), state: z.enum(['new', 'shaken']).default('new') }).strict(),
  z.object({ op: z.literal('handshake'), actor: z.string(), version: z.string().optional() }).strict(),
  z.object({ op: z.literal('login'), actor: z.string(), body: body.optional() }).strict(),
  z.object({ op: z.literal('close'), actor: z.string() }).strict(),
  /** Round trip: the connection is open and nothing unexpected arrived before. */
  z.object({ op: z.literal('expectConnected'), actor: z.string() }).strict(),
  z.object({ op: z.literal('expectClosed'), actor: z.string() }).strict(),
]);
export type Step = z.infer<typeof stepSchema>;

/** One frame of the recorded transcript (passwords masked). */
export const transcriptEntry = z
  .object({
    conn: z.string(),
    actor: z.string().optional(),
    dir: z.enum(['sent', 'received', 'closed']),
    frame: z.string(),
  })
  .strict();

const failureSchema = z.object({
  rule: z.string(),
  sent: z.string(),
  /** Every allowed outcome (Failure.expected), and what qualifies them; fixtures written before the list was structured hold one string. */
  expected: z.union([z.array(z.string()), z.string().transform((s) => [s])]),
  note: z.string().optional(),
  actual: z.string(),
  actor: z.string().optional(),
});

export const fixtureSchema = z
  .object({
    format: z.literal(FIXTURE_FORMAT),
    version: z.literal(FIXTURE_VERSION),
    fuzzer: z.enum(FUZZERS),
    /** The failure class, e.g. `crash`, `hang`, `leak`, `mismatch` (frames), `verdict` (validators). */
    class: z.string(),
    title: z.string(),
    rules: z.array(z.string()),
    /** The seed of the fuzz run and fast-check's counterexample path: `fuzz <fuzzer> --seed S` finds it again. */
    seed: z.number().int(),
    path: z.string().optional(),
    profile: z.enum(PROFILES),
    match: z.enum(MATCH_MODES),
    actors: z.record(z.string(), actorSpec).default({}),
    steps: z.array(stepSchema).min(1),
    /** What was seen when the fixture was found: the server it was found against and the failures. */
    found: z
      .object({
        against: z.string(),
        at: z.string().optional(),
        failures: z.array(failureSchema),
        transcript: z.array(transcriptEntry).default([]),
      })
      .strict()
      .optional(),
  })
  .strict();
export type Fixture = z.infer<typeof fixtureSchema>;

/** A fixture file that does not parse or does not match the schema: a clear one-line error, exit 2. */
export class FixtureError extends Error {
  constructor(
    readonly file: string,
    why: string,
  ) {
    super(`${file}: not a valid fixture: ${why}`);
    this.name = 'FixtureError';
  }
}

/** Parses fixture text; throws FixtureError with the first problem (path and message). */
export function parseFixture(text: string, file: string): Fixture {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FixtureError(file, `not JSON (${(e as Error).message})`);
  }
  const r = fixtureSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new FixtureError(file, `${issue.path.length > 0 ? issue.path.join('.') : '(top)'}: ${issue.message}`);
  }
  return r.data;
}
