import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CacheStore, Lease } from '../cache.js'
import { compareFencingTokens } from '../compare-fencing-tokens.js'

/** A store under test, with the optional hooks the suite uses. */
export interface TestedStore extends CacheStore {
  /** Frees what the store holds; called after every test. */
  close?(): Promise<void>
  /**
   * Stops keeping `lease` alive without releasing it, as if its holder froze or was killed. The
   * lease must abort `lost` once its TTL passes, and another caller must then get the lock.
   * `suspendRenewal` of `@autotls/cache/testing` does this for every lease built with
   * `KeptLease`. Without this hook the tests about frozen holders are skipped.
   */
  suspendRenewal?(lease: Lease): void
}

/** Options of {@link describeCache}. */
export interface DescribeCacheOptions {
  /** The lease TTL the lock tests use. Default 300 ms; raise it for a slow remote backend. */
  ttlMs?: number
}

function bytes(length: number, seed: number): Uint8Array {
  const value = new Uint8Array(length)
  for (let i = 0; i < length; i++) value[i] = (seed * 31 + i * 7) & 0xff
  return value
}

function settled(promise: Promise<unknown>): Promise<boolean> {
  return Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => setImmediate(() => resolve(false))),
  ])
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

const INVALID_KEYS = [
  '',
  '/',
  '/v1/a',
  'v1/a/',
  'v1//a',
  '..',
  'v1/../a',
  'v1/./a',
  '.hidden',
  'v1/.a',
  'V1/a',
  'v1/a b',
  'v1\\a',
  'v1/a:b',
  'v1/é',
  'v1/a\0',
  'v1/*',
  `v1/${'a'.repeat(256)}`,
  `v1/${'a/'.repeat(600)}a`,
]

/**
 * Registers the conformance suite for a cache backend as vitest `describe`/`it` blocks. Every
 * backend, ours and third parties', runs it: data operations (absent keys, binary values,
 * overwrite, delete, invalid keys, invalid options, concurrent writers, aborts), locks
 * (exclusion, aborting a wait, fencing tokens, renewal, dead holders, lost leases) and fenced
 * writes (a stale lease's put and delete refused, atomically).
 *
 * `factory` is called before each test and must return an empty store; the store's `close()`,
 * if any, is called after it.
 *
 * @example
 * ```ts
 * // my-backend.test.ts
 * import { describeCache, suspendRenewal } from '@autotls/cache/testing'
 * describeCache('myCache', async () =>
 *   Object.assign(await myCache({ url: process.env.MY_URL }), { suspendRenewal }),
 * )
 * ```
 */
