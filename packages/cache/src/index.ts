export { abortableSleep } from './abortable-sleep.js'
export type { Cache, CacheCallOptions, CacheStore, Lease, Locker, LockOptions } from './cache.js'
export { CacheError, type CacheErrorCode } from './cache-error.js'
export { compareFencingTokens } from './compare-fencing-tokens.js'
export { KeptLease, type KeptLeaseOptions } from './kept-lease.js'
export {
  accountKey,
  type ChallengeKind,
  certificateKey,
  challengeKey,
  LAYOUT_VERSION,
  lockName,
} from './layout.js'
export { type MemoryCache, type MemoryCacheOptions, memoryCache } from './memory-cache.js'
export { assertValidKey, isValidKey, MAX_KEY_LENGTH } from './valid-key.js'
