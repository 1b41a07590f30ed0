import { CacheError, type CacheStore, memoryCache } from '@autotls/cache'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { createManager } from '../src/manager.js'
import { type Env, handshake, memoryLogger, startEnv } from './helpers/env.js'

let env: Env
let server: ManagedServer

beforeAll(async () => {
  env = await startEnv(
    { domainBlocklist: ['blocked.test'] },
    { keyTypes: ['ec-p256'], handshakeTimeoutMs: 1500, failureTtlMs: 1000 },
  )
  server = env.manager.createServer()
  await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
})

afterAll(async () => {
  await env?.manager.close()
  await env?.pebble.stop()
})

function signalCa(signal: 'SIGSTOP' | 'SIGCONT'): void {
  for (const pid of env.pebble.pids()) process.kill(pid, signal)
}

describe('CA down', () => {
  it('cached names keep serving; a new name fails within the bounded wait with a clear log line, then is obtained once the CA is back', async () => {
    // Obtained ahead of the handshake: a first issuance on a loaded machine may take longer than
    // this file's 1.5 s handshake wait.
    await env.manager.manage(['cached.test'])
    const cached = await handshake(env.pebble.tlsPort, 'cached.test', { ca: env.roots })
    signalCa('SIGSTOP')
    try {
      const again = await handshake(env.pebble.tlsPort, 'cached.test', { ca: env.roots })
      expect(again.serialNumber).toBe(cached.serialNumber)

      const started = Date.now()
      await expect(handshake(env.pebble.tlsPort, 'new.test', { ca: env.roots })).rejects.toThrow()
      const waited = Date.now() - started
      expect(waited).toBeGreaterThanOrEqual(1400)
      expect(waited).toBeLessThan(4000)
      expect(env.logger.lines).toContainEqual(
        expect.stringMatching(
          /^warn certificate for new\.test not ready within 1500 ms: this handshake fails, the issuance continues/,
        ),
      )
      // Still serving the cached name while the new one waits.
      expect(
        (await handshake(env.pebble.tlsPort, 'cached.test', { ca: env.roots })).serialNumber,
      ).toBe(cached.serialNumber)
    } finally {
      signalCa('SIGCONT')
    }
    const deadline = Date.now() + 20_000
    let obtained: string | undefined
    while (!obtained && Date.now() < deadline) {
      obtained = await handshake(env.pebble.tlsPort, 'new.test', { ca: env.roots }).then(
        (cert) => cert.subjectaltname,
        () => undefined,
      )
    }
    expect(obtained).toBe('DNS:new.test')
  })

  it('a failure because the cache store is unreachable is remembered for one second only, then the CA is asked again', async () => {
    let now = Date.now()
    let storeDown = true
    const inner = memoryCache()
    const store: CacheStore = {
      get: (key, options) =>
        storeDown
          ? Promise.reject(
              new CacheError('ERR_CACHE_UNAVAILABLE', 'Redis GET failed: not connected'),
            )
          : inner.get(key, options),
      put: (key, value, options) => inner.put(key, value, options),
      delete: (key, options) => inner.delete(key, options),
      lock: (name, options) => inner.lock(name, options),
    }
    const manager = createManager({
      hosts: ['storedown.test'],
      cache: store,
      directoryUrl: env.pebble.directoryUrl,
      caPem: env.pebble.caPem,
      acceptTerms: true,
      challenges: ['tls-alpn-01'],
      failureTtlMs: 60_000,
      now: () => now,
      logger: memoryLogger(),
    })
    try {
      const orders = env.pebble.orderCount()
      await expect(manager.secureContext('storedown.test')).rejects.toMatchObject({
        code: 'ERR_MANAGER_CACHE_UNUSABLE',
        cause: { code: 'ERR_CACHE_UNAVAILABLE' },
      })
      await expect(manager.secureContext('storedown.test')).rejects.toMatchObject({
        code: 'ERR_MANAGER_RECENT_FAILURE',
      })
      expect(env.pebble.orderCount()).toBe(orders)
      storeDown = false
      now += 1001
      // The store is back: the next handshake goes to the CA again (this manager serves no
      // validation port, so the order itself then fails; what matters is that it was placed).
      await expect(manager.secureContext('storedown.test')).rejects.not.toMatchObject({
        code: 'ERR_MANAGER_RECENT_FAILURE',
      })
      expect(env.pebble.orderCount()).toBe(orders + 1)
    } finally {
      await manager.close()
    }
  })

  it('a cache that cannot be locked (a directory not writable) is not remembered like a CA refusal: the next handshake after the fix is served', async () => {
    let writable = false
    const inner = memoryCache()
    const store: CacheStore = {
      get: (key, options) => inner.get(key, options),
      put: (key, value, options) => inner.put(key, value, options),
      delete: (key, options) => inner.delete(key, options),
      lock: (name, options) =>
        writable
          ? inner.lock(name, options)
          : Promise.reject(new CacheError('ERR_CACHE_IO', `could not lock ${name} (EACCES)`)),
    }
    const manager = createManager({
      hosts: ['readonly.test'],
      cache: store,
      directoryUrl: env.pebble.directoryUrl,
      caPem: env.pebble.caPem,
      acceptTerms: true,
      challenges: ['tls-alpn-01'],
      failureTtlMs: 60_000,
      logger: memoryLogger(),
    })
    try {
      const orders = env.pebble.orderCount()
      await expect(manager.secureContext('readonly.test')).rejects.toMatchObject({
        code: 'ERR_MANAGER_CACHE_UNUSABLE',
        cause: { code: 'ERR_CACHE_IO' },
      })
      // Still broken: asked again (no order placed either time), not refused from memory.
      await expect(manager.secureContext('readonly.test')).rejects.toMatchObject({
        code: 'ERR_MANAGER_CACHE_UNUSABLE',
      })
      expect(env.pebble.orderCount()).toBe(orders)
      writable = true
      await expect(manager.secureContext('readonly.test')).rejects.not.toMatchObject({
        code: 'ERR_MANAGER_RECENT_FAILURE',
      })
      expect(env.pebble.orderCount()).toBe(orders + 1)
    } finally {
      await manager.close()
    }
  })

  it('a failed issuance is remembered for failureTtlMs: a flood of handshakes makes one attempt, the next comes after the TTL', async () => {
    let now = Date.now()
    const failed: string[] = []
    const manager = createManager({
      hosts: ['blocked.test'],
      cache: env.store,
      directoryUrl: env.pebble.directoryUrl,
      caPem: env.pebble.caPem,
      acceptTerms: true,
      challenges: ['tls-alpn-01'],
      failureTtlMs: 60_000,
      now: () => now,
      logger: memoryLogger(),
      onEvent: (event) => {
        if (event.type === 'failed') failed.push(event.error.message)
      },
    })
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, () => manager.secureContext('blocked.test')),
      )
      expect(results.every((r) => r.status === 'rejected')).toBe(true)
      expect(failed).toHaveLength(1)
      expect(failed[0]).toMatch(/blocked|rejectedIdentifier|policy/i)
      await expect(manager.secureContext('blocked.test')).rejects.toMatchObject({
        code: 'ERR_MANAGER_RECENT_FAILURE',
      })
      expect(failed).toHaveLength(1)
      now += 60_001
      await expect(manager.secureContext('blocked.test')).rejects.not.toMatchObject({
        code: 'ERR_MANAGER_RECENT_FAILURE',
      })
      expect(failed).toHaveLength(2)
    } finally {
      await manager.close()
    }
  })
})
