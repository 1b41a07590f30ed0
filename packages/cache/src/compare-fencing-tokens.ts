/**
 * Orders two fencing tokens of the same lock name: negative when `a` was issued before `b`,
 * positive when after, zero when equal. Tokens are decimal strings of unbounded size, so they
 * must not be compared as strings or as JavaScript numbers.
 *
 * @example
 * ```ts
 * if (compareFencingTokens(lease.token, lastAcceptedToken) <= 0) throw new Error('stale writer')
 * ```
 * @see https://martin.kleppmann.com/2016/02/08/how-to-do-distributed-locking.html
 */
export function compareFencingTokens(a: string, b: string): number {
  const x = BigInt(a)
  const y = BigInt(b)
  return x < y ? -1 : x > y ? 1 : 0
}
