import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { type WorkspacePackage, workspacePackages } from '../src/workspace-packages.js'

// The repository's one error-code convention (README.md › Errors): every package exports its codes
// as `<FAMILY>_ERROR_CODES`, each code is ERR_<FAMILY>_<WHAT> in upper snake case, and the
// package README's error table lists every one.

const CODE = /^ERR_(ACME|CRYPTO|CACHE|MANAGER|DNS|HELLO|BENCH|PEBBLE|REDIS)_[A-Z0-9_]+$/

async function exportedCodes(pkg: WorkspacePackage): Promise<Map<string, readonly unknown[]>> {
  const exports = pkg.manifest.exports as Record<string, Record<string, string>> | undefined
  const entry = exports?.['.']?.['@autotls/source']
  if (!entry) return new Map()
  const module = (await import(pathToFileURL(join(pkg.dir, entry)).href)) as Record<string, unknown>
  return new Map(
    Object.entries(module)
      .filter(([key, value]) => key.endsWith('_ERROR_CODES') && Array.isArray(value))
      .map(([key, value]) => [key, value as readonly unknown[]]),
  )
}

/** Codes in backticks on the rows of the README's Markdown tables. */
function tableCodes(readme: string): Set<string> {
  const codes = new Set<string>()
  for (const line of readme.split('\n')) {
    if (!line.trimStart().startsWith('|')) continue
    for (const match of line.matchAll(/`(ERR_[A-Z0-9_]+)`/g)) codes.add(match[1] ?? '')
  }
  return codes
}

const published = await workspacePackages('packages')
const others = [...(await workspacePackages('tools')), ...(await workspacePackages('apps'))]

describe.each(published)('$name error codes', (pkg) => {
  it('are exported as <FAMILY>_ERROR_CODES, follow ERR_<FAMILY>_<WHAT>, and fill the README error table', async () => {
    const arrays = await exportedCodes(pkg)
    expect([...arrays.keys()], 'exports a *_ERROR_CODES array').not.toEqual([])
    const table = tableCodes(await readFile(join(pkg.dir, 'README.md'), 'utf8'))
    for (const [name, codes] of arrays) {
      const family = name.replace(/_ERROR_CODES$/, '')
      expect(codes.length, name).toBeGreaterThan(0)
      for (const code of codes) {
        expect(code, name).toMatch(CODE)
        expect(code, name).toMatch(new RegExp(`^ERR_${family}_`))
        expect(table.has(String(code)), `${code} is in a table of ${pkg.name}'s README`).toBe(true)
      }
    }
  })
})

describe('tools and apps', () => {
  it('export only codes that follow the convention', async () => {
    for (const pkg of others)
      for (const [name, codes] of await exportedCodes(pkg))
        for (const code of codes) expect(code, `${pkg.name} ${name}`).toMatch(CODE)
  })
})
