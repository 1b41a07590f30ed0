import { CacheError } from '@autotls/cache'
import { compareFencingTokens } from '@autotls/cache/backend'
import { type RedisServer, startRedis } from '@autotls/redis-server'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { redisCache } from '../src/index.js'
import { eventually } from './eventually.js'

const LOCK = 'v1/locks/certs/example.com/ecdsa-p256'

let server: RedisServer
beforeAll(async () => {
  server = await startRedis()
})
afterAll(async () => {
  await server.close()
})
afterEach(async () => {
  await server.start().catch(() => {})
})

/** Resolves with the reason `signal` aborts with, and the ms since `since`. */
function lostAfter(signal: AbortSignal, since: () => number): Promise<[unknown, number]> {
  return new Promise((resolve) => {
    signal.addEventListener('abort', () => resolve([signal.reason, since()]), { once: true })
  })
}

describe('redisCache leases', () => {
  it('a held lease aborts lost once Redis has been unreachable for its TTL, not before', async () => {
    const ttlMs = 600
    const cache = redisCache({ url: server.url })
    try {
      const lease = await cache.lock(LOCK, { ttlMs })
      // Let a renewal or two succeed first.
      await new Promise((resolve) => setTimeout(resolve, ttlMs / 2))
      expect(lease.lost.aborted).toBe(false)
      let stoppedAt = 0
      const lost = lostAfter(lease.lost, () => performance.now() - stoppedAt)
      stoppedAt = performance.now()
      await server.stop()
      const [reason, elapsedMs] = await lost
      expect(reason).toBeInstanceOf(CacheError)
      expect((reason as CacheError).code).toBe('ERR_CACHE_LOCK_LOST')
      // The last confirmed renewal was at most ttl/3 (plus a round trip) before the stop, and
      // the lease gives up a tenth of the TTL early so the holder stops before anyone takes over.
      expect(elapsedMs).toBeGreaterThanOrEqual((ttlMs * 2) / 3 - ttlMs / 10 - 60)
      expect(elapsedMs).toBeLessThanOrEqual(ttlMs + 100)
      await server.start()
      await lease.release().catch(() => {})
    } finally {
      await cache.close()
    }
  })

  it('a renewal that finds the lock gone (Redis restarted empty) aborts lost before the TTL', async () => {
    const ttlMs = 3000
    const cache = redisCache({ url: server.url })
    try {
      const lease = await cache.lock(LOCK, { ttlMs })
      const startedAt = performance.now()
      const lost = lostAfter(lease.lost, () => performance.now() - startedAt)
      await server.stop()
      await server.start()
      const [reason, elapsedMs] = await lost
      expect((reason as CacheError).code).toBe('ERR_CACHE_LOCK_LOST')
      expect((reason as CacheError).message).toMatch(/another holder/)
      expect(elapsedMs).toBeLessThan(ttlMs)
    } finally {
      await cache.close()
    }
  })

  it('fencing tokens keep increasing across a Redis restart that lost the counter', async () => {
    const cache = redisCache({ url: server.url })
    try {
      const first = await cache.lock(LOCK, { ttlMs: 1000 })
      await first.release()
      const second = await cache.lock(LOCK, { ttlMs: 1000 })
      await second.release()
      expect(compareFencingTokens(second.token, first.token)).toBe(1)
      await server.stop()
      await server.start()
      const third = await eventually(() => cache.lock(LOCK, { ttlMs: 1000 }))
      await third.release()
      expect(compareFencingTokens(third.token, second.token)).toBe(1)
    } finally {
      await cache.close()
    }
  })

  it('a second cache on the same Redis waits for the holder and gets the next fencing token', async () => {
    const a = redisCache({ url: server.url })
    const b = redisCache({ url: server.url })
    try {
      const held = await a.lock(LOCK, { ttlMs: 2000 })
      let acquired = false
      const waiting = b.lock(LOCK, { ttlMs: 2000 }).then((lease) => {
        acquired = true
        return lease
      })
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(acquired).toBe(false)
      const releasedAt = performance.now()
      await held.release()
      const next = await waiting
      // Polling caps its pause at 200 ms (±20 %); waiting for the 2 s TTL would take far longer.
      expect(performance.now() - releasedAt).toBeLessThan(1000)
      expect(BigInt(next.token)).toBe(BigInt(held.token) + 1n)
      await next.release()
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })

  it('rejects a TTL too short to renew, or not whole, with ERR_CACHE_INVALID_OPTION', async () => {
    const cache = redisCache({ url: server.url })
    try {
      for (const ttlMs of [5, 29, 100.5, Number.NaN]) {
        await expect(cache.lock(LOCK, { ttlMs })).rejects.toMatchObject({
          name: 'CacheError',
          code: 'ERR_CACHE_INVALID_OPTION',
        })
      }
    } finally {
      await cache.close()
    }
  })
})
