/**
 * Every code `@autotls/redis-server` reports, stable across versions.
 *
 * - `ERR_REDIS_NOT_FOUND`: no `redis-server` on PATH (or at the given path).
 * - `ERR_REDIS_START`: it did not come up (exited, timed out, closed, a temporary directory or
 *   free port could not be had).
 * - `ERR_REDIS_RUNNING`: `start()` while it is already running.
 * - `ERR_REDIS_INVALID_OPTION`: an option of `startRedis()` is malformed.
 */
export const REDIS_ERROR_CODES = [
  'ERR_REDIS_NOT_FOUND',
  'ERR_REDIS_START',
  'ERR_REDIS_RUNNING',
  'ERR_REDIS_INVALID_OPTION',
] as const

/** One of {@link REDIS_ERROR_CODES}. */
export type RedisServerErrorCode = (typeof REDIS_ERROR_CODES)[number]

/** The one error class of `@autotls/redis-server`; switch on `code`. */
export class RedisServerError extends Error {
  readonly code: RedisServerErrorCode

  constructor(code: RedisServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RedisServerError'
    this.code = code
  }
}
