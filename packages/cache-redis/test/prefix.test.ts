import { type RedisServer, startRedis } from '@autotls/redis-server'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisCache } from '../src/index.js'

const KEY = 'v1/certs/example.com/ecdsa-p256'
const LOCK = 'v1/locks/certs/example.com/ecdsa-p256'

let server: RedisServer
let raw: Redis
beforeAll(async () => {
  server = await startRedis()
  raw = new Redis(server.url)
})
afterAll(async () => {
  raw.disconnect()
  await server.close()
})

describe('redisCache prefixes', () => {
  it('two caches with different prefixes on one Redis never see each other’s keys or locks', async () => {
    const a = redisCache({ url: server.url, prefix: 'tenant-a' })
    const b = redisCache({ url: server.url, prefix: 'tenant-b' })
    try {
      await a.put(KEY, new Uint8Array([1]))
      expect(await b.get(KEY)).toBeNull()
      await b.put(KEY, new Uint8Array([2]))
      expect(await a.get(KEY)).toEqual(new Uint8Array([1]))
      await b.delete(KEY)
      expect(await a.get(KEY)).toEqual(new Uint8Array([1]))

      // Both hold the "same" lock at once: they are different locks.
      const [leaseA, leaseB] = await Promise.all([
        a.lock(LOCK, { ttlMs: 1000 }),
        b.lock(LOCK, { ttlMs: 1000 }),
      ])
      await Promise.all([leaseA.release(), leaseB.release()])
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })

  it('writes only under its prefix, storing the exact bytes', async () => {
    const cache = redisCache({ url: server.url, prefix: 'app:autotls' })
    try {
      const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
      await cache.put(KEY, bytes)
      const lease = await cache.lock(LOCK, { ttlMs: 1000 })
      expect((await raw.keys('app:autotls*')).sort()).toEqual([
        `app:autotls:cache:${KEY}`,
        `app:autotls:fence:{${LOCK}}`,
        `app:autotls:lock:{${LOCK}}`,
      ])
      expect(await raw.getBuffer(`app:autotls:cache:${KEY}`)).toEqual(Buffer.from(bytes))
      await lease.release()
      expect(await raw.exists(`app:autotls:lock:{${LOCK}}`)).toBe(0)
    } finally {
      await cache.close()
    }
  })

  it('defaults the prefix to autotls', async () => {
    const cache = redisCache({ url: server.url })
    try {
      await cache.put(KEY, new Uint8Array([7]))
      expect(await raw.getBuffer(`autotls:cache:${KEY}`)).toEqual(Buffer.from([7]))
    } finally {
      await cache.close()
    }
  })

  it('refuses a prefix that could break key isolation or a cluster hash tag', () => {
    for (const prefix of ['', 'a b', 'x{y}', 'é', 'a'.repeat(101)]) {
      expect(() => redisCache({ url: server.url, prefix })).toThrow(
        expect.objectContaining({ name: 'CacheError', code: 'ERR_CACHE_INVALID_OPTION' }),
      )
    }
  })
})
