/** Small statistics shared by the benchmarks. */

/** The middle value (upper middle for an even count): robust to the spikes other load on the machine causes. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}
