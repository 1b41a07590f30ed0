import type { CacheCallOptions, CacheWriteOptions, Lease, LockOptions } from './cache.js'
import { CacheError } from './cache-error.js'
import { isValidKey } from './valid-key.js'

/** The longest lease TTL a backend accepts: the longest delay a Node timer can wait. */
export const MAX_TTL_MS = 2_147_483_647

/** The lock and token a write is fenced by. */
export interface WriteFence {
  /** The lock name of the lease the write carries. */
  name: string
  /** The lease's fencing token. */
  token: bigint
}

/** What {@link checkWriteOptions} resolves: the call's signal and, for a fenced write, its fence. */
export interface CheckedWriteOptions {
  signal: AbortSignal | undefined
  fence: WriteFence | undefined
}

function invalidOption(message: string): CacheError {
  return new CacheError('ERR_CACHE_INVALID_OPTION', message)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

/**
 * The `signal` of a call's options after checking its shape. Throws `ERR_CACHE_INVALID_OPTION`
 * when `options` is not an object or `signal` is not an `AbortSignal`, so a backend never fails
 * with a `TypeError` deep inside.
 *
 * @example
 * ```ts
 * async get(key: string, options?: CacheCallOptions) {
 *   assertValidKey(key)
 *   const signal = checkCallOptions(options)
 *   signal?.throwIfAborted()
 * }
 * ```
 */
export function checkCallOptions(options: CacheCallOptions | undefined): AbortSignal | undefined {
  if (options === undefined) return undefined
  if (!isObject(options)) throw invalidOption('call options must be an object such as { signal }')
  const { signal } = options
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalidOption('signal must be an AbortSignal, for example AbortSignal.timeout(5000)')
  }
  return signal
}

/**
 * `lock()`'s options after checking them: `ttlMs` must be a whole or fractional number of
 * milliseconds above 0 and at most {@link MAX_TTL_MS}. Throws `ERR_CACHE_INVALID_OPTION`.
 *
 * @example
 * ```ts
 * async lock(name: string, options: LockOptions) {
 *   assertValidKey(name)
 *   const { ttlMs, signal } = checkLockOptions(options)
 * }
 * ```
 */
export function checkLockOptions(options: LockOptions): {
  ttlMs: number
  signal: AbortSignal | undefined
} {
  if (!isObject(options)) throw invalidOption('lock() needs options such as { ttlMs: 60_000 }')
  const signal = checkCallOptions(options)
  const { ttlMs } = options
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0 || ttlMs > MAX_TTL_MS) {
    throw invalidOption(
      `ttlMs must be a number of milliseconds above 0 and at most ${MAX_TTL_MS}, got ${String(ttlMs)}`,
    )
  }
  return { ttlMs, signal }
}

/**
 * A write's options after checking them: its signal, and the fence of its `lease` (lock name and
 * token as a bigint) when it carries one. Throws `ERR_CACHE_INVALID_OPTION` for a lease that is
 * not one (no valid lock name, a token that is not a decimal integer).
 *
 * @example
 * ```ts
 * async put(key: string, value: Uint8Array, options?: CacheWriteOptions) {
 *   assertValidKey(key)
 *   const { signal, fence } = checkWriteOptions(options)
 *   if (fence && newestToken(fence.name) > fence.token) throw staleLeaseError(fence, newest)
 * }
 * ```
 */
export function checkWriteOptions(options: CacheWriteOptions | undefined): CheckedWriteOptions {
  const signal = checkCallOptions(options)
  const lease: unknown = options?.lease
  if (lease === undefined) return { signal, fence: undefined }
  if (!isObject(lease)) throw invalidOption('lease must be the Lease that lock() resolved')
  const { name, token } = lease as Partial<Lease>
  if (typeof name !== 'string' || !isValidKey(name)) {
    throw invalidOption('lease.name must be the lock name the lease was granted for')
  }
  if (typeof token !== 'string' || !/^[0-9]{1,100}$/.test(token)) {
    throw invalidOption('lease.token must be the decimal fencing token lock() issued')
  }
  return { signal, fence: { name, token: BigInt(token) } }
}

/**
 * The error a backend rejects a fenced write with when `newest`, the newest token granted for
 * the lock, is above the write's: `ERR_CACHE_STALE_LEASE`.
 *
 * @example
 * ```ts
 * if (newest > fence.token) throw staleLeaseError(fence, newest)
 * ```
 */
export function staleLeaseError(fence: WriteFence, newest: bigint): CacheError {
  return new CacheError(
    'ERR_CACHE_STALE_LEASE',
    `write refused: lock ${fence.name} was granted to a newer holder (token ${newest} > ${fence.token}); ` +
      'read what that holder stored instead of overwriting it',
  )
}
