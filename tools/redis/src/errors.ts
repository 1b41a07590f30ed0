/** Stable codes for everything that can go wrong while running a test Redis. */
export type RedisServerErrorCode = 'ERR_REDIS_NOT_FOUND' | 'ERR_REDIS_START' | 'ERR_REDIS_RUNNING'

/** The one error class of `@autotls/redis-server`; switch on `code`. */
export class RedisServerError extends Error {
  readonly code: RedisServerErrorCode

  constructor(code: RedisServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RedisServerError'
    this.code = code
  }
}
