import { CacheError } from './cache-error.js'

/** The longest key a backend must accept, in characters. */
export const MAX_KEY_LENGTH = 1024

const SEGMENT = /^[a-z0-9_+-][a-z0-9._+-]{0,254}$/

/**
 * Whether `key` is a well-formed cache key or lock name: `/`-separated segments of
 * `[a-z0-9._+-]`, each 1–255 characters, none starting with `.` (so `.` and `..` never occur),
 * at most {@link MAX_KEY_LENGTH} characters in all.
 *
 * Every backend calls this (through {@link assertValidKey}) before touching storage, so a key can
 * never name a path outside a directory cache or collide with a backend's own bookkeeping.
 *
 * @example
 * ```ts
 * isValidKey('v1/certs/example.com/ec-p256') // true
 * isValidKey('v1/../etc/passwd') // false
 * ```
 */
export function isValidKey(key: string): boolean {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) return false
  for (const segment of key.split('/')) {
    if (!SEGMENT.test(segment)) return false
  }
  return true
}

/**
 * Throws `ERR_CACHE_INVALID_KEY` unless {@link isValidKey} accepts `key`.
 *
 * @example
 * ```ts
 * async get(key: string) {
 *   assertValidKey(key)
 *   // … safe to map to storage
 * }
 * ```
 */
export function assertValidKey(key: string): void {
  if (!isValidKey(key)) {
    const shown = typeof key === 'string' ? JSON.stringify(key.slice(0, 80)) : typeof key
    throw new CacheError(
      'ERR_CACHE_INVALID_KEY',
      `invalid cache key ${shown}: build keys with the layout functions of @autotls/cache`,
    )
  }
}
