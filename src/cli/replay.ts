// `nexus-conform replay <fixture|folder> [target]`: regression fixtures run again through the
// lockstep runner against a target or the embedded reference server, one verdict per fixture, with
// the same console, JUnit and JSON reports and exit codes as `run`. A malformed fixture is one line
// and exit 2 before anything connects.
import { randomInt } from 'node:crypto';
import type { MatchMode, Profile } from '../protocol/types.ts';
import type { RunResult } from '../report/types.ts';
import { ConsoleReporter, formatSummaryLine, shouldUseColor } from '../report/console.ts';
import type { CliIO } from './common.ts';
import { errorText, EXIT, formatAddress, makeLogger, trapInterrupt, UsageError } from './common.ts';
import { writeReports } from './reports.ts';
import { openTarget, planTarget, runHeader, sessionTarget, type OpenTarget } from './target.ts';

const loadReplay = () => import('../fuzz/replay.ts');
const loadFixtureFormat = () => import('../fuzz/fixture.ts');
const loadFailures = () => import('../runner/failures.ts');

export interface ReplayFlags {
  tls?: boolean;
  plain?: boolean;
  fingerprint?: string;
  admin?: string;
  /** Default: the profile the fixtures record. */
  profile?: Profile;
  match?: MatchMode;
  timeout: number;
  seed?: number;
  junit?: string;
  json?: string;
  html?: string;
  quiet?: boolean;
}

export async function replayCommand(path: string, targetArg: string | undefined, flags: ReplayFlags, io: CliIO): Promise<number> {
  const { loadFixtures, replaySettings, replayFixtures } = await loadReplay();
  const { FixtureError } = await loadFixtureFormat();
  let fixtures: ReturnType<typeof loadFixtures>;
  let settings: { profile: Profile; match: MatchMode };
  try {
    fixtures = loadFixtures(path);
    settings = replaySettings(fixtures, flags.profile, flags.match);
  } catch (err) {
    if (err instanceof FixtureError) throw new UsageError(err.message);
    throw err;
  }
  const plan = planTarget(targetArg, { ...flags, profile: settings.profile }, io);
  const seed = flags.seed ?? randomInt(0, 2 ** 31);
  const logger = makeLogger(io, 'silent');
  const reporter = new ConsoleReporter(
    (t) => io.stdout.write(t),
    { color: shouldUseColor(io.stdout, io.env), quiet: flags.quiet ?? false },
    new Map([['replay', 'regression fixtures']]),
  );

  const { stop, untrap } = trapInterrupt(io);

  let opened: OpenTarget | undefined;
  try {
    opened = await openTarget(plan, { ...flags, profile: settings.profile }, logger);
    const { host, port } = opened;
    if (stop.aborted) return EXIT.interrupted;
    reporter.header(
      runHeader(opened, {
        profile: settings.profile,
        match: settings.match,
        seed,
        admin: plan.admin.username,
        checks: fixtures.length,
      }),
    );
    const { TargetUnavailableError } = await loadFailures();
    let result: RunResult;
    try {
      result = await replayFixtures({
        target: sessionTarget(opened),
        admin: plan.admin,
        profile: settings.profile,
        match: settings.match,
        timeoutMs: flags.timeout,
        seed,
        fixtures,
        // The embedded server starts empty: its first login must create the admin (SES-AUTH-2).
        knownFresh: opened.embedded,
        signal: stop,
        logger,
        onResult: (r) => reporter.check(r),
      });
    } catch (err) {
      if (stop.aborted) {
        io.stderr.write(`nexus-conform: interrupted (seed ${seed})\n`);
        return EXIT.interrupted;
      }
      if (err instanceof TargetUnavailableError) throw new UsageError(`cannot test ${formatAddress(host, port)}: ${errorText(err)}`);
      throw err;
    }
    reporter.finish(result);
    writeReports(flags, result, new Map([['replay', 'regression fixtures']]));
    if (stop.aborted) {
      io.stderr.write(`nexus-conform: interrupted after ${formatSummaryLine(result.summary)}\n`);
      return EXIT.interrupted;
    }
    return result.summary.failed > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    untrap();
    await opened?.close();
  }
}
