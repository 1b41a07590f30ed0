import { CacheError } from '@autotls/cache'
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

async function rejection(promise: Promise<unknown>): Promise<CacheError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(CacheError)
  return error as CacheError
}

describe('redisCache errors', () => {
  it('reports a foreign value type under its key as ERR_CACHE_CORRUPT, with the Redis error as cause', async () => {
    const cache = redisCache({ url: server.url, prefix: 'corrupt-value' })
    try {
      await raw.rpush(`corrupt-value:cache:${KEY}`, 'not a string')
      const error = await rejection(cache.get(KEY))
      expect(error.code).toBe('ERR_CACHE_CORRUPT')
      expect((error.cause as Error).message).toMatch(/^WRONGTYPE/)
    } finally {
      await cache.close()
    }
  })

  it('refuses a fencing counter that is not an integer with ERR_CACHE_CORRUPT and takes no lock', async () => {
    const cache = redisCache({ url: server.url, prefix: 'corrupt-fence' })
    try {
      await raw.set(`corrupt-fence:fence:{${LOCK}}`, 'seven')
      const error = await rejection(cache.lock(LOCK, { ttlMs: 1000 }))
      expect(error.code).toBe('ERR_CACHE_CORRUPT')
      expect(error.message).toMatch(/fencing counter/)
      expect(await raw.exists(`corrupt-fence:lock:{${LOCK}}`)).toBe(0)
    } finally {
      await cache.close()
    }
  })

  it('reports a refused command (ACL) as ERR_CACHE_IO, not as unavailable', async () => {
    await raw.call('ACL', 'SETUSER', 'reader', 'on', '>secret', '~elsewhere:*', '+@all')
    const cache = redisCache({ url: `redis://reader:secret@127.0.0.1:${server.port}` })
    try {
      const error = await rejection(cache.get(KEY))
      expect(error.code).toBe('ERR_CACHE_IO')
      expect((error.cause as Error).message).toMatch(/^NOPERM/)
    } finally {
      await cache.close()
    }
  })

  it('rejects every malformed factory option with ERR_CACHE_INVALID_OPTION, naming what to fix', async () => {
    const client = new Redis(server.url, { lazyConnect: true })
    const url = server.url
    const cases: [unknown, RegExp][] = [
      [undefined, /needs options/],
      [{}, /exactly one of `url`/],
      [{ url, client }, /exactly one of `url`/],
      [{ url: 'http://127.0.0.1:6379' }, /redis:\/\//],
      [{ url: 6379 }, /redis:\/\//],
      [{ client: {} }, /ioredis/],
      [{ url, prefix: 'a b' }, /prefix/],
      [{ url, prefix: 7 }, /prefix/],
      [{ url, commandTimeoutMs: 0 }, /commandTimeoutMs/],
      [{ url, startupTimeoutMs: Number.NaN }, /startupTimeoutMs/],
      [{ url, startupTimeoutMs: '5000' }, /startupTimeoutMs/],
      [{ url, now: 1 }, /now/],
      [{ url, randomBytes: 'x' }, /randomBytes/],
    ]
    for (const [options, message] of cases) {
      let thrown: unknown
      try {
        redisCache(options as never)
      } catch (error) {
        thrown = error
      }
      expect(thrown, JSON.stringify(options)).toBeInstanceOf(CacheError)
      expect(thrown).toMatchObject({ code: 'ERR_CACHE_INVALID_OPTION', message })
    }
    client.disconnect()
  })

  it('refuses a fenced write when the lock’s fencing counter is not an integer, writing nothing', async () => {
    const cache = redisCache({ url: server.url, prefix: 'corrupt-fenced-write' })
    try {
      const lease = await cache.lock(LOCK, { ttlMs: 1000 })
      await raw.set(`corrupt-fenced-write:fence:{${LOCK}}`, 'seven')
      const error = await rejection(cache.put(KEY, new Uint8Array([1]), { lease }))
      expect(error.code).toBe('ERR_CACHE_CORRUPT')
      expect(await raw.exists(`corrupt-fenced-write:cache:${KEY}`)).toBe(0)
      await raw.set(`corrupt-fenced-write:fence:{${LOCK}}`, lease.token)
      await lease.release()
    } finally {
      await cache.close()
    }
  })

  it('stops waiting for a reply when the signal aborts, with the signal reason', async () => {
    const cache = redisCache({ url: server.url })
    const blocker = new Redis(server.url)
    try {
      await cache.get(KEY)
      // A busy script on the server delays every reply; the caller's signal must not wait for it.
      const busy = blocker
        .eval(
          `local function us() local t = redis.call('TIME') return t[1] * 1000000 + t[2] end
           local start = us()
           repeat until us() - start > 500000
           return 1`,
          0,
        )
        .catch(() => {})
      await new Promise((resolve) => setTimeout(resolve, 50))
      const controller = new AbortController()
      const reason = new Error('handshake gone')
      const reading = cache.get(KEY, { signal: controller.signal })
      const started = performance.now()
      controller.abort(reason)
      await expect(reading).rejects.toBe(reason)
      // Redis answers only after its 500 ms script: well under that means we did not wait for it.
      expect(performance.now() - started).toBeLessThan(250)
      await busy
    } finally {
      blocker.disconnect()
      await cache.close()
    }
  })
})
