// Small numeric helpers for the lab's figures.

/** Linear-interpolated percentile (p in 0..100) of unsorted values; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export const sum = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0);

export const mean = (values: readonly number[]): number =>
  values.length === 0 ? NaN : sum(values) / values.length;

/** Share of values satisfying `ok`; NaN when empty. */
export const shareOf = <T>(values: readonly T[], ok: (v: T) => boolean): number =>
  values.length === 0 ? NaN : values.filter(ok).length / values.length;

/** A counter's value at time `at`, interpolated between samples (clamped at the ends). */
export function counterAt<T extends { at: number }>(
  samples: readonly T[],
  v: (s: T) => number,
  at: number,
): number {
  if (samples.length === 0) return 0;
  if (at <= samples[0]!.at) return v(samples[0]!);
  for (let i = 1; i < samples.length; i++) {
    const b = samples[i]!;
    if (b.at < at) continue;
    const a = samples[i - 1]!;
    const f = b.at === a.at ? 1 : (at - a.at) / (b.at - a.at);
    return v(a) + (v(b) - v(a)) * f;
  }
  return v(samples.at(-1)!);
}
