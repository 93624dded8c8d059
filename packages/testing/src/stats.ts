/** The nearest-rank percentile of `values` (any order); NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

/** Least-squares slope of (x, y) samples; 0 for fewer than two distinct x. */
export function slope(samples: readonly { x: number; y: number }[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const mx = samples.reduce((sum, s) => sum + s.x, 0) / n;
  const my = samples.reduce((sum, s) => sum + s.y, 0) / n;
  const sxy = samples.reduce((sum, s) => sum + (s.x - mx) * (s.y - my), 0);
  const sxx = samples.reduce((sum, s) => sum + (s.x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}
