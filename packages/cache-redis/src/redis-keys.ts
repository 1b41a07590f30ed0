/** Where one cache's data, locks and fencing counters live in Redis. */
export interface RedisKeys {
  /** The Redis key holding the value of cache key `key`. */
  data(key: string): string
  /** The Redis key holding the owner of lock `name` (with a `PX` expiry). */
  lock(name: string): string
  /** The Redis key counting fencing tokens of lock `name`; it never expires. */
  fence(name: string): string
}

import { CacheError } from '@autotls/cache'

const PREFIX = /^[A-Za-z0-9._:/-]{1,100}$/

/**
 * Builds the Redis key names of one cache under `prefix`.
 *
 * Data lives at `<prefix>:cache:<key>`, locks at `<prefix>:lock:{<name>}` and their fencing
 * counters at `<prefix>:fence:{<name>}`. The braces are a Redis Cluster hash tag: a lock and its
 * counter always share a slot, so the scripts that touch both stay valid on a cluster. Cache keys
 * never contain `:` or braces, so two prefixes can never produce the same Redis key.
 */
export function redisKeys(prefix: string): RedisKeys {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new CacheError(
      'ERR_CACHE_INVALID_OPTION',
      `invalid Redis key prefix ${JSON.stringify(prefix)}: use 1–100 characters of [A-Za-z0-9._:/-]`,
    )
  }
  return {
    data: (key) => `${prefix}:cache:${key}`,
    lock: (name) => `${prefix}:lock:{${name}}`,
    fence: (name) => `${prefix}:fence:{${name}}`,
  }
}
