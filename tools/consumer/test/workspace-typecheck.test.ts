import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { workspacePackages } from '../src/workspace-packages.js'

// `pnpm typecheck` (CI's typecheck step) runs each workspace package's `typecheck` script: a
// package without one, or whose tsconfig.json leaves out its tests, would never be type-checked.

const all = [
  ...(await workspacePackages('packages')),
  ...(await workspacePackages('apps')),
  ...(await workspacePackages('tools')),
]

describe.each(all)('$name', (pkg) => {
  it('is type-checked by pnpm typecheck, its tests included', async () => {
    const scripts = (pkg.manifest.scripts ?? {}) as Record<string, string>
    expect(scripts.typecheck, 'a typecheck script').toMatch(/\btsc\b.*-p tsconfig\.json/)
    const tsconfig = JSON.parse(await readFile(join(pkg.dir, 'tsconfig.json'), 'utf8'))
    const include = (tsconfig.include ?? []) as string[]
    const entries = await readdir(pkg.dir, { withFileTypes: true })
    for (const dir of ['src', 'test', 'examples'])
      if (entries.some((entry) => entry.isDirectory() && entry.name === dir))
        expect(include, `tsconfig.json includes ${dir}/`).toContain(dir)
  })
})
