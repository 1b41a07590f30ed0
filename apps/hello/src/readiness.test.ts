import { type Cache, memoryCache } from '@autotls/cache'
import { describe, expect, it } from 'vitest'
import { Readiness } from './readiness.js'

const served = (): Promise<void> => Promise.resolve()
const never = (_name: string, signal: AbortSignal): Promise<void> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
const nothing = (): string[] => []
const refused = (name: string): Promise<void> => Promise.reject(new Error(`the CA refused ${name}`))

describe('Readiness', () => {
  it('is ready when the cache works and the first name is served', async () => {
    const readiness = new Readiness({
      cache: memoryCache(),
      names: ['a.test'],
      serve: served,
      held: nothing,
    })
    expect(await readiness.check()).toEqual({ ready: true, reason: 'serving a.test' })
  })

  it('counts a name whose certificate is still on its way as servable', async () => {
    const readiness = new Readiness({
      cache: memoryCache(),
      names: ['a.test'],
      serve: never,
      held: nothing,
      waitMs: 20,
    })
    expect(await readiness.check()).toEqual({
      ready: true,
      reason: 'obtaining a certificate for a.test',
    })
  })

  it('is ready when any configured name can be served, and not when every one failed', async () => {
    const some = new Readiness({
      cache: memoryCache(),
      names: ['a.test', 'b.test'],
      serve: (name) => (name === 'b.test' ? served() : refused(name)),
      held: nothing,
    })
    expect(await some.check()).toEqual({ ready: true, reason: 'serving b.test' })

    const none = new Readiness({
      cache: memoryCache(),
      names: ['a.test', 'b.test'],
      serve: refused,
      held: nothing,
    })
    expect(await none.check()).toEqual({
      ready: false,
      reason:
        'no configured name can be served (a.test: the CA refused a.test; b.test: the CA refused b.test)',
    })
  })

  it('is not ready while the cache fails, and never asks for a name then', async () => {
    const cache = memoryCache()
    let broken = true
    const failing = {
      get: cache.get.bind(cache),
      delete: cache.delete.bind(cache),
      put: (...args: Parameters<typeof cache.put>) =>
        broken
          ? Promise.reject(Object.assign(new Error('no'), { code: 'EACCES' }))
          : cache.put(...args),
    }
    const asked: string[] = []
    const changes: unknown[] = []
    const readiness = new Readiness({
      onCacheChange: (error) => changes.push(error && (error as { code?: string }).code),
      cache: failing,
      names: ['a.test'],
      serve: (name) => {
        asked.push(name)
        return served()
      },
      held: nothing,
    })
    expect(await readiness.check()).toEqual({
      ready: false,
      reason: 'the certificate cache is not usable (EACCES)',
    })
    expect(asked).toEqual([])
    await readiness.check()
    broken = false
    expect(await readiness.check()).toEqual({ ready: true, reason: 'serving a.test' })
    // Told once when the cache broke and once when it came back.
    expect(changes).toEqual(['EACCES', null])
  })

  it('stays ready, saying why, while the cache fails but a certificate is held in memory', async () => {
    const readiness = new Readiness({
      cache: brokenCache(),
      names: ['a.test', 'b.test'],
      serve: served,
      held: () => ['b.test'],
    })
    expect(await readiness.check()).toEqual({
      ready: true,
      reason:
        'serving b.test from memory, but the certificate cache is not usable (EACCES): new names and renewals wait for it',
    })
  })

  it('leaves nothing behind in the cache', async () => {
    const cache = memoryCache()
    const keys: string[] = []
    const spy = {
      get: cache.get.bind(cache),
      delete: cache.delete.bind(cache),
      put: (key: string, value: Uint8Array) => {
        keys.push(key)
        return cache.put(key, value)
      },
    }
    await new Readiness({ cache: spy, names: ['a.test'], serve: served, held: nothing }).check()
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatch(/^v1\/probes\//)
    expect(await cache.get(keys[0] as string)).toBeNull()
  })

  it('reports not ready once stopping', async () => {
    const readiness = new Readiness({
      cache: memoryCache(),
      names: ['a.test'],
      serve: served,
      held: nothing,
    })
    readiness.stopping()
    expect(await readiness.check()).toEqual({ ready: false, reason: 'stopping' })
  })
})

/** A cache whose every write fails as an unwritable directory does. */
function brokenCache(): Cache {
  const cache = memoryCache()
  return {
    get: (key) => cache.get(key),
    delete: (key) => cache.delete(key),
    put: () => Promise.reject(Object.assign(new Error('no'), { code: 'EACCES' })),
  }
}
