import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { claim } from '../src/dir-lock.js'
import { dirCache } from '../src/index.js'
import { lockPath } from '../src/key-path.js'

const NAME = 'v1/locks/certs/example.com/ecdsa-p256'
const TTL = 2000

describe('dirCache lock files', () => {
  let dir: string
  let lockDir: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autotls-stale-'))
    lockDir = join(dir, ...lockPath(dir, NAME))
    await mkdir(lockDir, { recursive: true })
  })

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  async function ageFile(path: string, ageMs: number): Promise<void> {
    const when = new Date(Date.now() - ageMs)
    await utimes(path, when, when)
  }

  for (const [what, content] of [
    ['an empty', ''],
    ['a half-written', '{"id":"3f9a","pid":41'],
    ['a garbage', '\0\0\0\0'],
  ] as const) {
    it(`takes over ${what} lock file once it is older than the TTL, with the next fencing token`, async () => {
      await writeFile(join(lockDir, '7'), content)
      await ageFile(join(lockDir, '7'), TTL + 1000)
      const store = dirCache({ dir })
      const lease = await store.lock(NAME, { ttlMs: TTL, signal: AbortSignal.timeout(1000) })
      expect(lease.token).toBe('8')
      expect(await readdir(lockDir)).toEqual(['8'])
      await store.close()
    })
  }

  it('respects a fresh unparsable lock file until the TTL has passed on the injected clock', async () => {
    await writeFile(join(lockDir, '3'), '')
    let now = Date.now()
    const store = dirCache({ dir, now: () => now })
    let acquired = false
    const waiting = store.lock(NAME, { ttlMs: TTL }).then((lease) => {
      acquired = true
      return lease
    })
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(acquired).toBe(false)
    now += TTL + 1
    expect((await waiting).token).toBe('4')
    await store.close()
  })

  it('takes over a lock whose holder died (expiresAt passed), not one still valid', async () => {
    let now = Date.now()
    const store = dirCache({ dir, now: () => now })
    const holder = { id: 'dead', pid: 999999, host: 'elsewhere', expiresAt: now + 500 }
    await writeFile(join(lockDir, '41'), JSON.stringify(holder))
    const early = store.lock(NAME, { ttlMs: TTL, signal: AbortSignal.timeout(200) })
    await expect(early).rejects.toMatchObject({ name: 'TimeoutError' })
    now += 500
    const lease = await store.lock(NAME, { ttlMs: TTL, signal: AbortSignal.timeout(1000) })
    expect(lease.token).toBe('42')
    await store.close()
  })

  it('writes complete JSON naming the holder, and marks it released on release', async () => {
    const store = dirCache({ dir })
    const lease = await store.lock(NAME, { ttlMs: TTL })
    const held = JSON.parse(await readFile(join(lockDir, lease.token), 'utf8'))
    expect(held).toMatchObject({ pid: process.pid, id: expect.any(String) })
    expect(held.expiresAt).toBeGreaterThan(Date.now())
    await lease.release()
    const released = JSON.parse(await readFile(join(lockDir, lease.token), 'utf8'))
    expect(released).toMatchObject({ id: held.id, released: true })
  })

  it('ten stores racing to take over one stale lock hold it one at a time', async () => {
    await writeFile(join(lockDir, '1'), '')
    await ageFile(join(lockDir, '1'), TTL + 1000)
    let inside = 0
    let overlaps = 0
    const tokens: string[] = []
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const store = dirCache({ dir })
        const lease = await store.lock(NAME, { ttlMs: TTL, signal: AbortSignal.timeout(10_000) })
        inside++
        if (inside > 1) overlaps++
        tokens.push(lease.token)
        await new Promise((resolve) => setTimeout(resolve, 5))
        inside--
        await lease.release()
      }),
    )
    expect(overlaps).toBe(0)
    expect(tokens.map(Number)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
  })
})

describe('dirCache lock generations', () => {
  it('withdraws a claim on a generation that cleanup removed after a newer one was created', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autotls-aba-'))
    try {
      const holder = { id: 'newer', pid: 1, host: 'h', expiresAt: Date.now() + 60_000 }
      await writeFile(join(dir, '51'), JSON.stringify(holder))
      // A contender that last saw generation 48 free now claims 49, long since cleaned up.
      const late = { id: 'late', pid: 2, host: 'h', expiresAt: Date.now() + 60_000 }
      expect(await claim(dir, 49n, late)).toBe(false)
      expect(await readdir(dir)).toEqual(['51'])
      expect(await claim(dir, 51n, late)).toBe(false)
      expect(await claim(dir, 52n, late)).toBe(true)
      expect((await readdir(dir)).sort()).toEqual(['51', '52'])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
