/**
 * The `p`-th percentile (0–100) of `values` by the nearest-rank method: the smallest sample with at
 * least `p` percent of the samples at or below it. `NaN` for no samples.
 *
 * @example
 * percentile([5, 1, 3, 2, 4], 50) // 3
 * percentile([5, 1, 3, 2, 4], 99) // 5
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[Math.min(rank, sorted.length) - 1] as number
}

/**
 * The median: the middle sample, or the mean of the two middle samples. `NaN` for no samples.
 *
 * @example
 * median([4, 1, 3, 2]) // 2.5
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** The arithmetic mean of `values` (NaN for none). */
export function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length
}
