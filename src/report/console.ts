// Console report: a tree grouped by section, failure details (rule / sent / expected / actual),
// the root causes (failures grouped by rule and what differed), coverage, restore status and the
// summary line `N passed, N failed, N skipped` that CI tooling greps.
// Pure formatting functions plus a small streaming reporter; all I/O goes through a `write` callback.
import { rootCauseLine, rootCauses } from './root-causes.ts';
import type { CheckResult, CoverageSummary, Failure, RunResult } from './types.ts';
import { expectedLines } from './types.ts';

export interface ConsoleOptions {
  /** ANSI colours (only on a TTY without NO_COLOR; see `shouldUseColor`). */
  color: boolean;
  /** Only failing checks are listed (the summary is always printed). */
  quiet?: boolean;
  /** Longest rendering of one value (sent / expected / actual) before it is clipped. */
  maxValueChars?: number;
  /** Set when only part of the suite ran (e.g. `--grep x`): coverage then describes that part. */
  selection?: string;
}

export const DEFAULT_MAX_VALUE_CHARS = 600;

/** Colours only for an interactive terminal; NO_COLOR (any non-empty value) always wins. */
export function shouldUseColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

type Style = 'green' | 'red' | 'yellow' | 'dim' | 'bold' | 'cyan' | 'magenta';
const ANSI: Record<Style, [string, string]> = {
  green: ['\x1b[32m', '\x1b[39m'],
  red: ['\x1b[31m', '\x1b[39m'],
  yellow: ['\x1b[33m', '\x1b[39m'],
  cyan: ['\x1b[36m', '\x1b[39m'],
  magenta: ['\x1b[35m', '\x1b[39m'],
  dim: ['\x1b[2m', '\x1b[22m'],
  bold: ['\x1b[1m', '\x1b[22m'],
};

function paint(opts: ConsoleOptions, style: Style, text: string): string {
  if (!opts.color) return text;
  const [on, off] = ANSI[style];
  return on + text + off;
}

export const MARK = { passed: '✓', failed: '✗', skipped: '–', flaky: '≈' } as const;

// --- clipping huge values -----------------------------------------------------------------------

/** Index of the first UTF-16 unit where `a` and `b` differ, or undefined when equal. */
export function firstDifference(a: string, b: string): number | undefined {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return i;
  return a.length === b.length ? undefined : n;
}

// Slice boundaries must not split a surrogate pair, or the output would contain lone halves.
function safeStart(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return i > 0 && c >= 0xdc00 && c <= 0xdfff ? i - 1 : i;
}
function safeEnd(s: string, i: number): number {
  const c = s.charCodeAt(i - 1);
  return i < s.length && c >= 0xd800 && c <= 0xdbff ? i + 1 : i;
}

function omitted(n: number): string {
  return ` …[${n} chars]… `;
}

/**
 * Shortens `s` to about `max` characters. When `focus` is given (the first difference from the
 * value it is compared with), the text around it stays visible, so clipping never hides the
 * difference; otherwise the head and the tail are kept.
 */
export function clip(s: string, max: number, focus?: number): string {
  if (s.length <= max) return s;
  const head = Math.max(16, Math.floor(max * 0.25));
  const tail = Math.max(16, Math.floor(max * 0.15));
  if (focus === undefined || focus < max - tail - 32) {
    // The difference (if any) is inside the part kept at the start.
    const keep = focus === undefined ? max - tail : Math.max(focus + 32, max - tail);
    const a = safeEnd(s, Math.min(keep, s.length));
    const b = safeStart(s, Math.max(a, s.length - tail));
    return s.slice(0, a) + (b > a ? omitted(b - a) + s.slice(b) : s.slice(a));
  }
  const window = Math.max(32, max - head - tail);
  const ws = safeStart(s, Math.max(head, focus - Math.floor(window / 3)));
  const we = safeEnd(s, Math.min(s.length, ws + window));
  const ts = safeStart(s, Math.max(we, s.length - tail));
  const h = safeEnd(s, Math.min(head, ws));
  let out = s.slice(0, h);
  if (ws > h) out += omitted(ws - h);
  out += s.slice(ws, we);
  if (ts > we) out += omitted(ts - we);
  out += s.slice(ts);
  return out;
}

// --- pieces ---------------------------------------------------------------------------------------

function indentBlock(text: string, firstPrefix: string, restPrefix: string): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? firstPrefix : restPrefix) + line)
    .join('\n');
}

