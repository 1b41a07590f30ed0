import { abortableSleep } from './abortable-sleep.js'
import type {
  CacheCallOptions,
  CacheStore,
  CacheWriteOptions,
  Lease,
  LockOptions,
} from './cache.js'
import { CacheError } from './cache-error.js'
import {
  checkCallOptions,
  checkLockOptions,
  checkWriteOptions,
  staleLeaseError,
  type WriteFence,
} from './check-options.js'
import { KeptLease } from './kept-lease.js'
import { assertValidKey } from './valid-key.js'

/** Options of {@link memoryCache}. */
export interface MemoryCacheOptions {
  /** The clock lock expiry is measured on, in milliseconds. Default `Date.now`. */
  now?: () => number
}

/** The store {@link memoryCache} returns. */
export interface MemoryCache extends CacheStore {
  /**
   * Gives up every lease this store handed out and drops every entry; later calls fail with
   * `ERR_CACHE_UNAVAILABLE`. Call it at shutdown.
   */
  close(): Promise<void>
}

interface LockState {
  holder: KeptLease | undefined
  id: number
  expiresAt: number
  fence: bigint
  wake: Set<() => void>
}

/** How often a waiter re-checks a held lock's expiry, at most. */
const POLL_MS = 25

/**
 * A cache and locker held in this process's memory: nothing survives a restart and nothing is
 * shared with other processes. Right for a single process, for tests, and as the reference the
 * conformance suite is written against. Values are copied in and out, so callers may reuse
 * their buffers. Writes that carry a lease are fenced: refused with `ERR_CACHE_STALE_LEASE` once
 * a newer lease was granted for that lock.
 *
 * @example
 * ```ts
 * const store = memoryCache()
 * const lease = await store.lock('v1/locks/certs/example.com/ec-p256', { ttlMs: 30_000 })
 * try {
 *   await store.put('v1/certs/example.com/ec-p256', pem, { lease })
 * } finally {
 *   await lease.release()
 * }
 * ```
 */
export function memoryCache(options: MemoryCacheOptions = {}): MemoryCache {
  if (typeof options !== 'object' || options === null) {
    throw new CacheError('ERR_CACHE_INVALID_OPTION', 'memoryCache takes an options object or none')
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new CacheError(
      'ERR_CACHE_INVALID_OPTION',
      'now must be a function returning milliseconds',
    )
  }
  const now = options.now ?? Date.now
  const entries = new Map<string, Uint8Array>()
  // Lock records live while a lock is held or awaited; a released one is forgotten. Fencing tokens
  // come from one counter for the whole store, so a lock taken again after that still gets a
  // token above every earlier one of its name.
  const locks = new Map<string, LockState>()
  let lastFence = 0n
  let nextId = 1
  let closed = false

  function open(signal: AbortSignal | undefined): void {
    signal?.throwIfAborted()
    if (closed) {
      throw new CacheError('ERR_CACHE_UNAVAILABLE', 'this memory cache was closed: create another')
    }
  }

  function wakeAll(state: LockState): void {
    for (const wake of state.wake) wake()
    state.wake.clear()
  }

  function waitForChange(state: LockState, ms: number, signal?: AbortSignal): Promise<void> {
    const controller = new AbortController()
    const onAbort = (): void => controller.abort(signal?.reason)
    signal?.addEventListener('abort', onAbort, { once: true })
    const wake = (): void => controller.abort('woken')
    state.wake.add(wake)
    return abortableSleep(ms, controller.signal)
      .catch((reason: unknown) => {
        if (signal?.aborted) throw signal.reason
        if (reason !== 'woken') throw reason
      })
      .finally(() => {
        state.wake.delete(wake)
        signal?.removeEventListener('abort', onAbort)
      })
  }

  function checkFence(fence: WriteFence | undefined): void {
    if (fence === undefined) return
    const newest = locks.get(fence.name)?.fence
    if (newest === undefined) {
      throw new CacheError(
        'ERR_CACHE_STALE_LEASE',
        `write refused: lock ${fence.name} is not held (the lease with token ${fence.token} was released)`,
      )
    }
    if (newest > fence.token) throw staleLeaseError(fence, newest)
  }

  function acquire(name: string, state: LockState, ttlMs: number): Lease {
    const id = nextId++
    state.id = id
    lastFence += 1n
    state.fence = lastFence
    state.expiresAt = now() + ttlMs
    const lease = new KeptLease({
      name,
      token: state.fence.toString(),
      ttlMs,
      expiresAt: state.expiresAt,
      now,
      renew: async () => {
        if (closed || state.id !== id) return null
        state.expiresAt = now() + ttlMs
        return state.expiresAt
      },
      release: async () => {
        if (state.id !== id) return
        state.holder = undefined
        state.id = 0
        if (state.wake.size === 0) locks.delete(name)
        else wakeAll(state)
      },
    })
    state.holder = lease
    locks.set(name, state)
    return lease
  }

  return {
    async get(key: string, callOptions?: CacheCallOptions): Promise<Uint8Array | null> {
      assertValidKey(key)
      open(checkCallOptions(callOptions))
      const value = entries.get(key)
      return value === undefined ? null : value.slice()
    },

    async put(key: string, value: Uint8Array, callOptions?: CacheWriteOptions): Promise<void> {
      assertValidKey(key)
      const { signal, fence } = checkWriteOptions(callOptions)
      open(signal)
      checkFence(fence)
      entries.set(key, Uint8Array.from(value))
    },

    async delete(key: string, callOptions?: CacheWriteOptions): Promise<void> {
      assertValidKey(key)
      const { signal, fence } = checkWriteOptions(callOptions)
      open(signal)
      checkFence(fence)
      entries.delete(key)
    },

    async lock(name: string, lockOptions: LockOptions): Promise<Lease> {
      assertValidKey(name)
      const { ttlMs, signal } = checkLockOptions(lockOptions)
      for (;;) {
        open(signal)
        let state = locks.get(name)
        if (state === undefined) {
          state = { holder: undefined, id: 0, expiresAt: 0, fence: 0n, wake: new Set() }
          locks.set(name, state)
        }
        const remaining = state.expiresAt - now()
        if (state.id === 0 || remaining <= 0) return acquire(name, state, ttlMs)
        await waitForChange(state, Math.min(remaining, POLL_MS), signal)
      }
    },

    async close(): Promise<void> {
      closed = true
      const held = [...locks.values()].flatMap((state) => (state.holder ? [state.holder] : []))
      await Promise.all(held.map((lease) => lease.release()))
      for (const state of locks.values()) wakeAll(state)
      entries.clear()
    },
  }
}
