// The library's runSuite: what `nexus-conform run` does, as one call with typed options that
// returns the run's result (the object the JSON report serialises): select the checks (grep,
// exclude), start an embedded reference server when no target is given, run, add the coverage.
import { computeCoverage } from '../report/coverage.ts';
import type { CheckResult, RunResult } from '../report/types.ts';
import type { Section } from '../runner/api.ts';
import { exclusion, withExclusions } from '../runner/exclude.ts';
import { loadSections } from '../runner/load.ts';
import { runSuite as runSections, selectChecks } from '../runner/run.ts';
import { defaultJobs } from '../runner/schedule.ts';
import { withTarget, type TargetOptions } from './target.ts';

export interface SuiteOptions extends TargetOptions {
  /** Only checks whose id or title contains this text, or matches `/regex/flags`. */
  grep?: string;
  /** Skip checks whose id, title or a rule id matches one of these (reported as skipped). */
  exclude?: string[];
  /** Include the checks that wait for server timeouts. */
  slow?: boolean;
  /** Re-run a failed check once on fresh connections; pass-after-fail is `flaky` (default true). */
  retry?: boolean;
  /** Lanes running independent checks side by side (`--jobs`; default 1 on the embedded server, else 4). */
  jobs?: number;
  /**
   * Called with every check's result as it is settled: in plan order, except results held on a
   * presumed-absent broadcast type, which come last (the returned RunResult keeps plan order).
   */
  onResult?: (r: CheckResult) => void;
  /**
   * What the run says beside the results (the lines the CLI prints as notes): before any check,
   * each request the target does not answer; at the end, why results held on a presumed absence come last.
   */
  onNotice?: (line: string) => void;
}

/** Runs the suite; throws TargetUnavailableError when the target cannot be tested at all. */
export async function runSuite(opts: SuiteOptions = {}): Promise<RunResult> {
  const all = await loadSections();
  const isExcluded = exclusion(opts.exclude ?? []);
  const sections: Section[] = (opts.exclude ?? []).length === 0 ? all : withExclusions(all, isExcluded);
  const selected = selectChecks(all, opts.grep).filter((p) => !isExcluded(p.section, p.check));
  if (selected.length === 0) throw new Error('no check is selected (grep/exclude)');

  return withTarget(opts, async (session) => {
    const result = await runSections({
      ...session,
      ...(opts.grep !== undefined ? { grep: opts.grep } : {}),
      sections,
      slow: opts.slow ?? false,
      retry: opts.retry ?? true,
      jobs: opts.jobs ?? defaultJobs(session.target.embedded),
      ...(opts.onResult ? { onResult: opts.onResult } : {}),
      ...(opts.onNotice ? { onNotice: opts.onNotice } : {}),
    });
    const ran = new Set(selected.map((p) => p.check));
    result.coverage ??= computeCoverage(
      all.map((s) => ({ ...s, checks: s.checks.filter((c) => ran.has(c)) })).filter((s) => s.checks.length > 0),
      session.profile,
    );
    return result;
  });
}
