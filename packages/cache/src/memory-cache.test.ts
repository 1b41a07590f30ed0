import { describe, expect, it } from 'vitest'
import { KeptLease } from './kept-lease.js'
import { memoryCache } from './memory-cache.js'
import { describeCache, suspendRenewal } from './testing/index.js'

describeCache('memoryCache', () => Object.assign(memoryCache(), { suspendRenewal }))

describe('memoryCache', () => {
  it('forgets a released lock, yet its tokens keep growing and a write after the release is refused', async () => {
    const store = memoryCache()
    const first = await store.lock('v1/locks/again', { ttlMs: 60_000 })
    await store.lock('v1/locks/other', { ttlMs: 60_000 })
    await first.release()
    const again = await store.lock('v1/locks/again', { ttlMs: 60_000 })
    expect(BigInt(again.token)).toBeGreaterThan(BigInt(first.token))
    await again.release()
    await expect(
      store.put('v1/again', new Uint8Array([1]), { lease: again }),
    ).rejects.toMatchObject({ code: 'ERR_CACHE_STALE_LEASE' })
    expect(await store.get('v1/again')).toBeNull()
    await store.close()
  })

  it('measures lock expiry on the injected clock: a dead holder is taken over once now passes its TTL', async () => {
    let now = 1_000_000
    const store = memoryCache({ now: () => now })
    const dead = await store.lock('v1/locks/clock', { ttlMs: 60_000 })
    expect(dead).toBeInstanceOf(KeptLease)
    suspendRenewal(dead)
    let taken = false
    const next = store.lock('v1/locks/clock', { ttlMs: 60_000 }).then((lease) => {
      taken = true
      return lease
    })
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(taken).toBe(false)
    now += 60_000
    expect(BigInt((await next).token)).toBe(BigInt(dead.token) + 1n)
    await store.close()
  })

  it('copies values in and out: mutating a buffer after put or get changes nothing stored', async () => {
    const store = memoryCache()
    const value = new Uint8Array([1, 2, 3])
    await store.put('v1/copy', value)
    value[0] = 9
    const read = await store.get('v1/copy')
    if (read) read[1] = 9
    expect(Array.from((await store.get('v1/copy')) ?? [])).toEqual([1, 2, 3])
  })

  it('after close, operations fail with ERR_CACHE_UNAVAILABLE and held leases are released', async () => {
    const store = memoryCache()
    const lease = await store.lock('v1/locks/closing', { ttlMs: 1000 })
    await store.close()
    await expect(store.get('v1/x')).rejects.toMatchObject({ code: 'ERR_CACHE_UNAVAILABLE' })
    await expect(lease.release()).resolves.toBeUndefined()
  })

  it('rejects malformed factory options with ERR_CACHE_INVALID_OPTION', () => {
    expect(() => memoryCache(null as never)).toThrow(
      expect.objectContaining({ code: 'ERR_CACHE_INVALID_OPTION' }),
    )
    expect(() => memoryCache({ now: 5 as never })).toThrow(
      expect.objectContaining({ code: 'ERR_CACHE_INVALID_OPTION' }),
    )
  })
})
