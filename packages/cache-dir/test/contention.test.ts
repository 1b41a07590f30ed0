import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compareFencingTokens } from '@autotls/cache/backend'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { dirCache } from '../src/index.js'

describe('dirCache lock under heavy contention', () => {
  let dir: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autotls-contention-'))
  })

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('8 stores × 40 rounds: one holder at a time, tokens strictly increase although old generations are cleaned up', async () => {
    let inside = 0
    const overlaps: string[] = []
    const tokens: string[] = []
    await Promise.all(
      Array.from({ length: 8 }, async (_, id) => {
        const store = dirCache({ dir })
        for (let round = 0; round < 40; round++) {
          const lease = await store.lock('v1/locks/hot', { ttlMs: 10_000 })
          if (++inside > 1) overlaps.push(`${id}:${lease.token}`)
          tokens.push(lease.token)
          await new Promise((resolve) => setImmediate(resolve))
          inside--
          await lease.release()
        }
      }),
    )
    expect(overlaps).toEqual([])
    expect(tokens).toHaveLength(320)
    for (let i = 1; i < tokens.length; i++) {
      expect(compareFencingTokens(tokens[i] ?? '', tokens[i - 1] ?? ''), `#${i}`).toBeGreaterThan(0)
    }
  })
})
