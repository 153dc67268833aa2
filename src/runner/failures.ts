// Control flow of a check: how a run function fails, skips, or finds the target unusable.
import type { Failure } from './results.ts';

/** A scenario assertion failed (expectSuccess, expectError, t.assert). */
export class CheckFailure extends Error {
  constructor(readonly failures: Failure[]) {
    super(failures.map((f) => `${f.rule}: ${f.expected[0] ?? ''}`).join('; '));
    this.name = 'CheckFailure';
  }
}

/** `t.skip(reason)` */
export class SkipCheck extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SkipCheck';
  }
}

/**
 * The target cannot be tested at all: refused, TLS or fingerprint failure, the admin cannot log in.
 * The message is one line; the CLI maps this to exit code 2.
 */
export class TargetUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetUnavailableError';
  }
}

/** Why a run stopped running checks; the rest are skipped with the reason, which starts with one of these. */
export const STOPPED = {
  unavailable: 'the target became unavailable',
  noAdmin: 'the harness has no admin session',
} as const;

/** Whether a skip reason says the run stopped (as opposed to a check's own precondition). */
export function isStopReason(message: string | undefined): boolean {
  return message !== undefined && Object.values(STOPPED).some((p) => message.startsWith(p));
}
