// What every command of the command line shares: the IO it writes to, exit codes, the one-line
// usage error, option parsers, admin credentials, signal handling and the logger.
import { isIP } from 'node:net';
import { InvalidArgumentError } from 'commander';
import { pino, type Logger } from 'pino';
import { normalizeFingerprint } from '../net/connection.ts';
import { toolVersion } from '../report/tool-version.ts';
import { splitCredentials, type AdminCredentials } from '../runner/admin-credentials.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Where the CLI writes and what it reads; injectable so tests can run `main` in-process. */
export interface CliIO {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /**
   * Whether this is the real process: then SIGINT/SIGTERM are handled, uncaught errors become one
   * line + exit 2, and the process is made to exit even if some handle leaked.
   */
  process: boolean;
}

export const defaultIO = (): CliIO => ({ stdout: process.stdout, stderr: process.stderr, env: process.env, process: true });

/** A user-facing error: printed as one line, exit code 2. */
export class UsageError extends Error {}

export const version = toolVersion;

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}

export function formatAddress(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

// --- option parsers (throw InvalidArgumentError → commander prints one line) ---------------------

export function parseIntIn(min: number, max: number, what: string) {
  return (value: string): number => {
    if (!/^[0-9]+$/.test(value.trim())) throw new InvalidArgumentError(`${what} must be a whole number`);
    const n = Number(value.trim());
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${what} must be between ${min} and ${max}`);
    return n;
  };
}

export function parseFingerprint(value: string): string {
  try {
    return normalizeFingerprint(value);
  } catch {
    throw new InvalidArgumentError('expected the SHA-256 fingerprint as 32 hex byte pairs, e.g. AB:CD:…');
  }
}

/** The runner's `--grep`: a substring, or `/regex/flags` — which must compile. */
export function parseGrep(value: string): string {
  const re = /^\/(.*)\/([a-z]*)$/s.exec(value);
  if (re) {
    try {
      new RegExp(re[1]!, re[2]);
    } catch {
      throw new InvalidArgumentError('not a valid /regular expression/');
    }
  }
  return value;
}

/** `--exclude`, repeatable: every pattern is kept whole (a /regex/ may contain commas). */
export function collectExclude(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), parseGrep(value)];
}

/** `--admin user:password` (the type the runner takes, src/runner/control.ts). */
export type { AdminCredentials };

/** `user:password`, split at the first colon (passwords may contain colons, usernames may not). */
export function parseAdmin(value: string, source: string): AdminCredentials {
  const admin = splitCredentials(value);
  if (admin === null) throw new UsageError(`${source} must be user:password (non-empty user and password)`);
  return admin;
}

// --- signals ----------------------------------------------------------------------------------------

/** Calls `onFirst` on the first SIGINT/SIGTERM; a second one exits at once. Returns the remover. */
export function trapSignals(io: CliIO, onFirst: (signal: NodeJS.Signals) => void): () => void {
  if (!io.process) return () => {};
  let seen = false;
  const handler = (signal: NodeJS.Signals) => {
    if (seen) {
      io.stderr.write('nexus-conform: interrupted again, quitting without cleanup\n');
      process.exit(EXIT.interrupted);
    }
    seen = true;
    onFirst(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/**
 * SIGINT/SIGTERM during a run, fuzz or replay: the first one aborts the returned signal (the command
 * stops after the current step and restores the target); `untrap` removes the handlers.
 */
export function trapInterrupt(io: CliIO): { stop: AbortSignal; untrap: () => void } {
  const controller = new AbortController();
  const untrap = trapSignals(io, (signal) => {
    io.stderr.write(`\nnexus-conform: ${signal}: stopping and restoring the target (press Ctrl-C again to quit at once)\n`);
    controller.abort();
  });
  return { stop: controller.signal, untrap };
}

export function makeLogger(io: CliIO, fallback: string): Logger {
  // Structured logs go to stderr so they never mix with the report; silent by default for runs.
  const level = io.env.NEXUS_CONFORM_LOG ?? fallback;
  return pino({ level, base: undefined }, pino.destination({ dest: 2, sync: true }));
}