export function describeCache(
  name: string,
  factory: () => TestedStore | Promise<TestedStore>,
  options: DescribeCacheOptions = {},
): void {
  const ttlMs = options.ttlMs ?? 300

  describe(`${name}: cache conformance`, () => {
    let store: TestedStore
    const leases: Lease[] = []

    async function lock(lockName: string, signal?: AbortSignal): Promise<Lease> {
      const lease = await store.lock(lockName, { ttlMs, signal })
      leases.push(lease)
      return lease
    }

    beforeEach(async () => {
      store = await factory()
    })

    afterEach(async () => {
      await Promise.allSettled(leases.splice(0).map((lease) => lease.release()))
      await store.close?.()
    })

    it('get resolves null for an absent key', async () => {
      expect(await store.get('v1/absent/key')).toBeNull()
    })

    it('round-trips every byte value 0–255 unchanged', async () => {
      const value = new Uint8Array(512)
      for (let i = 0; i < value.length; i++) value[i] = i % 256
      await store.put('v1/binary', value)
      const read = await store.get('v1/binary')
      expect(read).toBeInstanceOf(Uint8Array)
      expect(Array.from(read ?? [])).toEqual(Array.from(value))
    })

    it('stores an empty value as empty, not as absent', async () => {
      await store.put('v1/empty', new Uint8Array(0))
      const read = await store.get('v1/empty')
      expect(read).not.toBeNull()
      expect(read?.length).toBe(0)
    })

    it('round-trips a 1 MiB value', async () => {
      const value = bytes(1 << 20, 3)
      await store.put('v1/large', value)
      expect(Buffer.from((await store.get('v1/large')) ?? []).equals(Buffer.from(value))).toBe(true)
    })

    it('put overwrites: get returns the last value written', async () => {
      await store.put('v1/over', bytes(100, 1))
      await store.put('v1/over', bytes(10, 2))
      expect(Array.from((await store.get('v1/over')) ?? [])).toEqual(Array.from(bytes(10, 2)))
    })

    it('keeps a key and the keys below it apart', async () => {
      await store.put('v1/a', bytes(3, 1))
      await store.put('v1/a/b', bytes(3, 2))
      await store.put('v1/a.b', bytes(3, 3))
      expect(Array.from((await store.get('v1/a')) ?? [])).toEqual(Array.from(bytes(3, 1)))
      expect(Array.from((await store.get('v1/a/b')) ?? [])).toEqual(Array.from(bytes(3, 2)))
      expect(Array.from((await store.get('v1/a.b')) ?? [])).toEqual(Array.from(bytes(3, 3)))
      await store.delete('v1/a')
      expect(await store.get('v1/a')).toBeNull()
      expect(await store.get('v1/a/b')).not.toBeNull()
    })

    it('delete removes the key, and resolves for an absent key too', async () => {
      await store.put('v1/gone', bytes(5, 1))
      await store.delete('v1/gone')
      expect(await store.get('v1/gone')).toBeNull()
      await expect(store.delete('v1/gone')).resolves.toBeUndefined()
      await expect(store.delete('v1/never/there')).resolves.toBeUndefined()
    })

    it('rejects every invalid key with ERR_CACHE_INVALID_KEY, in every operation', async () => {
      for (const key of INVALID_KEYS) {
        for (const call of [
          () => store.get(key),
          () => store.put(key, bytes(1, 1)),
          () => store.delete(key),
          () => store.lock(key, { ttlMs }),
        ]) {
          const error = await call().then(
            () => undefined,
            (e: unknown) => e,
          )
          expect(error, `key ${JSON.stringify(key)}`).toMatchObject({
            code: 'ERR_CACHE_INVALID_KEY',
          })
        }
      }
    })

    it('rejects with the signal reason when the signal is already aborted', async () => {
      const reason = new Error('stop')
      const signal = AbortSignal.abort(reason)
      await expect(store.get('v1/x', { signal })).rejects.toBe(reason)
      await expect(store.put('v1/x', bytes(1, 1), { signal })).rejects.toBe(reason)
      await expect(store.delete('v1/x', { signal })).rejects.toBe(reason)
      await expect(store.lock('v1/x', { ttlMs, signal })).rejects.toBe(reason)
      expect(await store.get('v1/x')).toBeNull()
    })

    it('100 concurrent puts to one key leave one whole written value; readers never see a mix', async () => {
      const values = Array.from({ length: 100 }, (_, i) => {
        const value = bytes(16 * 1024, i)
        value[0] = i
        return value
      })
      const torn: string[] = []
      const check = (read: Uint8Array | null): void => {
        if (read === null) return
        const written = values[read[0] ?? -1]
        if (!written || !Buffer.from(read).equals(Buffer.from(written))) {
          torn.push(`${read.length} bytes starting ${read[0]}`)
        }
      }
      let writing = true
      const reader = async (): Promise<void> => {
        while (writing) {
          check(await store.get('v1/contended'))
          await new Promise((resolve) => setImmediate(resolve))
        }
      }
      const readers = Array.from({ length: 4 }, reader)
      await Promise.all(values.map((value) => store.put('v1/contended', value)))
      writing = false
      await Promise.all(readers)
      const final = await store.get('v1/contended')
      expect(final).not.toBeNull()
      check(final)
      expect(torn, 'reads that were not a whole written value').toEqual([])
    })

    it('lock excludes a second holder until the first releases', async () => {
      const first = await lock('v1/locks/one')
      const second = lock('v1/locks/one')
      await delay(ttlMs / 2)
      expect(await settled(second)).toBe(false)
      await first.release()
      const next = await second
      expect(compareFencingTokens(next.token, first.token)).toBeGreaterThan(0)
    })

    it('locks on different names do not exclude each other', async () => {
      await lock('v1/locks/a')
      await expect(lock('v1/locks/b')).resolves.toBeDefined()
      await expect(lock('v1/locks/a/b')).resolves.toBeDefined()
    })

    it('a held lease outlives its TTL while its holder is alive (renewal)', async () => {
      const held = await lock('v1/locks/renewed')
      const waiter = lock('v1/locks/renewed', AbortSignal.timeout(ttlMs * 2))
      await expect(waiter).rejects.toMatchObject({ name: 'TimeoutError' })
      expect(held.lost.aborted).toBe(false)
    })

    it('waiting for a lock can be aborted, with the signal reason, without taking the lock', async () => {
      const held = await lock('v1/locks/abort')
      const controller = new AbortController()
      const waiting = lock('v1/locks/abort', controller.signal)
      await delay(20)
      const reason = new Error('gave up')
      const started = performance.now()
      controller.abort(reason)
      await expect(waiting).rejects.toBe(reason)
      expect(performance.now() - started).toBeLessThan(ttlMs)
      await held.release()
      const next = await lock('v1/locks/abort', AbortSignal.timeout(ttlMs))
      expect(compareFencingTokens(next.token, held.token)).toBeGreaterThan(0)
    })

    it('fencing tokens strictly increase in acquisition order, across waits and releases', async () => {
      const tokens: string[] = []
      for (let i = 0; i < 3; i++) {
        const lease = await lock('v1/locks/fence')
        tokens.push(lease.token)
        await lease.release()
      }
      await Promise.all(
        Array.from({ length: 5 }, async () => {
          const lease = await lock('v1/locks/fence')
          tokens.push(lease.token)
          await delay(2)
          await lease.release()
        }),
      )
      expect(tokens).toHaveLength(8)
      for (let i = 1; i < tokens.length; i++) {
        expect(compareFencingTokens(tokens[i] ?? '', tokens[i - 1] ?? '')).toBeGreaterThan(0)
      }
    })

    it('release is safe to call twice', async () => {
      const lease = await lock('v1/locks/twice')
      await lease.release()
      await expect(lease.release()).resolves.toBeUndefined()
      await expect(lock('v1/locks/twice', AbortSignal.timeout(ttlMs))).resolves.toBeDefined()
    })

    it('a lock held by a crashed holder becomes available after its TTL, not before', async (context) => {
      if (!store.suspendRenewal) context.skip()
      const dead = await lock('v1/locks/crash')
      const started = performance.now()
      store.suspendRenewal?.(dead)
      const next = await lock('v1/locks/crash', AbortSignal.timeout(ttlMs * 10))
      expect(performance.now() - started).toBeGreaterThanOrEqual(ttlMs * 0.8)
      expect(compareFencingTokens(next.token, dead.token)).toBeGreaterThan(0)
      expect(dead.lost.aborted).toBe(true)
    })

    it('a lease that cannot be kept alive aborts lost with ERR_CACHE_LOCK_LOST; its release frees nothing', async (context) => {
      if (!store.suspendRenewal) context.skip()
      const stale = await lock('v1/locks/lost')
      store.suspendRenewal?.(stale)
      const reason = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('lost never aborted')), ttlMs * 5)
        stale.lost.addEventListener('abort', () => {
          clearTimeout(timer)
          resolve(stale.lost.reason)
        })
      })
      expect(reason).toMatchObject({ code: 'ERR_CACHE_LOCK_LOST' })
      const current = await lock('v1/locks/lost', AbortSignal.timeout(ttlMs * 5))
      await stale.release()
      const third = lock('v1/locks/lost', AbortSignal.timeout(ttlMs * 1.5))
      await expect(third).rejects.toMatchObject({ name: 'TimeoutError' })
      expect(current.lost.aborted).toBe(false)
    })

    it('rejects malformed options with ERR_CACHE_INVALID_OPTION, in every operation', async () => {
      const calls: [string, () => Promise<unknown>][] = []
      for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '100', undefined]) {
        calls.push([
          `ttlMs ${String(ttl)}`,
          () => store.lock('v1/locks/o', { ttlMs: ttl as number }),
        ])
      }
      calls.push(['no lock options', () => store.lock('v1/locks/o', undefined as never)])
      const notSignal = { signal: 'soon' as unknown as AbortSignal }
      calls.push(['get signal', () => store.get('v1/o', notSignal)])
      calls.push(['put signal', () => store.put('v1/o', bytes(1, 1), notSignal)])
      calls.push(['delete signal', () => store.delete('v1/o', notSignal)])
      calls.push(['lock signal', () => store.lock('v1/locks/o', { ttlMs, ...notSignal })])
      const leases: unknown[] = [
        'lease',
        { name: 'v1/locks/o', token: 'one' },
        { name: 'v1/locks/o', token: '-1' },
        { name: 'v1/locks/o', token: 1 },
        { name: 'V1 locks', token: '1' },
        { token: '1' },
      ]
      for (const lease of leases) {
        const options = { lease: lease as Lease }
        calls.push([
          `put lease ${JSON.stringify(lease)}`,
          () => store.put('v1/o', bytes(1, 1), options),
        ])
        calls.push([`delete lease ${JSON.stringify(lease)}`, () => store.delete('v1/o', options)])
      }
      for (const [what, call] of calls) {
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(error, what).toMatchObject({ name: 'CacheError', code: 'ERR_CACHE_INVALID_OPTION' })
      }
      expect(await store.get('v1/o')).toBeNull()
    })

    it('a lease names its lock', async () => {
      const lease = await lock('v1/locks/named')
      expect(lease.name).toBe('v1/locks/named')
    })

    it('fencing: a write under an older lease is refused with ERR_CACHE_STALE_LEASE; the newer holder’s value stays', async () => {
      const old = await lock('v1/locks/fenced')
      await store.put('v1/fenced', bytes(8, 1), { lease: old })
      await store.put('v1/fenced/gone', bytes(8, 1), { lease: old })
      await old.release()
      const current = await lock('v1/locks/fenced')
      await store.put('v1/fenced', bytes(8, 2), { lease: current })
      const refused = { name: 'CacheError', code: 'ERR_CACHE_STALE_LEASE' }
      await expect(store.put('v1/fenced', bytes(8, 3), { lease: old })).rejects.toMatchObject(
        refused,
      )
      await expect(store.delete('v1/fenced', { lease: old })).rejects.toMatchObject(refused)
      await expect(store.put('v1/fenced/new', bytes(8, 3), { lease: old })).rejects.toMatchObject(
        refused,
      )
      await expect(store.delete('v1/fenced/gone', { lease: old })).rejects.toMatchObject(refused)
      expect(Array.from((await store.get('v1/fenced')) ?? [])).toEqual(Array.from(bytes(8, 2)))
      expect(await store.get('v1/fenced/new')).toBeNull()
      expect(await store.get('v1/fenced/gone')).not.toBeNull()
      await store.delete('v1/fenced/gone', { lease: current })
      expect(await store.get('v1/fenced/gone')).toBeNull()
    })

    it('fencing: writes without a lease, and leases of other lock names, are not fenced', async () => {
      const old = await lock('v1/locks/unfenced')
      await old.release()
      const current = await lock('v1/locks/unfenced')
      await store.put('v1/unfenced', bytes(4, 1), { lease: current })
      await store.put('v1/unfenced', bytes(4, 2))
      expect(Array.from((await store.get('v1/unfenced')) ?? [])).toEqual(Array.from(bytes(4, 2)))
      await store.delete('v1/unfenced')
      expect(await store.get('v1/unfenced')).toBeNull()
      // A newer lease on another name says nothing about this one.
      const other = await lock('v1/locks/unfenced/other')
      await other.release()
      await lock('v1/locks/unfenced/other')
      await store.put('v1/unfenced', bytes(4, 3), { lease: current })
      expect(Array.from((await store.get('v1/unfenced')) ?? [])).toEqual(Array.from(bytes(4, 3)))
    })

    it('fencing: stale writes racing a takeover never land after the new holder’s write', async () => {
      const old = await lock('v1/locks/race')
      let firstAccepted: () => void = () => {}
      const started = new Promise<void>((resolve) => {
        firstAccepted = resolve
      })
      const writers = Array.from({ length: 4 }, async (_, i) => {
        let accepted = 0
        for (;;) {
          try {
            await store.put('v1/race', bytes(64, 10 + i), { lease: old })
            accepted++
            firstAccepted()
          } catch (error) {
            expect(error).toMatchObject({ code: 'ERR_CACHE_STALE_LEASE' })
            return accepted
          }
          await new Promise((resolve) => setImmediate(resolve))
        }
      })
      await started
      await old.release()
      const current = await lock('v1/locks/race')
      await store.put('v1/race', bytes(64, 1), { lease: current })
      const accepted = await Promise.all(writers)
      expect(accepted.reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
      expect(Array.from((await store.get('v1/race')) ?? [])).toEqual(Array.from(bytes(64, 1)))
    })

    it('fencing: a frozen holder whose lease was lost cannot overwrite or delete its successor’s value', async (context) => {
      if (!store.suspendRenewal) context.skip()
      const frozen = await lock('v1/locks/frozen')
      await store.put('v1/frozen', bytes(8, 1), { lease: frozen })
      store.suspendRenewal?.(frozen)
      const successor = await lock('v1/locks/frozen', AbortSignal.timeout(ttlMs * 10))
      expect(frozen.lost.aborted).toBe(true)
      await store.put('v1/frozen', bytes(8, 2), { lease: successor })
      const refused = { code: 'ERR_CACHE_STALE_LEASE' }
      await expect(store.put('v1/frozen', bytes(8, 3), { lease: frozen })).rejects.toMatchObject(
        refused,
      )
      await expect(store.delete('v1/frozen', { lease: frozen })).rejects.toMatchObject(refused)
      expect(Array.from((await store.get('v1/frozen')) ?? [])).toEqual(Array.from(bytes(8, 2)))
    })
  })
}
