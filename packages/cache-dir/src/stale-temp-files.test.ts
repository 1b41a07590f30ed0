import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempPathFor } from './atomic-write.js'
import { removeStaleTempFiles, STALE_TEMP_MS } from './stale-temp-files.js'

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autotls-sweep-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function fileAged(name: string, ageMs: number): Promise<void> {
  const path = join(dir, name)
  await writeFile(path, 'x')
  const at = new Date(Date.now() - ageMs)
  await utimes(path, at, at)
}

describe('removeStaleTempFiles', () => {
  it('removes temporary files older than the threshold and nothing else', async () => {
    const stale = tempPathFor(join(dir, 'ecdsa-p256~')).slice(dir.length + 1)
    const fresh = tempPathFor(join(dir, 'ecdsa-p256~')).slice(dir.length + 1)
    await fileAged(stale, STALE_TEMP_MS + 60_000)
    await fileAged(fresh, 1000)
    // Old, but not of the temporary-file pattern: a value, a hidden file, foreign .tmp files.
    for (const name of [
      'ecdsa-p256~',
      '.keep',
      'notes.tmp',
      '.x.12345.tmp',
      '.x.ABCDEF123456.tmp',
    ]) {
      await fileAged(name, STALE_TEMP_MS * 10)
    }
    expect(await removeStaleTempFiles(dir, Date.now())).toBe(1)
    expect((await readdir(dir)).sort()).toEqual(
      ['.keep', '.x.12345.tmp', '.x.ABCDEF123456.tmp', 'ecdsa-p256~', fresh, 'notes.tmp'].sort(),
    )
  })

  it('measures age on the clock it is given', async () => {
    const name = tempPathFor(join(dir, 'v~')).slice(dir.length + 1)
    await fileAged(name, 0)
    expect(await removeStaleTempFiles(dir, Date.now())).toBe(0)
    expect(await removeStaleTempFiles(dir, Date.now() + STALE_TEMP_MS + 1000)).toBe(1)
    expect(await readdir(dir)).toEqual([])
  })

  it('rejects when the directory cannot be read', async () => {
    await expect(removeStaleTempFiles(join(dir, 'missing'), Date.now())).rejects.toMatchObject({
      code: 'ENOENT',
    })
  })
})
