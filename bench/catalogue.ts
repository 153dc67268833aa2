// Failing runs across the fault catalogue: the whole suite against every fault the suite detects
// in `spec` (catalogue-child.ts, in a process of its own with the reference server in it), each
// wall time next to a passing run's in the same process. One sweep, not a median: it takes minutes.
import type { CatalogueChildArgs, CatalogueChildResult } from './catalogue-child.ts';
import { runChild } from './processes.ts';
import type { CatalogueBlock } from './report.ts';
import { median, round } from './stats.ts';

/** A failing run slower than this many passing runs misses the issue's target. */
export const FAILING_TARGET = 2;

export async function measureCatalogue(
  o: { jobs: number; seed: number; timeoutMs: number; grep: string; limit?: number },
  log: (line: string) => void,
): Promise<CatalogueBlock> {
  const args: CatalogueChildArgs = { jobs: o.jobs, seed: o.seed, timeoutMs: o.timeoutMs };
  if (o.grep !== '') args.grep = o.grep;
  if (o.limit !== undefined) args.limit = o.limit;
  const r = await runChild<CatalogueChildResult>('./catalogue-child.ts', args, 3_600_000);
  const ran = r.runs.flatMap((x) => ('wallMs' in x ? [x] : []));
  const ratio = (ms: number): number => round(ms / r.passingWallMs);
  const slowest = [...ran].sort((x, y) => y.wallMs - x.wallMs);
  const block: CatalogueBlock = {
    jobs: o.jobs,
    selection: o.grep === '' ? 'the whole suite' : `--grep ${o.grep}`,
    passingWallMs: Math.round(r.passingWallMs),
    faults: ran.length,
    notRun: r.runs.flatMap((x) => ('notRun' in x ? [{ fault: x.fault, why: x.notRun }] : [])),
    medianRatio: ran.length > 0 ? ratio(median(ran.map((x) => x.wallMs))) : 0,
    overTarget: slowest.filter((x) => x.wallMs > FAILING_TARGET * r.passingWallMs).map((x) => x.fault),
    slowest: slowest.slice(0, 5).map((x) => ({ fault: x.fault, wallMs: Math.round(x.wallMs), failed: x.failed, ratio: ratio(x.wallMs) })),
  };
  log(
    `catalogue, --jobs ${o.jobs}: ${block.faults} faults against a passing run of ${block.passingWallMs} ms; median ${block.medianRatio}x, ${block.overTarget.length} over ${FAILING_TARGET}x (${block.slowest.map((x) => `${x.fault} ${x.ratio}x`).join(', ')})`,
  );
  return block;
}
