/**
 * Every code a cache backend reports, stable across versions; switch on `code`.
 *
 * - `ERR_CACHE_INVALID_KEY`: the key or lock name is not a valid layout key: a programming error,
 *   never retry.
 * - `ERR_CACHE_INVALID_OPTION`: an option of a backend factory or of a call is invalid (a TTL that
 *   is not a positive number, a missing directory, a malformed lease): fix the caller.
 * - `ERR_CACHE_CORRUPT`: stored bytes are unreadable (a lock record or counter that does not parse).
 * - `ERR_CACHE_IO`: the backend's storage failed (disk full, permission denied, …); retrying may help.
 * - `ERR_CACHE_UNAVAILABLE`: the backend cannot be reached (a stopped server, a closed cache).
 * - `ERR_CACHE_LOCK_LOST`: a lease could not be kept alive; the guarded work may overlap another
 *   holder's. The reason `Lease.lost` aborts with.
 * - `ERR_CACHE_STALE_LEASE`: a write carried a lease older than the newest one granted for its
 *   lock, and was refused: another holder took over; adopt what it stored.
 */
export const CACHE_ERROR_CODES = [
  'ERR_CACHE_INVALID_KEY',
  'ERR_CACHE_INVALID_OPTION',
  'ERR_CACHE_CORRUPT',
  'ERR_CACHE_IO',
  'ERR_CACHE_UNAVAILABLE',
  'ERR_CACHE_LOCK_LOST',
  'ERR_CACHE_STALE_LEASE',
] as const

/** One of {@link CACHE_ERROR_CODES}. */
export type CacheErrorCode = (typeof CACHE_ERROR_CODES)[number]

/**
 * The one error class of `@autotls/cache` and of its backends.
 *
 * @example
 * ```ts
 * try {
 *   await cache.put(key, value, { lease })
 * } catch (error) {
 *   if (error instanceof CacheError && error.code === 'ERR_CACHE_STALE_LEASE') adoptTheirs()
 *   else throw error
 * }
 * ```
 */
export class CacheError extends Error {
  /** What went wrong, stable across versions. */
  readonly code: CacheErrorCode

  constructor(code: CacheErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CacheError'
    this.code = code
  }
}
