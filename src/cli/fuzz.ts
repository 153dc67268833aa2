// `nexus-conform fuzz <frames|validators|stateful|all> [target]`: the fuzzers against a target or
// the embedded reference server, under a time and/or case budget, with a live progress line, the
// fixtures of what they find written to --fixtures, and the same reports and exit codes as `run`.
import { randomInt } from 'node:crypto';
import type { FuzzerName } from '../fuzz/fixture.ts';
import type { FuzzProgress, FuzzRunResult } from '../fuzz/run.ts';
import type { FramesMode, FuzzFailure } from '../fuzz/types.ts';
import type { MatchMode } from '../protocol/types.ts';
import { ConsoleReporter, formatSummaryLine, shouldUseColor } from '../report/console.ts';
import type { CliIO } from './common.ts';
import { errorText, EXIT, formatAddress, makeLogger, trapInterrupt, UsageError, version } from './common.ts';
import { applyGate, gateExit, readGate, writeGateBaseline, type GateFlags } from './gate.ts';
import { PREFLIGHT_SECTION } from '../runner/preflight.ts';
import { writeReports } from './reports.ts';
import { openTarget, planTarget, sessionTarget, type OpenTarget, type TargetFlags } from './target.ts';

const loadDriver = () => import('../fuzz/run.ts');
const loadRegistry = () => import('../fuzz/registry.ts');
const loadFailures = () => import('../runner/failures.ts');

/** Where found fixtures go unless --fixtures says otherwise (kept out of git by .gitignore). */
export const DEFAULT_FIXTURES_DIR = 'fixtures/found';
/** The budget when neither --time nor --runs is given. */
export const DEFAULT_TIME_S = 30;
/** Plain progress lines (no TTY) come at most this often. */
const PLAIN_PROGRESS_MS = 5000;

export interface FuzzFlags extends TargetFlags, GateFlags {
  match: MatchMode;
  timeout: number;
  seed?: number;
  time?: number;
  runs?: number;
  junit?: string;
  json?: string;
  html?: string;
  quiet?: boolean;
  fixtures?: string;
  framesMode?: FramesMode;
}

/** The fuzzers a `fuzz` argument names (`all`: every one this build has). */
export async function selectFuzzers(which: string): Promise<FuzzerName[]> {
  const { registeredFuzzers } = await loadRegistry();
  const known = registeredFuzzers();
  if (which === 'all') return known;
  if (!known.includes(which as FuzzerName))
    throw new UsageError(`unknown fuzzer ${JSON.stringify(which)}: choose one of ${[...known, 'all'].join(', ')}`);
  return [which as FuzzerName];
}

