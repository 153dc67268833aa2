// The report files every testing command writes on request (--junit, --json, --html); a file that cannot
// be written is a usage error naming it, after the console report is out.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeHtmlReport } from '../report/html.ts';
import { toJsonReport, writeJsonReport } from '../report/json.ts';
import { writeJunitReport } from '../report/junit.ts';
import type { RunResult } from '../report/types.ts';
import { errorText, UsageError } from './common.ts';

export interface ReportFiles {
  junit?: string;
  json?: string;
  html?: string;
}

/** Writes the requested reports; `extra` members are added to the JSON report (e.g. `fuzz`). */
export function writeReports(
  files: ReportFiles,
  result: RunResult,
  sectionTitles: ReadonlyMap<string, string>,
  extra?: Record<string, unknown>,
): void {
  const problems: string[] = [];
  const writeJson = (file: string): void => {
    if (extra === undefined) return writeJsonReport(file, result);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ ...toJsonReport(result), ...extra }, null, 2) + '\n');
  };
  for (const [file, write] of [
    [files.junit, () => writeJunitReport(files.junit!, result, sectionTitles)],
    [files.json, () => writeJson(files.json!)],
    [files.html, () => writeHtmlReport(files.html!, result, sectionTitles)],
  ] as const) {
    if (file === undefined) continue;
    try {
      write();
    } catch (err) {
      problems.push(`cannot write ${file}: ${errorText(err)}`);
    }
  }
  if (problems.length > 0) throw new UsageError(problems.join('; '));
}
