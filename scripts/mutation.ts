// The mutation score for humans and CI: the scripted suite against the reference server with each
// catalogued fault (src/server/faults/), in each profile where the fault is wrong; prints the table
// and writes its JSON form. Exit 1 when the baseline fails or a fault goes undetected.
//
//   npm run mutation [-- --fault NAME …] [--concurrency N] [--timeout MS] [--seed N] [--json FILE]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { formatMutationTable, runMutation } from '../src/report/mutation.ts';
import { loadSections } from '../src/runner/load.ts';
import { FAULTS, findFault } from '../src/server/faults/index.ts';
import { fuzzDriver } from '../src/report/mutation-fuzz.ts';

const int =
  (what: string) =>
  (v: string): number => {
    if (!/^[0-9]+$/.test(v)) throw new InvalidArgumentError(`${what} must be a whole number`);
    return Number(v);
  };

const program = new Command('mutation')
  .description('mutation score of the suite against the fault catalogue')
  .option('--fault <name>', 'only this fault (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
  .option('--concurrency <n>', 'faults run side by side', int('--concurrency'), 4)
  .option('--timeout <ms>', 'wait at most this long for an expected frame', int('--timeout'), 1500)
  .option('--seed <n>', 'seed of every run', int('--seed'), 20_260)
  .option('--json <file>', 'where to write the JSON form', 'reports/mutation.json')
  .option('--no-baseline', 'skip the fault-free run of the whole suite')
  .parse();

const o = program.opts<{ fault?: string[]; concurrency: number; timeout: number; seed: number; json: string; baseline: boolean }>();
const unknown = (o.fault ?? []).filter((n) => !findFault(n));
if (unknown.length > 0) {
  process.stderr.write(`mutation: unknown fault ${unknown.map((n) => `"${n}"`).join(', ')} (see: nexus-conform serve --list-faults)\n`);
  process.exit(2);
}
const faults = o.fault ? FAULTS.filter((f) => o.fault!.includes(f.name)) : FAULTS;
const report = await runMutation({
  faults,
  sections: await loadSections(),
  seed: o.seed,
  timeoutMs: o.timeout,
  concurrency: o.concurrency,
  baseline: o.baseline,
  fuzz: fuzzDriver,
  onRow: (r) =>
    process.stderr.write(
      `${r.status === 'detected' ? '✓' : '✗'} ${r.fault} (${r.profile}) ${r.status} ${(r.durationMs / 1000).toFixed(1)} s\n`,
    ),
});
process.stdout.write(formatMutationTable(report) + '\n');
mkdirSync(dirname(o.json), { recursive: true });
writeFileSync(o.json, JSON.stringify(report, null, 2) + '\n');
process.stdout.write(`JSON: ${o.json}\n`);
const bad = report.baseline.some((b) => b.failed > 0) || report.rows.some((r) => r.status === 'missed' || r.status === 'error');
process.exit(bad ? 1 : 0);
