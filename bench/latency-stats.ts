/** Mean and percentiles of a set of durations (any unit; the caller names it). */
export interface SampleSummary {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** Summarizes samples exactly (sorted copy, nearest-rank percentiles); all zero when there are none. */
export function summarizeSamples(values: ArrayLike<number>): SampleSummary {
  const n = values.length;
  if (n === 0) return { count: 0, mean: 0, p50: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const rank = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!;
  return { count: n, mean: sum / n, p50: rank(50), p99: rank(99), max: sorted[n - 1]! };
}
