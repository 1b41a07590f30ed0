import { CacheError } from '@autotls/cache'
import { type RedisServer, startRedis } from '@autotls/redis-server'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type RedisCache, redisCache } from '../src/index.js'
import { eventually } from './eventually.js'

const KEY = 'v1/certs/example.com/ecdsa-p256'
const LOCK = 'v1/locks/certs/example.com/ecdsa-p256'

let server: RedisServer
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason)
}

beforeAll(async () => {
  server = await startRedis()
  process.on('unhandledRejection', onUnhandled)
})
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled)
  await server.close()
})
afterEach(async () => {
  // Every test leaves the server running for the next one.
  await server.start().catch(() => {})
})

/** Runs `operation`, returning what it rejected with and how long that took. */
async function failure(operation: () => Promise<unknown>): Promise<[unknown, number]> {
  const started = performance.now()
  const error = await operation().then(
    () => undefined,
    (e: unknown) => e,
  )
  return [error, performance.now() - started]
}

async function expectUnavailableWhileDown(cache: RedisCache): Promise<void> {
  const operations: Array<() => Promise<unknown>> = [
    () => cache.get(KEY),
    () => cache.put(KEY, new Uint8Array([9])),
    () => cache.delete(KEY),
    () => cache.lock(LOCK, { ttlMs: 1000 }),
  ]
  // The first command may be the one that finds the socket gone; every later one must fail
  // without waiting for anything (a waiting one would take the 2 s connect timeout at least).
  for (let round = 0; round < 2; round++) {
    for (const operation of operations) {
      const [error, elapsedMs] = await failure(operation)
      expect(error).toBeInstanceOf(CacheError)
      expect((error as CacheError).code).toBe('ERR_CACHE_UNAVAILABLE')
      expect((error as CacheError).message).toMatch(/retry/)
      expect(elapsedMs).toBeLessThan(round === 0 ? 1000 : 250)
    }
  }
}

describe('redisCache when Redis restarts', () => {
  it('rejects every operation at once with ERR_CACHE_UNAVAILABLE while Redis is down, and works again once it is back', async () => {
    const cache = redisCache({ url: server.url })
    try {
      await cache.put(KEY, new Uint8Array([1, 2, 3]))
      await server.stop()
      await expectUnavailableWhileDown(cache)

      await server.start()
      // The restarted Redis kept nothing (no persistence): reading null proves we reached it.
      expect(await eventually(() => cache.get(KEY))).toBeNull()
      await cache.put(KEY, new Uint8Array([4]))
      expect(await cache.get(KEY)).toEqual(new Uint8Array([4]))
      const lease = await cache.lock(LOCK, { ttlMs: 1000 })
      await lease.release()
      expect(unhandled).toEqual([])
    } finally {
      await cache.close()
    }
  })

  it('behaves the same on an injected client created with the options the README recommends', async () => {
    const client = new Redis(server.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 2000,
      retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1000),
    })
    client.on('error', () => {})
    const cache = redisCache({ client })
    try {
      await cache.put(KEY, new Uint8Array([1]))
      await server.stop()
      await expectUnavailableWhileDown(cache)
      await server.start()
      expect(await eventually(() => cache.get(KEY))).toBeNull()
      await cache.close()
      // close() leaves a client it did not create connected.
      expect(await client.ping()).toBe('PONG')
      expect(unhandled).toEqual([])
    } finally {
      await cache.close()
      client.disconnect()
    }
  })

  it('waits for the first connection when used right after creation, then fails fast once the start-up window is over', async () => {
    // Created while Redis is down: the first call waits through the start-up window.
    await server.stop()
    const cache = redisCache({ url: server.url, startupTimeoutMs: 1000 })
    try {
      const [early, earlyMs] = await failure(() => cache.get(KEY))
      expect((early as CacheError).code).toBe('ERR_CACHE_UNAVAILABLE')
      expect(earlyMs).toBeGreaterThanOrEqual(950)
      const [late, lateMs] = await failure(() => cache.get(KEY))
      expect((late as CacheError).code).toBe('ERR_CACHE_UNAVAILABLE')
      // Waiting through the window again would take about 1000 ms.
      expect(lateMs).toBeLessThan(300)
    } finally {
      await cache.close()
    }
    // Created while Redis is up: an immediate first call succeeds instead of failing fast.
    await server.start()
    const fresh = redisCache({ url: server.url })
    try {
      expect(await fresh.get(KEY)).toBeNull()
    } finally {
      await fresh.close()
    }
  })

  it('a command in flight when Redis dies rejects with ERR_CACHE_UNAVAILABLE at once, not after reconnecting', async () => {
    const cache = redisCache({ url: server.url })
    const blocker = new Redis(server.url)
    blocker.on('error', () => {})
    try {
      await cache.get(KEY)
      // Keep the server busy so our GET is still waiting for its reply when the server dies.
      void blocker
        .eval(
          `local function us() local t = redis.call('TIME') return t[1] * 1000000 + t[2] end
           local start = us()
           repeat until us() - start > 2000000
           return 1`,
          0,
        )
        .catch(() => {})
      await new Promise((resolve) => setTimeout(resolve, 50))
      const inFlight = failure(() => cache.get(KEY))
      await new Promise((resolve) => setTimeout(resolve, 50))
      const killedAt = performance.now()
      await server.stop()
      const [error] = await inFlight
      expect((error as CacheError).code).toBe('ERR_CACHE_UNAVAILABLE')
      // The server's script would have answered 2 s after it started; reconnecting takes longer.
      expect(performance.now() - killedAt).toBeLessThan(1000)
    } finally {
      blocker.disconnect()
      await cache.close()
    }
  })

  it('rejects with ERR_CACHE_UNAVAILABLE after close()', async () => {
    const cache = redisCache({ url: server.url })
    await cache.get(KEY)
    await cache.close()
    await cache.close()
    const [error] = await failure(() => cache.get(KEY))
    expect((error as CacheError).code).toBe('ERR_CACHE_UNAVAILABLE')
  })
})
