// Command-line front end. `nexus-conform [run] [host:port]` runs the suite (against the embedded
// reference server when no target is given); `nexus-conform serve` runs the reference server.
// Exit codes: 0 all checks passed, 1 a check failed, 2 usage or connection error, 130 interrupted.
// Every error reaches the user as one line on stderr; stack traces only with NEXUS_CONFORM_DEBUG=1.
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { pino, type Logger } from 'pino';
import { parseTarget } from './net/address.ts';
import { normalizeFingerprint } from './net/connection.ts';
import { MATCH_MODES, PROFILES, type MatchMode, type Profile } from './protocol/types.ts';
import { ConsoleReporter, formatSummaryLine, shouldUseColor } from './report/console.ts';
import { computeCoverage, unknownCitations } from './report/coverage.ts';
import { writeJsonReport } from './report/json.ts';
import { writeJunitReport } from './report/junit.ts';
import type { RunResult } from './report/types.ts';
import type { CheckDef, Section } from './runner/api.ts';

// The runner, the scenarios and the server are loaded only by the commands that need them, so
// `--help` and usage errors answer at once and never depend on the heavier layers.
const loadRunner = () => import('./runner/run.ts');
const loadScenarios = () => import('./runner/load.ts');
const loadServer = () => import('./server/server.ts');
type ServerHandle = Awaited<ReturnType<Awaited<ReturnType<typeof loadServer>>['startServer']>>;

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

const defaultIO = (): CliIO => ({ stdout: process.stdout, stderr: process.stderr, env: process.env, process: true });

/** A user-facing error: printed as one line, exit code 2. */
class UsageError extends Error {}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}