/** The failure as labelled lines (rule, actor, sent, expected, actual), clipped but diff-preserving. */
export function formatFailure(f: Failure, opts: ConsoleOptions, indent = '        '): string {
  const max = opts.maxValueChars ?? DEFAULT_MAX_VALUE_CHARS;
  const diff = firstDifference(f.expected[0] ?? '', f.actual);
  const rows: Array<[string, string]> = [['rule', f.rule]];
  if (f.actor !== undefined && f.actor !== '') rows.push(['actor', f.actor]);
  rows.push(['sent', clip(f.sent, max)]);
  // Every allowed outcome on a line of its own; the first is the one `actual` is compared with.
  rows.push([
    'expected',
    expectedLines(f)
      .map((line, i) => clip(line, max, i === 0 ? diff : undefined))
      .join('\n'),
  ]);
  rows.push(['actual', clip(f.actual, max, diff)]);
  const width = 'expected: '.length;
  return rows
    .map(([label, value]) => {
      const head = indent + paint(opts, label === 'rule' ? 'bold' : 'dim', `${label}:`.padEnd(width));
      return indentBlock(value === '' ? '(empty)' : value, head, indent + ' '.repeat(width));
    })
    .join('\n');
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms - m * 60_000) / 1000)} s`;
}

/** One check: mark, id, title, rule ids; then failures or the skip reason, indented. */
export function formatCheck(r: CheckResult, opts: ConsoleOptions): string {
  const mark =
    r.status === 'passed'
      ? paint(opts, 'green', MARK.passed)
      : r.status === 'failed'
        ? paint(opts, 'red', MARK.failed)
        : r.status === 'flaky'
          ? paint(opts, 'magenta', MARK.flaky)
          : paint(opts, 'yellow', MARK.skipped);
  const rules = r.rules.length > 0 ? '  ' + paint(opts, 'dim', `[${r.rules.join(', ')}]`) : '';
  // Only slow checks get a duration, so the tree stays readable.
  const slow = r.durationMs >= 1000 ? '  ' + paint(opts, 'dim', `(${formatDuration(r.durationMs)})`) : '';
  const lines = [`    ${mark} ${r.id} — ${r.title}${rules}${slow}`];
  if (r.expectedFailure?.held === true) lines.push(`        ${paint(opts, 'yellow', 'expected failure:')} ${r.expectedFailure.reason}`);
  if (r.expectedFailure?.held === false)
    lines.push(`        ${paint(opts, 'red', 'listed as an expected failure but passes now:')} ${r.expectedFailure.reason}`);
  if (r.status === 'skipped') {
    lines.push(`        ${paint(opts, 'yellow', 'skipped:')} ${r.message ?? 'no reason given'}`);
  } else if (r.status === 'failed' || r.status === 'flaky') {
    if (r.status === 'flaky')
      lines.push(
        `        ${paint(opts, 'magenta', 'FLAKY:')} failed, then passed when re-run on fresh connections (${r.attempts?.failed ?? 1} of ${r.attempts?.runs ?? 2} runs failed)`,
      );
    if (r.seed !== undefined) lines.push(`        ${paint(opts, 'dim', 'seed doc:')} ${r.seed}`);
    if (r.failures.length === 0) {
      lines.push(`        ${paint(opts, 'red', 'failed:')} ${r.message ?? 'no detail given'}`);
    } else {
      // r.message only summarises these failures (it feeds JUnit's message attribute); the details say more.
      r.failures.forEach((f, i) => {
        if (r.failures.length > 1) lines.push(paint(opts, 'dim', `        failure ${i + 1} of ${r.failures.length}`));
        lines.push(formatFailure(f, opts));
      });
    }
  }
  return lines.join('\n');
}

export function formatSectionHeader(id: string, title: string | undefined, opts: ConsoleOptions): string {
  return paint(opts, 'bold', title !== undefined && title !== id ? `${id} — ${title}` : id);
}

export interface HeaderInfo {
  version: string;
  /** `host:port` as given, or the embedded server's address. */
  address: string;
  embedded: boolean;
  transport: 'auto' | 'tls' | 'plain';
  fingerprint?: string;
  profile: string;
  match: string;
  seed: number;
  admin?: string;
  checks: number;
}

export function formatHeader(h: HeaderInfo, opts: ConsoleOptions): string {
  const what = h.embedded ? ' (embedded reference server)' : '';
  const transport = h.transport === 'auto' ? 'auto (TLS, else plain TCP)' : h.transport === 'tls' ? 'TLS' : 'plain TCP';
  const lines = [paint(opts, 'bold', `nexus-conform ${h.version}`), `target:      ${h.address}${what}`, `transport:   ${transport}`];
  if (h.fingerprint !== undefined) lines.push(`fingerprint: ${h.fingerprint}`);
  lines.push(`profile:     ${h.profile}, match ${h.match}`);
  if (h.admin !== undefined) lines.push(`admin:       ${h.admin}`);
  lines.push(`seed:        ${h.seed}  (repeat with --seed ${h.seed})`);
  lines.push(`checks:      ${h.checks}`);
  return lines.join('\n');
}

/** Exactly `N passed, N failed, N skipped` (`, N flaky` when there are any): CI tooling reads this line. */
export function formatSummaryLine(s: RunResult['summary']): string {
  return `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped${s.flaky > 0 ? `, ${s.flaky} flaky` : ''}`;
}

/** The last events of a transcript, one line each: `actor conn → frame`. */
export function formatTranscript(t: NonNullable<CheckResult['transcript']>, opts: ConsoleOptions, last = 12, indent = '        '): string {
  const arrow = { opened: '+', sent: '→', received: '←', closed: '×' } as const;
  const shown = t.entries.slice(-last);
  const skipped = t.entries.length - shown.length + t.omitted;
  const lines = shown.map(
    (e) =>
      `${indent}${paint(opts, 'dim', `${e.actor} ${arrow[e.dir]}`)} ${e.dir === 'opened' ? 'connected' : e.dir === 'closed' ? 'closed' : clip(e.text, 200)}`,
  );
  if (skipped > 0) lines.unshift(paint(opts, 'dim', `${indent}… ${skipped} earlier events (see --json or --html)`));
  return lines.join('\n');
}

/** Root causes first: failures grouped by rule and what differed, each with one example and its traffic. */
export function formatRootCauses(checks: readonly CheckResult[], opts: ConsoleOptions, max = 10): string {
  const groups = rootCauses(checks);
  if (groups.length === 0) return '';
  const lines = [paint(opts, 'bold', `root causes (${groups.length}, most checks first)`)];
  for (const g of groups.slice(0, max)) {
    lines.push(`    ${paint(opts, 'red', rootCauseLine(g))}`);
    lines.push(`        ${paint(opts, 'dim', 'e.g.')} ${g.example.check}`);
    if (!opts.quiet) {
      lines.push(formatFailure(g.example.failure, { ...opts, maxValueChars: 300 }, '          '));
      if (g.example.transcript) lines.push(formatTranscript(g.example.transcript, opts, 12, '          '));
    }
  }
  if (groups.length > max) lines.push(`    … and ${groups.length - max} more (see --json or --html)`);
  return lines.join('\n');
}

function pct(covered: number, total: number): string {
  return total === 0 ? '100%' : `${Math.floor((covered * 100) / total)}%`;
}

function listSome(ids: string[], max: number): string {
  if (ids.length <= max) return ids.join(', ');
  return `${ids.slice(0, max).join(', ')} and ${ids.length - max} more (see --json)`;
}

export function formatCoverage(c: CoverageSummary, profile: string, opts: ConsoleOptions): string {
  const lines = [
    paint(opts, 'bold', opts.selection !== undefined ? `coverage of the selected checks (${opts.selection})` : 'coverage'),
    `    rule ids:   ${c.rules.covered} of ${c.rules.total} (${pct(c.rules.covered, c.rules.total)})`,
    `    error keys: ${c.errors.covered} of ${c.errors.total} reachable in profile ${profile} (${pct(c.errors.covered, c.errors.total)})`,
  ];
  if (!opts.quiet) {
    if (c.rules.missing.length > 0) lines.push(paint(opts, 'dim', `    rule ids without a check: ${listSome(c.rules.missing, 12)}`));
    if (c.errors.missing.length > 0) lines.push(paint(opts, 'dim', `    error keys without a check: ${listSome(c.errors.missing, 12)}`));
  }
  return lines.join('\n');
}

export function formatConnection(t: RunResult['target'], opts: ConsoleOptions): string {
  const how = t.transport === 'tls' ? 'TLS' : 'plain TCP';
  const lines = [`${paint(opts, 'bold', 'target')} ${t.address}${t.embedded ? ' (embedded reference server)' : ''} over ${how}`];
  if (t.fingerprint !== undefined) lines.push(`    fingerprint: ${t.fingerprint}`);
  lines.push(`    fresh server: ${t.fresh ? 'yes' : 'no (checks that need a fresh server were skipped)'}`);
  return lines.join('\n');
}

/**
 * When some checks failed: which sections already pass (at least one check passed, none failed),
 * so a server author sees how far the server has come.
 */
export function formatSectionStatus(result: RunResult): string | null {
  if (result.summary.failed === 0) return null;
  const bySection = new Map<string, { passed: number; failed: number }>();
  for (const c of result.checks) {
    const n = bySection.get(c.section) ?? { passed: 0, failed: 0 };
    if (c.status === 'passed') n.passed++;
    if (c.status === 'failed') n.failed++;
    bySection.set(c.section, n);
  }
  const passing = [...bySection].filter(([, n]) => n.passed > 0 && n.failed === 0).map(([id]) => id);
  const partly = [...bySection]
    .filter(([, n]) => n.passed > 0 && n.failed > 0)
    .map(([id, n]) => `${id} ${n.passed}/${n.passed + n.failed}`);
  const failing = [...bySection].filter(([, n]) => n.failed > 0).length;
  const lines = [
    `sections passing: ${passing.length === 0 ? 'none yet' : passing.join(', ')} (${failing} of ${bySection.size} sections have failures)`,
  ];
  if (partly.length > 0) lines.push(`sections partly passing: ${partly.join(', ')}`);
  return lines.join('\n');
}

/** Everything after the tree: target, coverage, restore status, stats, summary line, duration. */
export function formatFooter(result: RunResult, opts: ConsoleOptions): string {
  const out: string[] = [''];
  const causes = formatRootCauses(result.checks, opts);
  if (causes !== '') out.push(causes);
  const sections = formatSectionStatus(result);
  if (sections !== null) out.push(sections);
  out.push(formatConnection(result.target, opts));
  if (result.coverage !== undefined) out.push(formatCoverage(result.coverage, result.profile, opts));
  if (result.restored !== undefined) {
    if (result.restored.ok) {
      out.push(`${paint(opts, 'bold', 'cleanup')} accounts and server info equal the pre-run snapshot`);
    } else {
      out.push(paint(opts, 'red', 'cleanup: the target differs from the pre-run snapshot, or could not be fully restored or verified'));
      for (const d of result.restored.differences) out.push(`    ${d}`);
    }
  }
  out.push(`${paint(opts, 'bold', 'traffic')} ${result.stats.roundTrips} round trips on ${result.stats.connections} connections`);
  out.push(`seed ${result.seed}`);
  out.push('');
  // Alone on its line, uncoloured: CI tooling matches it verbatim.
  out.push(formatSummaryLine(result.summary));
  out.push(`time ${formatDuration(result.durationMs)}`);
  return out.join('\n');
}

function sectionTitleOf(r: CheckResult, titles: ReadonlyMap<string, string>): string | undefined {
  return titles.get(r.section);
}

/** The complete report for a finished run (used for non-streaming output and in tests). */
export function renderConsole(result: RunResult, opts: ConsoleOptions, sectionTitles: ReadonlyMap<string, string> = new Map()): string {
  const lines: string[] = [];
  let section: string | undefined;
  for (const r of result.checks) {
    if (opts.quiet && r.status !== 'failed' && r.status !== 'flaky' && r.expectedFailure === undefined) continue;
    if (r.section !== section) {
      section = r.section;
      lines.push(formatSectionHeader(r.section, sectionTitleOf(r, sectionTitles), opts));
    }
    lines.push(formatCheck(r, opts));
  }
  lines.push(formatFooter(result, opts));
  return lines.join('\n') + '\n';
}

/** Prints checks as they finish (grouped under their section) and the footer at the end. */
export class ConsoleReporter {
  private section: string | undefined;

  constructor(
    private readonly write: (text: string) => void,
    private readonly opts: ConsoleOptions,
    private readonly sectionTitles: ReadonlyMap<string, string> = new Map(),
  ) {}

  header(h: HeaderInfo): void {
    if (!this.opts.quiet) this.write(formatHeader(h, this.opts) + '\n\n');
  }

  check(r: CheckResult): void {
    if (this.opts.quiet && r.status !== 'failed' && r.status !== 'flaky' && r.expectedFailure === undefined) return;
    if (r.section !== this.section) {
      this.section = r.section;
      this.write(formatSectionHeader(r.section, sectionTitleOf(r, this.sectionTitles), this.opts) + '\n');
    }
    this.write(formatCheck(r, this.opts) + '\n');
  }

  /** A free-form line between the tree and the footer (e.g. checks not run after an interrupt). */
  note(text: string): void {
    this.write(text + '\n');
  }

  finish(result: RunResult): void {
    this.write(formatFooter(result, this.opts) + '\n');
  }
}
