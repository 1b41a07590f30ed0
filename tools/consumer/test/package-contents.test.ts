import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../src/workspace-packages.js'
import { consumer } from './consumer.js'

const run = promisify(execFile)
const { packages } = consumer()

async function unpack(tarball: string): Promise<{ root: string; files: string[] }> {
  const out = await mkdtemp(join(tmpdir(), 'autotls-tarball-'))
  await run('tar', ['xzf', tarball, '-C', out])
  const root = join(out, 'package')
  const files = (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
  return { root, files }
}

describe.each(packages)('the tarball of $name', ({ dir, tarball }) => {
  it('holds the MIT LICENSE, the README and links back to its directory in the repository', async () => {
    const { root, files } = await unpack(tarball)
    try {
      expect(files).toContain('LICENSE')
      expect(files).toContain('README.md')
      expect(await readFile(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License/)
      const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))
      expect(manifest.license).toBe('MIT')
      expect(manifest.repository).toMatchObject({
        type: 'git',
        url: expect.stringMatching(/^git\+https:\/\//),
        directory: relative(REPO_ROOT, dir),
      })
      expect(manifest.homepage).toMatch(/^https:\/\//)
      expect(manifest.bugs).toMatch(/^https:\/\//)
      expect(JSON.stringify(manifest.dependencies ?? {})).not.toContain('workspace:')
    } finally {
      await rm(dirname(root), { recursive: true, force: true })
    }
  })

  it('ships no tests, and every source map points at files inside the tarball', async () => {
    const { root, files } = await unpack(tarball)
    try {
      expect(files.filter((file) => /\.test\.[cm]?[jt]s/.test(file))).toEqual([])
      const maps = files.filter((file) => file.endsWith('.map'))
      expect(maps.length).toBeGreaterThan(0)
      const missing: string[] = []
      for (const map of maps) {
        const { sources, sourceRoot = '' } = JSON.parse(await readFile(join(root, map), 'utf8'))
        for (const source of sources as string[]) {
          const target = join(dirname(map), sourceRoot, source)
          if (!files.includes(target)) missing.push(`${map} → ${target}`)
        }
      }
      expect(missing).toEqual([])
    } finally {
      await rm(dirname(root), { recursive: true, force: true })
    }
  })
})
