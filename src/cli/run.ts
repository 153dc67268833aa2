// `nexus-conform run [target]`: the scripted suite against a target or the embedded reference
// server, with selection (--grep, --exclude, --list), the console tree and the JUnit/JSON reports.
import { randomInt } from 'node:crypto';
import type { MatchMode } from '../protocol/types.ts';
import { ConsoleReporter, formatSummaryLine, shouldUseColor } from '../report/console.ts';
import { computeCoverage, unknownCitations } from '../report/coverage.ts';
import { Progress } from '../report/progress.ts';
import { openTrace, verboseLine } from '../report/traffic.ts';
import type { RunResult } from '../report/types.ts';
import type { CheckDef, Section } from '../runner/api.ts';
import type { TrafficEvent } from '../runner/lockstep.ts';
import { isStopReason } from '../runner/failures.ts';
import { PREFLIGHT_SECTION } from '../runner/preflight.ts';
import { exclusion, withExclusions } from '../runner/exclude.ts';
import { defaultJobs } from '../runner/schedule.ts';

export { asExcluded, EXCLUDED_REASON } from '../runner/exclude.ts';
export { MAX_LANES as MAX_JOBS } from '../runner/names.ts';
import type { CliIO } from './common.ts';
import { applyGate, gateExit, readGate, writeGateBaseline, type GateFlags } from './gate.ts';
import { errorText, EXIT, formatAddress, makeLogger, trapInterrupt, UsageError } from './common.ts';
import { writeReports } from './reports.ts';
import { openTarget, planTarget, runHeader, sessionTarget, type OpenTarget, type TargetFlags } from './target.ts';

// The runner, the scenarios and the server (target.ts) are loaded only when a run starts, so `--help` and
// usage errors answer at once and never depend on the heavier layers.
const loadRunner = () => import('../runner/run.ts');
const loadScenarios = () => import('../runner/load.ts');

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
    const parts = [
      n.fresh ? 'fresh server' : '',
      n.profile ? `profile ${n.profile}` : '',
      n.tls ? 'TLS' : '',
      n.slow || c.slow ? '--slow' : '',
    ];
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

export interface RunFlags extends TargetFlags, GateFlags {
  match: MatchMode;
  grep?: string;
  exclude?: string[];
  list?: boolean;
  junit?: string;
  json?: string;
  html?: string;
  trace?: string;
  verbose?: boolean;
  timeout: number;
  seed?: number;
  slow?: boolean;
  quiet?: boolean;
  /** commander's `--no-retry`: false turns the re-run of failed checks off. */
  retry?: boolean;
  /** Lanes running independent checks side by side (`--jobs`; default runner/schedule.ts defaultJobs). */
  jobs?: number;
}

