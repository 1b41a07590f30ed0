import { CacheError } from './cache-error.js'

const TOKEN = /^[0-9]{1,100}$/

function parse(token: string): bigint {
  if (typeof token !== 'string' || !TOKEN.test(token)) {
    throw new CacheError(
      'ERR_CACHE_INVALID_OPTION',
      `not a fencing token: ${JSON.stringify(token)}; pass Lease.token, a decimal string`,
    )
  }
  return BigInt(token)
}

/**
 * Orders two fencing tokens of the same lock name: negative when `a` was issued before `b`,
 * positive when after, zero when equal. Tokens are decimal strings of unbounded size, so they
 * must not be compared as strings or as JavaScript numbers. Throws `ERR_CACHE_INVALID_OPTION`
 * for a string that is not a token.
 *
 * @example
 * ```ts
 * if (compareFencingTokens(lease.token, lastAcceptedToken) <= 0) throw new Error('stale writer')
 * ```
 * @see https://martin.kleppmann.com/2016/02/08/how-to-do-distributed-locking.html
 */
export function compareFencingTokens(a: string, b: string): number {
  const x = parse(a)
  const y = parse(b)
  return x < y ? -1 : x > y ? 1 : 0
}
