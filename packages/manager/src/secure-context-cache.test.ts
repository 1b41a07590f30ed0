import type { AddressInfo } from 'node:net'
import { connect, createSecureContext, createServer } from 'node:tls'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { subjectServedBy } from '../test/helpers/context-handshake.js'
import { selfSigned } from '../test/helpers/self-signed.js'
import { releaseHeldSecureContext, SecureContextCache } from './secure-context-cache.js'

describe('SecureContextCache', () => {
  it('evicts the least recently used entry beyond capacity', () => {
    const lru = new SecureContextCache<number>(2)
    lru.set('a', 1)
    lru.set('b', 2)
    expect(lru.get('a')).toBe(1)
    lru.set('c', 3)
    expect(lru.get('b')).toBeUndefined()
    expect(lru.get('a')).toBe(1)
    expect(lru.get('c')).toBe(3)
    expect(lru.size).toBe(2)
  })

  it('holds tens of thousands of names within its bound', () => {
    const lru = new SecureContextCache<string>(1000)
    for (let i = 0; i < 50_000; i++) lru.set(`host${i}.example/ec-p256`, `ctx${i}`)
    expect(lru.size).toBe(1000)
    expect(lru.get('host49999.example/ec-p256')).toBe('ctx49999')
    expect(lru.get('host0.example/ec-p256')).toBeUndefined()
  })

  it('replacing a key refreshes it without growing', () => {
    const lru = new SecureContextCache<number>(2)
    lru.set('a', 1)
    lru.set('b', 2)
    lru.set('a', 3)
    lru.set('c', 4)
    expect(lru.get('a')).toBe(3)
    expect(lru.get('b')).toBeUndefined()
    expect(lru.delete('a')).toBe(true)
    lru.clear()
    expect(lru.size).toBe(0)
  })

  it('an entry read since the last eviction scan is passed over once; an unread one goes first', () => {
    const lru = new SecureContextCache<number>(3)
    lru.set('a', 1)
    lru.set('b', 2)
    lru.set('c', 3)
    lru.get('a')
    lru.get('b')
    lru.set('d', 4)
    expect(lru.get('c')).toBeUndefined()
    lru.set('e', 5)
    expect(lru.get('d')).toBeUndefined()
    expect([lru.get('a'), lru.get('b'), lru.get('e')]).toEqual([1, 2, 5])
    expect(lru.size).toBe(3)
  })

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new SecureContextCache(0)).toThrow(RangeError)
    expect(() => new SecureContextCache(1, { graceMs: -1 })).toThrow(RangeError)
  })
})

describe('SecureContextCache: what leaves is released after the grace period', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('releases evicted, replaced, deleted and cleared values once the grace period passed', () => {
    vi.useFakeTimers()
    const released: string[] = []
    const lru = new SecureContextCache<string>(2, {
      graceMs: 1000,
      release: (v) => released.push(v),
    })
    lru.set('a', 'a1')
    lru.set('b', 'b1')
    lru.set('c', 'c1') // evicts a1
    lru.set('b', 'b2') // replaces b1
    vi.advanceTimersByTime(500)
    lru.delete('c')
    vi.advanceTimersByTime(499)
    expect(released).toEqual([])
    vi.advanceTimersByTime(1)
    expect(released).toEqual(['a1', 'b1'])
    vi.advanceTimersByTime(500)
    expect(released).toEqual(['a1', 'b1', 'c1'])
    lru.clear()
    vi.advanceTimersByTime(1000)
    expect(released).toEqual(['a1', 'b1', 'c1', 'b2'])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('under churn each eviction releases what is due, a few at a time', () => {
    vi.useFakeTimers()
    const released: number[] = []
    const lru = new SecureContextCache<number>(1, {
      graceMs: 100,
      release: (v) => released.push(v),
    })
    for (let i = 0; i < 50; i++) lru.set('a', i) // 49 replaced values leave at t = 0
    vi.advanceTimersByTime(100)
    // The timer releases a bounded batch; the rest follow on later turns, not in one stall.
    expect(released.length).toBeGreaterThan(0)
    expect(released.length).toBeLessThan(49)
    lru.set('a', 50) // a departure releases two more that are due
    vi.advanceTimersByTime(1000)
    expect(released).toEqual(Array.from({ length: 50 }, (_, i) => i))
  })

  it('does not release a value that was set again before its grace ran out', () => {
    vi.useFakeTimers()
    const released: string[] = []
    const lru = new SecureContextCache<string>(1, { release: (v) => released.push(v) })
    lru.set('a', 'shared')
    lru.set('b', 'other') // evicts 'shared'
    lru.set('a', 'shared') // held again, evicts 'other'
    vi.advanceTimersByTime(5000)
    expect(released).toEqual(['other'])
    expect(lru.get('a')).toBe('shared')
  })
})

describe('releaseHeldSecureContext', () => {
  it('frees a context held as `context`: a handshake with it later fails instead of crashing', async () => {
    const { key, cert } = await selfSigned('release.test', 'ec')
    const ready = { context: createSecureContext({ key, cert }), cert }
    expect(await subjectServedBy(ready.context)).toBe('CN=release.test')
    releaseHeldSecureContext(ready)
    releaseHeldSecureContext(ready) // twice is harmless
    expect(await subjectServedBy(ready.context)).toMatch(/^failed: /)
  })

  it("leaves a context marked handed out alone: a server of the user's may still use it", async () => {
    const { key, cert } = await selfSigned('release.test', 'ec')
    const ready = { context: createSecureContext({ key, cert }), cert, handedOut: true }
    releaseHeldSecureContext(ready)
    expect(await subjectServedBy(ready.context)).toBe('CN=release.test')
  })

  it('a connection made with a context keeps working after the context is released', async () => {
    const { key, cert } = await selfSigned('release.test', 'ec')
    const ready = { context: createSecureContext({ key, cert }), cert }
    const server = createServer({ SNICallback: (_name, cb) => cb(null, ready.context) }, (socket) =>
      socket.pipe(socket),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      const socket = connect({
        host: '127.0.0.1',
        port,
        servername: 'release.test',
        rejectUnauthorized: false,
      })
      await new Promise((resolve) => socket.once('secureConnect', resolve))
      releaseHeldSecureContext(ready)
      socket.write('still here')
      const [echo] = (await Promise.race([
        new Promise((resolve) => socket.once('data', (data) => resolve([String(data)]))),
        new Promise((resolve) => socket.once('close', () => resolve(['closed']))),
      ])) as [string]
      socket.destroy()
      expect(echo).toBe('still here')
    } finally {
      server.close()
    }
  })

  it('leaves anything that is not a context alone', () => {
    const value = { context: 'not a SecureContext' }
    releaseHeldSecureContext(value)
    releaseHeldSecureContext(42)
    expect(value.context).toBe('not a SecureContext')
  })
})
