// The whole suite against each fault of the catalogue that the suite detects in `spec` without
// `--slow` (src/server/faults/), one after another in this process, each against a fresh reference
// server in this process that has that fault: what a failing run costs next to a passing one,
// whichever rule the target breaks. The passing suite runs first, twice, and the second run is the
// baseline (the fault runs come after it, as warm as it). Prints one JSON line.
import { loadSections } from '../src/runner/load.ts';
import { runSuite } from '../src/runner/run.ts';
import { freshAdmin } from '../src/runner/admin-credentials.ts';
import { startServer } from '../src/server/server.ts';
import { FAULTS, faultHooks } from '../src/server/faults/index.ts';
import { firstLine } from '../src/runner/text.ts';
import { tuneV8 } from '../bin/jit.mjs';

// As the executable does: V8 tuning once the modules are loaded, before any code is hot.
tuneV8();

export interface CatalogueChildArgs {
  jobs: number;
  seed: number;
  timeoutMs: number;
  /** `--grep` of every run; absent: the whole suite. */
  grep?: string;
  /** At most this many faults, in catalogue order; absent: all of them. */
  limit?: number;
}

export type CatalogueRun =
  | { fault: string; wallMs: number; failed: number }
  /** The run could not start (the CLI's exit 2), e.g. a fault that makes the first login no admin. */
  | { fault: string; notRun: string };

export interface CatalogueChildResult {
  passingWallMs: number;
  runs: CatalogueRun[];
}

const a = JSON.parse(process.argv[2] ?? '{}') as CatalogueChildArgs;
const sections = await loadSections();

/** One whole-suite run against a fresh reference server with `faults`: wall ms and failed checks. */
async function suiteAgainst(faults: string[]): Promise<{ wallMs: number; failed: number }> {
  const server = await startServer({ port: 0, profile: 'spec', faults: faultHooks(faults) });
  try {
    const t0 = performance.now();
    const r = await runSuite({
      target: { host: server.host, port: server.port, transport: 'plain', embedded: true },
      admin: freshAdmin(),
      profile: 'spec',
      match: 'exact',
      timeoutMs: a.timeoutMs,
      seed: a.seed,
      sections,
      jobs: a.jobs,
      ...(a.grep !== undefined ? { grep: a.grep } : {}),
    });
    return { wallMs: performance.now() - t0, failed: r.summary.failed };
  } finally {
    await server.close();
  }
}

await suiteAgainst([]);
const passing = await suiteAgainst([]);
const detectable = FAULTS.filter((f) => f.profiles.includes('spec') && f.detection.by === 'suite' && f.detection.slow !== true);
const runs: CatalogueRun[] = [];
for (const f of detectable.slice(0, a.limit ?? detectable.length)) {
  try {
    const r = await suiteAgainst([f.name]);
    runs.push({ fault: f.name, wallMs: r.wallMs, failed: r.failed });
  } catch (e) {
    runs.push({ fault: f.name, notRun: firstLine((e as Error).message, 200) });
  }
}
const result: CatalogueChildResult = { passingWallMs: passing.wallMs, runs };
process.stdout.write(JSON.stringify(result) + '\n');
