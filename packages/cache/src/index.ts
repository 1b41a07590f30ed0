export type {
  Cache,
  CacheCallOptions,
  CacheStore,
  CacheWriteOptions,
  Lease,
  Locker,
  LockOptions,
} from './cache.js'
export { CACHE_ERROR_CODES, CacheError, type CacheErrorCode } from './cache-error.js'
export {
  accountKey,
  type ChallengeKind,
  certificateKey,
  challengeKey,
  LAYOUT_VERSION,
  lockName,
} from './layout.js'
export { type MemoryCache, type MemoryCacheOptions, memoryCache } from './memory-cache.js'
