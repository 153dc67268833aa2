// Summaries of repeated measurements: the machine is shared and noisy, so every figure the bench
// reports is the median of several runs, shown with its min and max.

export interface Figure {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Median (mean of the middle two for an even count), min and max; null for no samples. */
export function figure(samples: readonly number[]): Figure | null {
  if (samples.length === 0) return null;
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median: round(median), min: round(s[0]!), max: round(s[s.length - 1]!), runs: s.length };
}

/** The p-th percentile (0..100) by nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank]!;
}

export function median(samples: readonly number[]): number {
  return figure(samples)?.median ?? NaN;
}

/** Three significant decimals are plenty for milliseconds and ratios. */
export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function elapsedMs(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}
