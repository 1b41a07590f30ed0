import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { dirCache } from '../src/index.js'

async function walk(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true })
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? walk(join(path, entry.name)) : [join(path, entry.name)],
    ),
  )
  return [path, ...nested.flat()]
}

describe('dirCache file modes', () => {
  let base: string
  let umask: number

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'autotls-modes-'))
    umask = process.umask()
  })

  afterEach(async () => {
    process.umask(umask)
    await rm(base, { recursive: true, force: true })
  })

  for (const mask of [0o000, 0o022, 0o277]) {
    it(`creates directories 0700 and files 0600 under umask ${mask.toString(8).padStart(3, '0')}`, async () => {
      process.umask(mask)
      const dir = join(base, 'nested', 'cache')
      const store = dirCache({ dir })
      await store.put('v1/certs/example.com/ecdsa-p256', new Uint8Array([1, 2, 3]))
      await store.put('v1/accounts/abc', new Uint8Array([4]))
      const lease = await store.lock('v1/locks/certs/example.com/ecdsa-p256', { ttlMs: 5000 })
      await lease.release()
      const paths = await walk(join(base, 'nested'))
      expect(paths.length).toBeGreaterThan(9)
      let files = 0
      for (const path of paths) {
        const info = await stat(path)
        const mode = info.mode & 0o777
        if (info.isDirectory()) expect(mode, path).toBe(0o700)
        else {
          files++
          expect(mode, path).toBe(0o600)
        }
      }
      expect(files).toBe(3)
    })
  }
})