function formatAddress(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

// --- option parsers (throw InvalidArgumentError → commander prints one line) ---------------------

function parseIntIn(min: number, max: number, what: string) {
  return (value: string): number => {
    if (!/^[0-9]+$/.test(value.trim())) throw new InvalidArgumentError(`${what} must be a whole number`);
    const n = Number(value.trim());
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${what} must be between ${min} and ${max}`);
    return n;
  };
}

function parseFingerprint(value: string): string {
  try {
    return normalizeFingerprint(value);
  } catch {
    throw new InvalidArgumentError('expected the SHA-256 fingerprint as 32 hex byte pairs, e.g. AB:CD:…');
  }
}

/** The runner's `--grep`: a substring, or `/regex/flags` — which must compile. */
function parseGrep(value: string): string {
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
function collectExclude(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), parseGrep(value)];
}

/** Why an excluded check is reported as skipped. */
export const EXCLUDED_REASON = 'excluded by --exclude';

/**
 * A check `--exclude` names, kept in the run (same id, title, rules and error keys, so the console,
 * JUnit and JSON reports list it as skipped with EXCLUDED_REASON) but with no actors, preconditions
 * or steps: it opens no connection, sends nothing, and the exclusion wins over any other skip reason.
 */
export function asExcluded(c: CheckDef): CheckDef {
  const { actors: _actors, needs: _needs, slow: _slow, ...rest } = c;
  return { ...rest, run: async (_a, t) => t.skip(EXCLUDED_REASON) };
}

export interface AdminCredentials {
  username: string;
  password: string;
}

/** `user:password`, split at the first colon (passwords may contain colons, usernames may not). */
export function parseAdmin(value: string, source: string): AdminCredentials {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) {
    throw new UsageError(`${source} must be user:password (non-empty user and password)`);
  }
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

// --- listing ----------------------------------------------------------------------------------------

/** `--list`: every selected check with id, title, rule ids, error keys and preconditions. */
export function formatList(selected: ReadonlyArray<{ section: Section; check: CheckDef }>, excluded = 0): string {
  const lines: string[] = [];
  let current: Section | undefined;
  let sections = 0;
  for (const { section, check: c } of selected) {
    if (section !== current) {
      current = section;
      sections++;
      lines.push(`${section.id} — ${section.title}`);
    }
    lines.push(`  ${section.id}/${c.id} — ${c.title}`);
    lines.push(`      rules:  ${c.rules.length > 0 ? c.rules.join(', ') : '(none)'}`);
    if (c.errors !== undefined && c.errors.length > 0) lines.push(`      errors: ${c.errors.join(', ')}`);
    const seed = c.seed ?? section.seed;
    if (seed !== undefined) lines.push(`      seed doc: ${seed}`);
    const n = c.needs ?? {};
    const parts = [n.fresh ? 'fresh server' : '', n.profile ? `profile ${n.profile}` : '', n.tls ? 'TLS' : '', n.slow || c.slow ? '--slow' : ''];
    const needs = parts.filter(Boolean).join(', ');
    if (needs !== '') lines.push(`      needs:  ${needs}`);
  }
  lines.push('', `${selected.length} checks in ${sections} sections${excluded > 0 ? ` (${excluded} excluded by --exclude)` : ''}`);
  return lines.join('\n') + '\n';
}

/** The selected checks regrouped as sections (for coverage of what actually ran). */
function asSections(selected: ReadonlyArray<{ section: Section; check: CheckDef }>): Section[] {
  const bySection = new Map<Section, CheckDef[]>();
  for (const { section, check: c } of selected) bySection.set(section, [...(bySection.get(section) ?? []), c]);
  return [...bySection].map(([section, checks]) => ({ ...section, checks }));
}

// --- signals ----------------------------------------------------------------------------------------

/** Calls `onFirst` on the first SIGINT/SIGTERM; a second one exits at once. Returns the remover. */
function trapSignals(io: CliIO, onFirst: (signal: NodeJS.Signals) => void): () => void {
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

function makeLogger(io: CliIO, fallback: string): Logger {
  // Structured logs go to stderr so they never mix with the report; silent by default for runs.
  const level = io.env.NEXUS_CONFORM_LOG ?? fallback;
  return pino({ level, base: undefined }, pino.destination({ dest: 2, sync: true }));
}

// --- run -------------------------------------------------------------------------------------------

interface RunFlags {
  tls?: boolean;
  plain?: boolean;
  fingerprint?: string;
  admin?: string;
  profile: Profile;
  match: MatchMode;
  grep?: string;
  exclude?: string[];
  list?: boolean;
  junit?: string;
  json?: string;
  timeout: number;
  seed?: number;
  slow?: boolean;
  quiet?: boolean;
}

async function runCommand(targetArg: string | undefined, flags: RunFlags, io: CliIO): Promise<number> {
  // Validate everything that does not need the network before touching it.
  const target = targetArg === undefined ? undefined : parseTarget(targetArg);
  if (flags.plain && flags.fingerprint !== undefined) throw new UsageError('--fingerprint needs TLS; it cannot be combined with --plain');
  if (target === undefined && flags.fingerprint !== undefined && !flags.tls) {
    throw new UsageError('--fingerprint needs TLS: the embedded server speaks plain TCP unless --tls is given');
  }
  const fromEnv = io.env.NEXUS_CONFORM_ADMIN;
  let admin: AdminCredentials;
  if (flags.admin !== undefined) admin = parseAdmin(flags.admin, '--admin');
  else if (fromEnv !== undefined && fromEnv !== '') admin = parseAdmin(fromEnv, 'NEXUS_CONFORM_ADMIN');
  else if (target !== undefined) {
    throw new UsageError(
      'a real target needs admin credentials: --admin user:password or NEXUS_CONFORM_ADMIN (on a fresh server the first login creates this admin)',
    );
  } else {
    // The embedded server starts empty: the first login creates this admin (SES-AUTH-2).
    admin = { username: `nc-admin-${randomBytes(3).toString('hex')}`, password: randomBytes(18).toString('base64url') };
  }

  const sections = await (await loadScenarios()).loadSections();
  const { makeFilter, runSuite, selectChecks, TargetUnavailableError } = await loadRunner();
  // The runner's own selection, so the listing, the count and the run always agree.
  const selected = selectChecks(sections, flags.grep);
  if (selected.length === 0) throw new UsageError(`no check matches --grep ${JSON.stringify(flags.grep)}`);
  // --exclude: the runner's --grep matching (substring or /regex/) per pattern, on the id, the title
  // and also each rule id, so a target can drop the checks of one rule: e.g. `--exclude UND-13`, the
  // WIRE-TMO-1 idle checks, on pre-seed builds without a pre-login idle timeout (WIRE-TMO-4).
  const excludes = (flags.exclude ?? []).map((p) => makeFilter(p));
  const isExcluded = (section: Section, c: CheckDef): boolean =>
    excludes.some((f) => f(`${section.id}/${c.id}`) || f(c.title) || c.rules.some((r) => f(r)));
  const toRun = selected.filter((p) => !isExcluded(p.section, p.check));
  if (toRun.length === 0) throw new UsageError(`--exclude leaves no check to run (${selected.length} selected, all excluded)`);
  const runSections = excludes.length === 0 ? sections : sections.map((s) => ({ ...s, checks: s.checks.map((c) => (isExcluded(s, c) ? asExcluded(c) : c)) }));
  const selection = [
    ...(flags.grep !== undefined ? [`--grep ${flags.grep}`] : []),
    ...(flags.exclude ?? []).map((p) => `--exclude ${p}`),
  ].join(' ');
  if (flags.list) {
    io.stdout.write(formatList(toRun, selected.length - toRun.length));
    const unknown = unknownCitations(sections);
    const typos = [...unknown.rules, ...unknown.errors];
    if (typos.length > 0) io.stderr.write(`nexus-conform: warning: checks cite ids the spec does not define: ${typos.join(', ')}\n`);
    return EXIT.ok;
  }

  const seed = flags.seed ?? randomInt(0, 2 ** 31);
  const logger = makeLogger(io, 'silent');
  const color = shouldUseColor(io.stdout, io.env);
  const reporter = new ConsoleReporter(
    (t) => io.stdout.write(t),
    { color, quiet: flags.quiet ?? false, ...(selection !== '' ? { selection } : {}) },
    new Map(sections.map((s) => [s.id, s.title])),
  );

  const controller = new AbortController();
  let interrupted = false;
  const untrap = trapSignals(io, (signal) => {
    interrupted = true;
    io.stderr.write(`\nnexus-conform: ${signal}: stopping and restoring the target (press Ctrl-C again to quit at once)\n`);
    controller.abort();
  });

  let server: ServerHandle | undefined;
  try {
    const { startServer } = await loadServer();
    const tls = flags.tls === true;
    let host: string;
    let port: number;
    let transport: 'auto' | 'tls' | 'plain';
    let fingerprint = flags.fingerprint;
    if (target === undefined) {
      server = await startServer({ host: '127.0.0.1', port: 0, tls, profile: flags.profile, logger });
      host = server.host;
      port = server.port;
      transport = tls ? 'tls' : 'plain';
      // Pin the embedded server's own certificate unless the user asked to pin something else.
      fingerprint ??= server.fingerprint;
    } else {
      host = target.host;
      port = target.port;
      transport = flags.tls ? 'tls' : flags.plain ? 'plain' : 'auto';
    }
    if (interrupted) return EXIT.interrupted;

    reporter.header({
      version: version(),
      address: formatAddress(host, port),
      embedded: target === undefined,
      transport,
      ...(fingerprint !== undefined ? { fingerprint } : {}),
      profile: flags.profile,
      match: flags.match,
      seed,
      admin: admin.username,
      checks: selected.length,
    });

    let result: RunResult;
    let notRun = 0;
    try {
      result = await runSuite({
        target: { host, port, transport, ...(fingerprint !== undefined ? { fingerprint } : {}), embedded: target === undefined },
        admin,
        profile: flags.profile,
        match: flags.match,
        ...(flags.grep !== undefined ? { grep: flags.grep } : {}),
        timeoutMs: flags.timeout,
        seed,
        sections: runSections,
        slow: flags.slow ?? false,
        signal: controller.signal,
        onResult: (r) => {
          // After an interrupt the runner reports every remaining check as skipped; count them
          // instead of printing hundreds of identical lines.
          if (interrupted && r.status === 'skipped' && r.durationMs === 0) notRun++;
          else reporter.check(r);
        },
        logger,
      });
    } catch (err) {
      if (interrupted) {
        io.stderr.write(`nexus-conform: interrupted (seed ${seed})\n`);
        return EXIT.interrupted;
      }
      if (err instanceof TargetUnavailableError) {
        throw new UsageError(`cannot test ${formatAddress(host, port)}: ${errorText(err)}`);
      }
      throw err;
    }

    result.coverage ??= computeCoverage(asSections(toRun), flags.profile);
    if (notRun > 0) reporter.note(`\n${notRun} checks not run (interrupted)`);
    reporter.finish(result);
    const reportErrors: string[] = [];
    for (const [file, write] of [
      [flags.junit, () => writeJunitReport(flags.junit!, result, new Map(sections.map((s) => [s.id, s.title])))],
      [flags.json, () => writeJsonReport(flags.json!, result)],
    ] as const) {
      if (file === undefined) continue;
      try {
        write();
      } catch (err) {
        reportErrors.push(`cannot write ${file}: ${errorText(err)}`);
      }
    }
    if (reportErrors.length > 0) throw new UsageError(reportErrors.join('; '));
    if (interrupted) {
      io.stderr.write(`nexus-conform: interrupted after ${formatSummaryLine(result.summary)}\n`);
      return EXIT.interrupted;
    }
    return result.summary.failed > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    untrap();
    if (server !== undefined) await server.close();
  }
}

// --- serve -----------------------------------------------------------------------------------------

interface ServeFlags {
  host: string;
  port: number;
  tls?: boolean;
  profile: Profile;
}

async function serveCommand(flags: ServeFlags, io: CliIO): Promise<number> {
  const logger = makeLogger(io, 'silent');
  const { startServer } = await loadServer();
  let server: ServerHandle;
  try {
    server = await startServer({ host: flags.host, port: flags.port, tls: flags.tls === true, profile: flags.profile, logger });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : errorText(err);
    throw new UsageError(`cannot listen on ${formatAddress(flags.host, flags.port)}: ${why}`);
  }
  let release: (signal: string) => void = () => {};
  const signalled = new Promise<string>((resolve) => (release = resolve));
  const untrap = trapSignals(io, (signal) => release(signal));
  try {
    io.stdout.write(
      `nexus-conform reference server listening on ${formatAddress(server.host, server.port)} ` +
        `(${flags.tls ? 'TLS' : 'plain TCP'}, profile ${flags.profile})\n`,
    );
    if (server.fingerprint !== undefined) io.stdout.write(`fingerprint ${server.fingerprint}\n`);
    const why = await signalled;
    io.stdout.write(`stopping (${why})\n`);
    return EXIT.ok;
  } finally {
    untrap();
    await server.close();
  }
}

// --- program ---------------------------------------------------------------------------------------

function buildProgram(io: CliIO, setResult: (p: Promise<number>) => void): Command {
  const program = new Command('nexus-conform')
    .description('Conformance suite and reference server for the Nexus BBS protocol')
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`nexus-conform: ${s.replace(/^error: /, '')}`),
    })
    .showSuggestionAfterError()
    .addHelpText('after', '\nRun `nexus-conform run --help` for the options of a run.');

  program
    .command('run [target]', { isDefault: true })
    .description('run the suite against host:port, or against the embedded reference server when no target is given')
    .addOption(new Option('--tls', 'connect with TLS only').conflicts('plain'))
    .addOption(new Option('--plain', 'connect with plain TCP only').conflicts('tls'))
    .option('--fingerprint <sha256>', 'pin the server certificate (AA:BB:… SHA-256)', parseFingerprint)
    .option('--admin <user:password>', 'admin credentials for a real target (env NEXUS_CONFORM_ADMIN)')
    .addOption(new Option('--profile <profile>', 'behaviour and wording profile').choices(PROFILES).default('spec'))
    .addOption(new Option('--match <mode>', 'how strictly error strings and carriers are compared').choices(MATCH_MODES).default('exact'))
    .option('--grep <pattern>', 'only checks whose id or title contains this text, or matches /regex/flags', parseGrep)
    .option('--exclude <pattern>', 'skip checks whose id, title or a rule id contains this text, or matches /regex/flags (repeatable)', collectExclude)
    .option('--list', 'list the checks (id, title, rule ids, error keys) and exit')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--json <file>', 'write a JSON report')
    .option('--timeout <ms>', 'wait at most this long for an expected frame', parseIntIn(1, 600_000, '--timeout'), 2000)
    .option('--seed <n>', 'seed of everything random in the run (default: random, always printed)', parseIntIn(0, 2 ** 32 - 1, '--seed'))
    .option('--slow', 'include checks that wait for server timeouts')
    .option('--quiet', 'print only failing checks and the summary')
    .action((target: string | undefined, flags: RunFlags) => setResult(runCommand(target, flags, io)));

  program
    .command('serve')
    .description('run the reference server until SIGINT/SIGTERM')
    .option('--host <host>', 'address to bind', '0.0.0.0')
    .option('--port <port>', 'port to listen on (0 = any free port)', parseIntIn(0, 65535, '--port'), 7500)
    .option('--tls', 'serve TLS with a fresh self-signed certificate')
    .addOption(new Option('--profile <profile>', 'behaviour and wording profile').choices(PROFILES).default('spec'))
    .action((flags: ServeFlags) => setResult(serveCommand(flags, io)));

  return program;
}

export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const debug = io.env.NEXUS_CONFORM_DEBUG === '1';
  const fail = (err: unknown): number => {
    io.stderr.write(`nexus-conform: ${errorText(err)}\n`);
    if (debug && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
    return EXIT.usage;
  };
  let onCrash: ((err: unknown) => void) | undefined;
  if (io.process) {
    // A failure escaping every await (a bug) still ends as one line and exit 2, not a stack trace.
    onCrash = (err: unknown) => {
      io.stderr.write(`nexus-conform: internal error: ${errorText(err)}\n`);
      if (debug && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
      process.exit(EXIT.usage);
    };
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
  }

  let code: number;
  try {
    // The action hands back its promise so its exit code (not commander's) decides.
    const action: { result?: Promise<number> } = {};
    const program = buildProgram(io, (p) => (action.result = p));
    await program.parseAsync(argv, { from: 'user' });
    code = action.result === undefined ? EXIT.ok : await action.result;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exit code 0; every parse error is a usage error.
      code = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else {
      code = fail(err);
    }
  }
  if (io.process) {
    // If some socket or timer leaked, still end within a moment rather than hang a CI job.
    setTimeout(() => process.exit(code), 3000).unref();
  }
  return code;
}
