/**
 * Exponential back-off with full jitter: attempt 0 waits up to `baseMs`, each later attempt
 * up to twice as long, never more than `maxMs`. `random` returns a number in [0, 1).
 *
 * @example
 * backoffDelay(3, { baseMs: 250, maxMs: 5000, random: Math.random }) // somewhere in [1000, 2000)
 */
export function backoffDelay(
  attempt: number,
  options: { baseMs: number; maxMs: number; random: () => number },
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** attempt)
  return Math.round(ceiling / 2 + (ceiling / 2) * options.random())
}

/**
 * The wait before poll number `attempt` when the server sent no Retry-After: short first
 * (`firstMs`), growing by half each time, capped at `maxMs`.
 */
export function pollDelay(attempt: number, options: { firstMs: number; maxMs: number }): number {
  return Math.min(options.maxMs, Math.round(options.firstMs * 1.5 ** attempt))
}