export async function runCommand(targetArg: string | undefined, flags: RunFlags, io: CliIO): Promise<number> {
  // Validate everything that does not need the network before touching it.
  const plan = planTarget(targetArg, flags, io);
  const { admin } = plan;

  const sections = await (await loadScenarios()).loadSections();
  const { runSuite, selectChecks, TargetUnavailableError } = await loadRunner();
  // The runner's own selection, so the listing, the count and the run always agree.
  const selected = selectChecks(sections, flags.grep);
  if (selected.length === 0) throw new UsageError(`no check matches --grep ${JSON.stringify(flags.grep)}`);
  const isExcluded = exclusion(flags.exclude ?? []);
  const toRun = selected.filter((p) => !isExcluded(p.section, p.check));
  if (toRun.length === 0) throw new UsageError(`--exclude leaves no check to run (${selected.length} selected, all excluded)`);
  const runSections = (flags.exclude ?? []).length === 0 ? sections : withExclusions(sections, isExcluded);
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

  const gate = await readGate(flags);

  const seed = flags.seed ?? randomInt(0, 2 ** 31);
  const logger = makeLogger(io, 'silent');
  const color = shouldUseColor(io.stdout, io.env);
  const sectionTitles = new Map([
    [PREFLIGHT_SECTION.id, PREFLIGHT_SECTION.title],
    ...sections.map((s) => [s.id, s.title] as [string, string]),
  ]);
  const reporter = new ConsoleReporter(
    (t) => io.stdout.write(t),
    { color, quiet: flags.quiet ?? false, ...(selection !== '' ? { selection } : {}) },
    sectionTitles,
  );

  const { stop, untrap } = trapInterrupt(io);

  let opened: OpenTarget | undefined;
  try {
    opened = await openTarget(plan, flags, logger);
    const { host, port } = opened;
    if (stop.aborted) return EXIT.interrupted;

    reporter.header(
      runHeader(opened, {
        profile: flags.profile,
        match: flags.match,
        seed,
        admin: admin.username,
        checks: selected.length,
      }),
    );

    let result: RunResult;
    let notRun = 0;
    let stoppedNotRun = 0;
    let stopReason = '';
    // --trace / --verbose: every frame of every connection, as the session's traffic tap hears it.
    const trace = flags.trace !== undefined ? openTrace(flags.trace) : undefined;
    const progress = new Progress(io.stderr, toRun.length + (selected.length - toRun.length), io.env);
    const taps = [trace?.onTraffic, flags.verbose ? (e: TrafficEvent) => io.stderr.write(verboseLine(e)) : undefined].filter(
      (f) => f !== undefined,
    );
    try {
      result = await runSuite({
        target: sessionTarget(opened),
        admin,
        profile: flags.profile,
        match: flags.match,
        ...(flags.grep !== undefined ? { grep: flags.grep } : {}),
        timeoutMs: flags.timeout,
        seed,
        sections: runSections,
        slow: flags.slow ?? false,
        retry: flags.retry !== false,
        jobs: flags.jobs ?? defaultJobs(opened.embedded),
        ...(taps.length > 0 ? { onTraffic: (e: TrafficEvent) => taps.forEach((tap) => tap(e)) } : {}),
        signal: stop,
        // The embedded server starts empty: its first login must create the admin (SES-AUTH-2).
        knownFresh: opened.embedded,
        onNotice: (line) => {
          progress.clear();
          reporter.note(line);
          progress.draw();
        },
        onResult: (r) => {
          progress.clear();
          // After an interrupt, or once the target is gone, the runner reports every remaining
          // check as skipped; count them instead of printing hundreds of identical lines.
          if (stop.aborted && r.status === 'skipped' && r.durationMs === 0) notRun++;
          else if (r.status === 'skipped' && isStopReason(r.message)) {
            stoppedNotRun++;
            stopReason = r.message!;
          } else reporter.check(r);
          progress.update(r);
        },
        logger,
      });
    } catch (err) {
      if (stop.aborted) {
        io.stderr.write(`nexus-conform: interrupted (seed ${seed})\n`);
        return EXIT.interrupted;
      }
      if (err instanceof TargetUnavailableError) {
        throw new UsageError(`cannot test ${formatAddress(host, port)}: ${errorText(err)}`);
      }
      // Not the target's doing: the harness's own bug. Said as such, with what repeats it.
      if (io.env.NEXUS_CONFORM_DEBUG === '1' && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
      throw new UsageError(`internal error: ${errorText(err)} (repeat with --seed ${seed}; NEXUS_CONFORM_DEBUG=1 shows the stack)`);
    } finally {
      progress.finish();
      await trace?.close();
    }

    result.coverage ??= computeCoverage(asSections(toRun), flags.profile);
    if (gate !== undefined) {
      const said = await applyGate(result, gate, 'unknown');
      for (const line of said.notes) reporter.note(line);
      for (const line of said.warnings) io.stderr.write(`nexus-conform: warning: ${line}\n`);
    }
    if (notRun > 0) reporter.note(`\n${notRun} checks not run (interrupted)`);
    if (stoppedNotRun > 0) reporter.note(`\n${stoppedNotRun} checks not run: ${stopReason}`);
    reporter.finish(result);
    writeReports(flags, result, sectionTitles);
    if (stop.aborted) {
      io.stderr.write(`nexus-conform: interrupted after ${formatSummaryLine(result.summary)}\n`);
      return EXIT.interrupted;
    }
    await writeGateBaseline(flags, result, gate);
    // A flaky check is never a pass: it fails the run like a failure (it is reported apart);
    // expected failures do not, listed checks that pass now do.
    return await gateExit(result);
  } finally {
    untrap();
    await opened?.close();
  }
}
