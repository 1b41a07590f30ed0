import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dirCache } from '../src/index.js'
import { STALE_TEMP_MS } from '../src/stale-temp-files.js'
import { exited, ready, startFixture } from './child.js'
import { crashRound } from './fixtures/crash-value.js'

const KILLS = 20
const KEY = 'v1/certs/example.com/ecdsa-p256'

describe('dirCache under SIGKILL', () => {
  let base: string

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'autotls-crash-'))
  })

  afterAll(async () => {
    await rm(base, { recursive: true, force: true })
  })

  it(`a writer killed ${KILLS} times mid-loop always leaves one complete written value`, async () => {
    const dir = join(base, 'cache')
    const store = dirCache({ dir })
    let first = 1
    let lastRound = 0
    for (let kill = 0; kill < KILLS; kill++) {
      const child = startFixture('writer.ts', [dir, KEY, String(first)])
      try {
        await ready(child)
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 100))
      } finally {
        child.kill('SIGKILL')
      }
      expect(await exited(child)).toBe('SIGKILL')
      const value = await store.get(KEY)
      expect(value).not.toBeNull()
      const round = crashRound(value ?? new Uint8Array())
      expect(round, 'a torn or truncated value').toBeGreaterThanOrEqual(first)
      expect(round).toBeGreaterThan(lastRound)
      lastRound = round
      first = round + 1_000_000
    }
    // Killed writers leave temporary files behind, never a key's file: keys never start with '.'.
    const folder = join(dir, 'v1', 'certs', 'example.com')
    const names = await readdir(folder)
    expect(names.filter((name) => !name.startsWith('.'))).toEqual(['ecdsa-p256~'])
    const leftovers = names.filter((name) => name.endsWith('.tmp'))
    // A store in a later process, once they are old enough, removes them on its first write there.
    const later = dirCache({ dir, now: () => Date.now() + STALE_TEMP_MS + 1000 })
    await later.put(KEY, new Uint8Array([7]))
    expect(await readdir(folder)).toEqual(['ecdsa-p256~'])
    expect(await later.get(KEY)).toEqual(new Uint8Array([7]))
    console.log(
      `${KILLS} kills left ${leftovers.length} temporary files; the next write removed them`,
    )
  }, 120_000)
})
