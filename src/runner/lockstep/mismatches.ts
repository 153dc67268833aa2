// The mismatch record of the check in progress: every way the target's traffic left what the model
// allows, with the rule it breaks, what was sent, what was expected and what came back. An
// operation that added failures ends by raising them (LockstepMismatch): the mirror can no longer
// be trusted for the rest of the check.
import type { Logger } from 'pino';
import type { Failure } from '../results.ts';
import type { ExpectedOutcomes } from '../render.ts';
import { firstLine } from '../text.ts';

/** Thrown after an exchange that produced failures: the mirror can no longer be trusted for this check. */
export class LockstepMismatch extends Error {
  constructor(readonly failures: Failure[]) {
    super(failures.map((f) => `${f.rule}: expected ${firstLine(f.expected[0] ?? '', 200)}, got ${firstLine(f.actual, 200)}`).join('; '));
    this.name = 'LockstepMismatch';
  }
}

export class Mismatches {
  private failures: Failure[] = [];
  /** Rules of the current check: the rule of a failure no output names. */
  private checkRules: string[] = [];
  /** What the harness wrote last (the `sent` of a failure no expectation explains). */
  lastSent = '(nothing sent yet)';
  /**
   * Set while the outcome of the current operation was chosen among several allowed ones: its
   * failures name every allowed outcome (outcomes.ts outcomeNote).
   */
  note: string | null = null;

  constructor(private readonly logger: Logger | undefined) {}

  /** Starts the record of a new check. */
  begin(rules: string[]): void {
    this.failures = [];
    this.checkRules = rules;
  }

  get rules(): readonly string[] {
    return this.checkRules;
  }

  /** The failures of the check so far (a copy). */
  all(): Failure[] {
    return [...this.failures];
  }

  /** Failures found outside the engine (a scenario assertion, a runner step) join the record in order. */
  add(...failures: Failure[]): void {
    this.failures.push(...failures);
  }

  /** `expected`: every allowed outcome (a description stands for one). */
  record(actor: string, rules: readonly string[], sent: string, expected: ExpectedOutcomes | string, actual: string): void {
    const rule = rules[0] ?? this.checkRules[0] ?? 'GEN-3';
    const e = typeof expected === 'string' ? { expected: [expected] } : expected;
    // A failure of an operation with several allowed outcomes names all of them (outcomes.ts).
    const note = [e.note, this.note].filter((n) => n !== undefined && n !== null && n !== '').join('; ');
    const f: Failure = { rule, sent, expected: e.expected, ...(note !== '' ? { note } : {}), actual, actor };
    this.failures.push(f);
    this.logger?.debug({ rule, actor, expected: firstLine(e.expected[0] ?? '', 200), actual: firstLine(actual, 200) }, 'lockstep mismatch');
  }

  /** A mark to raise from: failures recorded after it belong to the operation that took it. */
  mark(): number {
    return this.failures.length;
  }

  raiseSince(mark: number): void {
    if (this.failures.length > mark) throw new LockstepMismatch(this.failures.slice(mark));
  }
}
