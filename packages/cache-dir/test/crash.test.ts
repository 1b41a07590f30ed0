import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dirCache } from '../src/index.js'
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
    const names = await readdir(join(dir, 'v1', 'certs', 'example.com'))
    expect(names.filter((name) => !name.startsWith('.'))).toEqual(['ecdsa-p256~'])
  }, 120_000)
})
