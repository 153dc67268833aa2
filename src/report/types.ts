// The result types reporters format. They are defined by the runner (src/runner/results.ts), which
// produces them; this module only names them for the reporters' side.
export type { CheckResult, CheckStatus, CoverageSummary, Failure, RunResult } from '../runner/results.ts';
export { expectedLines } from '../runner/results.ts';
