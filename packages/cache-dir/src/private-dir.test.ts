import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createdDirs, DIR_MODE, ensurePrivateDir } from './private-dir.js'

describe('createdDirs', () => {
  it('lists the target and its parents up to the first directory mkdir made', () => {
    expect(createdDirs('/srv/cache/a/b', '/srv/cache')).toEqual([
      '/srv/cache/a/b',
      '/srv/cache/a',
      '/srv/cache',
    ])
  })

  it('meets the first directory in another spelling (relative, trailing slash)', () => {
    expect(createdDirs('cache/a/', './cache/')).toEqual([resolve('cache/a'), resolve('cache')])
  })

  it('stops at the root when the first directory is not a parent: only the target is new', () => {
    expect(createdDirs('/srv/cache/a', '/elsewhere')).toEqual(['/srv/cache/a'])
    expect(createdDirs('/', '/elsewhere')).toEqual(['/'])
  })
})

describe('ensurePrivateDir', () => {
  let base: string
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'autotls-private-dir-'))
  })
  afterEach(async () => {
    await rm(base, { recursive: true, force: true })
  })

  it('makes every directory it creates 0700 under a root spelled with .. and a trailing slash', async () => {
    const umask = process.umask(0o022)
    try {
      expect(await ensurePrivateDir(`${base}/x/../root/`, ['a', 'b'])).toBe(true)
    } finally {
      process.umask(umask)
    }
    for (const path of ['root', 'root/a', 'root/a/b']) {
      expect((await stat(join(base, path))).mode & 0o777).toBe(DIR_MODE)
    }
    expect(await ensurePrivateDir(join(base, 'root'), ['a', 'b'])).toBe(false)
  })
})
