// JUnit XML via junit-report-builder: one testsuite per section, one testcase per check
// (classname = section id, name = `<check id> — <title>`), so CI systems group and diff by check.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import junitModule, { type Builder } from 'junit-report-builder';
import { clip, firstDifference } from './console.ts';
import { rootCauseLine, rootCauses } from './root-causes.ts';
import type { CheckResult, Failure, RunResult } from './types.ts';
import { expectedLines } from './types.ts';

// Failure bodies may quote frames of several hundred KB; keep reports loadable in CI UIs.
// The package is CommonJS with `module.exports = builder`, while its typings declare an ES default
// export; under NodeNext that types the import as the module namespace, so restate the runtime shape.
const junit = junitModule as unknown as Builder;

const BODY_VALUE_CHARS = 8000;
const MAX_ROOT_CAUSES = 10;
const MESSAGE_CHARS = 400;

// XML 1.0 cannot carry most C0 controls or lone surrogates, not even in CDATA; show them escaped.
const XML_INVALID =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlSafe(s: string): string {
  return s.replace(XML_INVALID, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function oneLine(s: string, max: number): string {
  return clip(s.replace(/\s*\n\s*/g, ' '), max);
}

/** `<rule>: expected <…>, got <…>` on one line. */
export function failureSummary(f: Failure): string {
  const more = f.expected.length > 1 ? ` (or ${f.expected.length - 1} more)` : '';
  return `${f.rule}: expected ${oneLine(f.expected[0] ?? '', 150)}${more}, got ${oneLine(f.actual, 150)}`;
}

export function failureBody(failures: Failure[]): string {
  return failures
    .map((f, i) => {
      const diff = firstDifference(f.expected[0] ?? '', f.actual);
      const lines = [
        failures.length > 1 ? `failure ${i + 1} of ${failures.length}` : undefined,
        `rule:     ${f.rule}`,
        f.actor !== undefined ? `actor:    ${f.actor}` : undefined,
        `sent:     ${clip(f.sent, BODY_VALUE_CHARS)}`,
        `expected: ${expectedLines(f)
          .map((line, i) => clip(line, BODY_VALUE_CHARS, i === 0 ? diff : undefined))
          .join('\n          ')}`,
        `actual:   ${clip(f.actual, BODY_VALUE_CHARS, diff)}`,
      ];
      return lines.filter((l): l is string => l !== undefined).join('\n');
    })
    .join('\n\n');
}

/** A failed check's traffic for system-out: one line per event, `actor conn dir frame`. */
export function transcriptText(t: NonNullable<CheckResult['transcript']>): string {
  const lines = t.entries.map((e) => `${new Date(e.at).toISOString()} ${e.actor} (${e.conn}) ${e.dir}${e.text !== '' ? ` ${e.text}` : ''}`);
  if (t.omitted > 0) lines.splice(150, 0, `… ${t.omitted} events left out …`);
  return `transcript (passwords masked):\n${lines.join('\n')}`;
}

function failureMessage(r: CheckResult): string {
  const first = r.failures[0];
  const text = r.message !== undefined && r.message !== '' ? r.message : first !== undefined ? failureSummary(first) : 'failed';
  return oneLine(text, MESSAGE_CHARS);
}

export function renderJunit(result: RunResult, sectionTitles: ReadonlyMap<string, string> = new Map()): string {
  const builder = junit.newBuilder().name('nexus-conform');
  const causes = rootCauses(result.checks);
  const suites = new Map<string, ReturnType<typeof builder.testSuite>>();
  for (const r of result.checks) {
    let suite = suites.get(r.section);
    if (suite === undefined) {
      const title = sectionTitles.get(r.section);
      suite = builder
        .testSuite()
        .name(xmlSafe(r.section))
        .timestamp(result.startedAt)
        .property('profile', result.profile)
        .property('match', result.match)
        .property('target', xmlSafe(result.target.address))
        .property('transport', result.target.transport)
        .property('seed', String(result.seed));
      if (title !== undefined) suite.property('title', xmlSafe(title));
      // Root causes first: every suite opens with the run's failures grouped by rule and what differed.
      causes
        .slice(0, MAX_ROOT_CAUSES)
        .forEach((g, i) => suite!.property(`root-cause-${i + 1}`, xmlSafe(`${rootCauseLine(g)} (e.g. ${g.example.check})`)));
      suites.set(r.section, suite);
    }
    const tc = suite
      .testCase()
      .className(xmlSafe(r.section))
      .name(xmlSafe(`${r.id} — ${r.title}`))
      .time(r.durationMs / 1000)
      .property('rules', r.rules.join(', '))
      .property('errors', r.errors.join(', '))
      .property('seed-section', r.seed ?? '');
    if (r.file !== undefined) tc.file(xmlSafe(r.file));
    if (r.line !== undefined) tc.property('line', String(r.line));
    if (r.expectedFailure?.held === true) {
      // An expected failure (--expect-failures) is not a verdict against the run: skipped, with why.
      tc.skipped().standardOutput(
        xmlSafe(`expected failure: ${r.expectedFailure.reason}\n${r.failures.length > 0 ? failureBody(r.failures) : (r.message ?? '')}`),
      );
    } else if (r.expectedFailure?.held === false) {
      tc.failure(xmlSafe(`listed as an expected failure but passes now: ${r.expectedFailure.reason}`), 'expected-failure-passed');
    } else if (r.status === 'failed' || r.status === 'flaky') {
      // JUnit has no flaky verdict: a flaky check is a failure of type `flaky` (never a pass).
      const first = r.failures[0];
      tc.failure(xmlSafe(failureMessage(r)), r.status === 'flaky' ? 'flaky' : (first?.rule ?? r.rules[0] ?? 'failure'));
      tc.stacktrace(xmlSafe(r.failures.length > 0 ? failureBody(r.failures) : (r.message ?? 'failed')));
      if (r.attempts) tc.property('attempts', `${r.attempts.failed} of ${r.attempts.runs} runs failed`);
      if (r.transcript) tc.standardOutput(xmlSafe(transcriptText(r.transcript)));
    } else if (r.status === 'skipped') {
      // <skipped/> has no message attribute in this builder; the reason goes to system-out.
      tc.skipped().standardOutput(xmlSafe(`skipped: ${r.message ?? 'no reason given'}`));
    }
  }
  for (const [section, suite] of suites) {
    suite.time(result.checks.filter((c) => c.section === section).reduce((t, c) => t + c.durationMs, 0) / 1000);
  }
  return builder.build();
}

export function writeJunitReport(file: string, result: RunResult, sectionTitles?: ReadonlyMap<string, string>): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, renderJunit(result, sectionTitles));
}