/** The command that replays a fixture against the same target. */
export function replayCommand(fixture: string, targetArg: string | undefined, flags: Pick<FuzzFlags, 'tls' | 'plain'>): string {
  const parts = ['nexus-conform', 'replay', fixture];
  if (targetArg !== undefined) parts.push(targetArg);
  if (flags.tls) parts.push('--tls');
  if (flags.plain && targetArg !== undefined) parts.push('--plain');
  return parts.map((p) => (/^[A-Za-z0-9_./:@%+=,-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** One progress line: cases, cases per second, failures. */
export function progressLine(p: FuzzProgress): string {
  const rate = p.elapsedMs > 0 ? Math.round((p.cases * 1000) / p.elapsedMs) : 0;
  return `${p.fuzzer}: ${p.cases} cases, ${rate} cases/s, ${p.failures} failure${p.failures === 1 ? '' : 's'}${p.done ? ` (${(p.elapsedMs / 1000).toFixed(1)} s)` : ''}`;
}

export async function fuzzCommand(which: string, targetArg: string | undefined, flags: FuzzFlags, io: CliIO): Promise<number> {
  const plan = planTarget(targetArg, flags, io);
  const fuzzers = await selectFuzzers(which);
  const gate = await readGate(flags);
  const seed = flags.seed ?? randomInt(0, 2 ** 31);
  const timeMs = flags.time !== undefined ? flags.time * 1000 : flags.runs === undefined ? DEFAULT_TIME_S * 1000 : undefined;
  const fixturesDir = flags.fixtures ?? DEFAULT_FIXTURES_DIR;
  const logger = makeLogger(io, 'silent');
  const color = shouldUseColor(io.stdout, io.env);
  const quiet = flags.quiet ?? false;
  const out = (s: string): void => void io.stdout.write(s);
  const reporter = new ConsoleReporter(out, { color, quiet }, new Map([[PREFLIGHT_SECTION.id, PREFLIGHT_SECTION.title]]));
  const tty = io.stdout.isTTY === true;

  const { stop, untrap } = trapInterrupt(io);

  let opened: OpenTarget | undefined;
  try {
    opened = await openTarget(plan, flags, logger);
    const { host, port, transport, fingerprint } = opened;
    if (stop.aborted) return EXIT.interrupted;
    const budget = [
      timeMs !== undefined ? `${timeMs / 1000} s${fuzzers.length > 1 ? ' shared' : ''}` : '',
      flags.runs !== undefined ? `${flags.runs} cases per fuzzer` : '',
    ]
      .filter(Boolean)
      .join(', ');
    // The seed is printed even with --quiet: it is what reproduces the run.
    out(
      quiet
        ? `seed ${seed}\n`
        : [
            `nexus-conform ${version()} fuzz`,
            `target:      ${formatAddress(host, port)}${opened.embedded ? ' (embedded reference server)' : ''}`,
            `transport:   ${transport === 'auto' ? 'auto (TLS, else plain TCP)' : transport === 'tls' ? 'TLS' : 'plain TCP'}`,
            ...(fingerprint !== undefined ? [`fingerprint: ${fingerprint}`] : []),
            `profile:     ${flags.profile}, match ${flags.match}`,
            `admin:       ${plan.admin.username}`,
            `fuzzers:     ${fuzzers.join(', ')}`,
            `budget:      ${budget}`,
            ...(fuzzers.includes('frames') ? [`frames mode: ${flags.framesMode ?? 'mixed'}`] : []),
            `fixtures:    ${fixturesDir}`,
            `seed:        ${seed}  (repeat with --seed ${seed})`,
            '',
            '',
          ].join('\n'),
    );

    // Live line on a TTY (rewritten in place), plain lines every few seconds otherwise.
    let lastPlain = 0;
    let live = false;
    const onProgress = (p: FuzzProgress): void => {
      if (quiet && !p.done) return;
      if (tty) {
        out(`\r\x1b[2K${progressLine(p)}${p.done ? '\n' : ''}`);
        live = !p.done;
      } else if (p.done || Date.now() - lastPlain >= PLAIN_PROGRESS_MS) {
        lastPlain = Date.now();
        out(progressLine(p) + '\n');
      }
    };
    const onFailure = (fuzzer: FuzzerName, f: FuzzFailure): void => {
      if (live) out('\r\x1b[2K');
      live = false;
      out(`${fuzzer}: found ${f.class}: ${f.message.split('\n')[0]}\n`);
      if (f.fixture !== undefined) out(`    fixture: ${f.fixture}\n    replay:  ${replayCommand(f.fixture, targetArg, flags)}\n`);
    };

    const { runFuzz } = await loadDriver();
    const { TargetUnavailableError } = await loadFailures();
    let result: FuzzRunResult;
    try {
      result = await runFuzz({
        target: sessionTarget(opened),
        admin: plan.admin,
        profile: flags.profile,
        match: flags.match,
        timeoutMs: flags.timeout,
        seed,
        fuzzers,
        ...(timeMs !== undefined ? { timeMs } : {}),
        ...(flags.runs !== undefined ? { runs: flags.runs } : {}),
        fixturesDir,
        ...(flags.framesMode !== undefined ? { framesMode: flags.framesMode } : {}),
        against: opened.embedded ? `embedded reference server (${flags.profile})` : formatAddress(host, port),
        ...(opened.restart ? { restart: opened.restart } : {}),
        // The embedded server starts empty: its first login must create the admin (SES-AUTH-2).
        knownFresh: opened.embedded,
        signal: stop,
        logger,
        onProgress,
        onFailure,
        onNotice: (line) => out(line + '\n'),
      });
    } catch (err) {
      if (stop.aborted) {
        io.stderr.write(`nexus-conform: interrupted (seed ${seed})\n`);
        return EXIT.interrupted;
      }
      if (err instanceof TargetUnavailableError) throw new UsageError(`cannot test ${formatAddress(host, port)}: ${errorText(err)}`);
      // Not the target's doing: the harness's own bug, said as such with what repeats it.
      if (io.env.NEXUS_CONFORM_DEBUG === '1' && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
      throw new UsageError(`internal error: ${errorText(err)} (repeat with --seed ${seed}; NEXUS_CONFORM_DEBUG=1 shows the stack)`);
    }

    out('\n');
    // Marked before they are printed (a listed find shows as expected, not as a failure); what the
    // gate says comes after them, as in `run`. A fuzz run only notes (absent finds are no warning).
    const said = gate !== undefined ? await applyGate(result, gate, 'not-found') : null;
    for (const c of result.checks) reporter.check(c);
    for (const line of said?.notes ?? []) reporter.note(line);
    reporter.finish(result);
    writeReports(
      flags,
      result,
      new Map([
        ['fuzz', 'fuzzers'],
        [PREFLIGHT_SECTION.id, PREFLIGHT_SECTION.title],
      ]),
      {
        fuzz: result.fuzz.map((f) => ({
          fuzzer: f.fuzzer,
          cases: f.cases,
          durationMs: f.durationMs,
          casesPerSecond: f.casesPerSecond,
          failures: f.failures.map((x) => ({ class: x.class, rules: x.rules, message: x.message, fixture: x.fixture ?? null })),
        })),
      },
    );
    if (stop.aborted) {
      io.stderr.write(`nexus-conform: interrupted after ${formatSummaryLine(result.summary)} (seed ${seed})\n`);
      return EXIT.interrupted;
    }
    await writeGateBaseline(flags, result, gate);
    return await gateExit(result);
  } finally {
    untrap();
    await opened?.close();
  }
}
