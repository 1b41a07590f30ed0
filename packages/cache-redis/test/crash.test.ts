import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { compareFencingTokens } from '@autotls/cache/backend'
import { type RedisServer, startRedis } from '@autotls/redis-server'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisCache } from '../src/index.js'

const LOCK = 'v1/locks/certs/example.com/ecdsa-p256'
const fixture = fileURLToPath(new URL('./fixtures/hold-lock.ts', import.meta.url))

let server: RedisServer
beforeAll(async () => {
  server = await startRedis()
})
afterAll(async () => {
  await server.close()
})

describe('redisCache locks across processes', () => {
  it('a holder on this host killed with SIGKILL: the next caller takes the lock at once, with a higher token', async () => {
    const ttlMs = 60_000
    const child = spawn(
      process.execPath,
      ['--conditions=@autotls/source', '--import', 'tsx', fixture, server.url, LOCK, String(ttlMs)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const exited = new Promise((resolve) => child.once('exit', resolve))
    const deadToken = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const match = /^TOKEN (\d+)$/m.exec(out)
        if (match?.[1]) resolve(match[1])
      })
      child.once('exit', (code) => reject(new Error(`fixture exited early with ${code}`)))
    })
    const cache = redisCache({ url: server.url })
    try {
      // While the holder lives, its lock holds.
      const early = cache.lock(LOCK, { ttlMs, signal: AbortSignal.timeout(300) })
      await expect(early).rejects.toMatchObject({ name: 'TimeoutError' })
      child.kill('SIGKILL')
      await exited
      const killedAt = performance.now()
      const lease = await cache.lock(LOCK, { ttlMs, signal: AbortSignal.timeout(5000) })
      const waitedMs = performance.now() - killedAt
      console.log(
        `SIGKILLed Redis lock holder (TTL ${ttlMs} ms): lock taken again after ${waitedMs.toFixed(0)} ms`,
      )
      expect(compareFencingTokens(lease.token, deadToken)).toBe(1)
      await lease.release()
    } finally {
      await cache.close()
    }
  })

  it('a holder on another host keeps the lock until its TTL has passed', async () => {
    const ttlMs = 1500
    const raw = new Redis(server.url)
    const cache = redisCache({ url: server.url, prefix: 'foreign-holder' })
    try {
      const lockKey = `foreign-holder:lock:{${LOCK}}`
      // An owner id whose process tag names another pid space, with a pid that is free here.
      await raw.set(lockKey, '00ff.0123456789abcdef-999999-42', 'PX', ttlMs)
      const startedAt = performance.now()
      const lease = await cache.lock(LOCK, { ttlMs, signal: AbortSignal.timeout(ttlMs * 3) })
      expect(performance.now() - startedAt).toBeGreaterThanOrEqual(ttlMs - 300)
      await lease.release()
    } finally {
      raw.disconnect()
      await cache.close()
    }
  })
})
