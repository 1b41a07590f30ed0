import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { compareFencingTokens } from '@autotls/cache/backend'
import { type RedisServer, startRedis } from '@autotls/redis-server'
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
  it('a holder killed with SIGKILL keeps others out until its TTL has passed, then the next holder gets a higher token', async () => {
    const ttlMs = 1500
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
    // Let the child renew at least once, so the TTL counts from a renewal, not the acquisition.
    await new Promise((resolve) => setTimeout(resolve, ttlMs / 2))
    child.kill('SIGKILL')
    await exited
    const killedAt = performance.now()

    const cache = redisCache({ url: server.url })
    try {
      const lease = await cache.lock(LOCK, { ttlMs, signal: AbortSignal.timeout(ttlMs * 3) })
      const waitedMs = performance.now() - killedAt
      // The last renewal was at most ttl/3 before the kill; polling adds at most ~240 ms.
      expect(waitedMs).toBeGreaterThanOrEqual((ttlMs * 2) / 3 - 50)
      expect(waitedMs).toBeLessThanOrEqual(ttlMs + 300)
      expect(compareFencingTokens(lease.token, deadToken)).toBe(1)
      await lease.release()
    } finally {
      await cache.close()
    }
  })
})
