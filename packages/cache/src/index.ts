export type { Cache, CacheCallOptions, CacheStore, Lease, LockOptions, Locker } from './cache.js'
