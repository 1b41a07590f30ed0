/** Stable codes for everything a cache backend can report; switch on `code`. */
export type CacheErrorCode =
  /** The key or lock name is not a valid layout key: a programming error, never retry. */
  | 'ERR_CACHE_INVALID_KEY'
  /** Stored bytes are unreadable (for example a lock file or counter that does not parse). */
  | 'ERR_CACHE_CORRUPT'
  /** The backend's storage failed (disk full, permission denied, …); retrying may help. */
  | 'ERR_CACHE_IO'
  /** A lease could not be kept alive; the guarded work may overlap another holder's. */
  | 'ERR_LOCK_LOST'
  /** The backend cannot be reached (a stopped server, a closed cache). */
  | 'ERR_CACHE_UNAVAILABLE'

/**
 * The one error class of `@autotls/cache` and of its backends.
 *
 * @example
 * ```ts
 * try {
 *   await cache.get(key)
 * } catch (error) {
 *   if (error instanceof CacheError && error.code === 'ERR_CACHE_UNAVAILABLE') retryLater()
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
