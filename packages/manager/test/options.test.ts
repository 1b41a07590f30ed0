import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createManager } from '../src/manager.js'
import { type Env, handshake, startEnv } from './helpers/env.js'

describe('numeric options', () => {
  const hosts = ['example.com']
  it.each([
    ['maxContexts', 0],
    ['maxContexts', Number.NaN],
    ['maxConcurrentIssuances', 1.5],
    ['maxConcurrentIssuances', -1],
    ['lockTtlMs', 500],
    ['lockTtlMs', Number.POSITIVE_INFINITY],
  ])('%s = %s is refused with ERR_INVALID_OPTION naming the option', (name, value) => {
    expect(() => createManager({ hosts, [name]: value })).toThrow(
      expect.objectContaining({
        code: 'ERR_MANAGER_INVALID_OPTION',
        message: expect.stringContaining(name),
      }),
    )
  })
})

describe('lockTtlMs', () => {
  let env: Env
  beforeAll(async () => {
    env = await startEnv({}, { keyTypes: ['ec-p256'], lockTtlMs: 5000 })
    const server = env.manager.createServer((_req, res) => res.end('hello'))
    await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
  })
  afterAll(async () => {
    await env?.manager.close()
    await env?.pebble.stop()
  })

  it('is the TTL of every lock the manager takes: the account key and the certificate', async () => {
    const cert = await handshake(env.pebble.tlsPort, 'ttl.test', { ca: env.roots })
    expect(cert.subjectaltname).toBe('DNS:ttl.test')
    const names = env.store.locks.map((lock) => lock.name)
    expect(names.some((name) => name.includes('accounts'))).toBe(true)
    expect(names.some((name) => name.includes('ttl.test'))).toBe(true)
    expect(new Set(env.store.locks.map((lock) => lock.ttlMs))).toEqual(new Set([5000]))
  })
})
