import { CacheError } from '@autotls/cache'

/** Redis replies that mean "not now" rather than "never": the server is busy or not serving. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|NOREPLICAS)\b/

/**
 * Translates what ioredis throws into a {@link CacheError}, keeping the original as `cause`.
 *
 * Connection failures (refused, closed, timed out, nothing queued while offline) and Redis replies
 * that mean the server is not serving yet become `ERR_CACHE_UNAVAILABLE`; `WRONGTYPE` (something
 * that is not a string sits under our key) and our scripts' `CORRUPT` become `ERR_CACHE_CORRUPT`;
 * any other error reply becomes `ERR_CACHE_IO`.
 */
export function toCacheError(error: unknown, operation: string): CacheError {
  if (error instanceof CacheError) return error
  const message = error instanceof Error ? error.message : String(error)
  const isReply = error instanceof Error && error.name === 'ReplyError'
  if (isReply && /^(WRONGTYPE|CORRUPT)\b/.test(message)) {
    return new CacheError(
      'ERR_CACHE_CORRUPT',
      `Redis ${operation} found data it did not write (${message}): delete that key or choose another prefix`,
      { cause: error },
    )
  }
  if (isReply && !TRANSIENT_REPLY.test(message)) {
    return new CacheError('ERR_CACHE_IO', `Redis ${operation} failed: ${message}`, {
      cause: error,
    })
  }
  return new CacheError(
    'ERR_CACHE_UNAVAILABLE',
    `Redis ${operation} failed, the server cannot be reached or is not serving (${message}); retry once it is back`,
    { cause: error },
  )
}
