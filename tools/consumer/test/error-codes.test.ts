import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { type WorkspacePackage, workspacePackages } from '../src/workspace-packages.js'

// The repository's one error-code convention (README.md › Errors): a package with an error class
// exports its codes as `<FAMILY>_ERROR_CODES`, each code is ERR_<FAMILY>_<WHAT> in upper snake
// case, a published package's README error table lists every one, and no source file uses an
// ERR_<FAMILY>_ code that no package declares.

const CODE = /^ERR_(ACME|CRYPTO|CACHE|MANAGER|DNS|HELLO|BENCH|PEBBLE|REDIS)_[A-Z0-9_]+$/
const FAMILY_LITERAL =
  /['"`](ERR_(?:ACME|CRYPTO|CACHE|MANAGER|DNS|HELLO|BENCH|PEBBLE|REDIS)_[A-Z0-9_]+)['"`]/g

/**
 * The `*_ERROR_CODES` arrays a package exports from its entry; for an app or tool without one,
 * those its source files export.
 */
async function exportedCodes(pkg: WorkspacePackage): Promise<Map<string, readonly unknown[]>> {
  const exports = pkg.manifest.exports as Record<string, Record<string, string>> | undefined
  const entry = exports?.['.']?.['@autotls/source']
  const modules = entry
    ? [join(pkg.dir, entry)]
    : [...(await sources(pkg))]
        .filter(([, text]) => /export const \w+_ERROR_CODES\b/.test(text))
        .map(([file]) => join(pkg.dir, 'src', file))
  const arrays = new Map<string, readonly unknown[]>()
  for (const path of modules) {
    const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>
    for (const [key, value] of Object.entries(module))
      if (key.endsWith('_ERROR_CODES') && Array.isArray(value)) arrays.set(key, value)
  }
  return arrays
}

/** The package's non-test TypeScript sources. */
async function sources(pkg: WorkspacePackage): Promise<Map<string, string>> {
  const src = join(pkg.dir, 'src')
  const files = await readdir(src, { recursive: true }).catch(() => [] as string[])
  const texts = new Map<string, string>()
  for (const file of files)
    if (file.endsWith('.ts') && !file.endsWith('.test.ts'))
      texts.set(file, await readFile(join(src, file), 'utf8'))
  return texts
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
const all = [
  ...published,
  ...(await workspacePackages('tools')),
  ...(await workspacePackages('apps')),
]
const declared = new Map<string, Map<string, readonly unknown[]>>()

beforeAll(async () => {
  for (const pkg of all) declared.set(pkg.name, await exportedCodes(pkg))
})

describe.each(published)('$name', (pkg) => {
  it('exports <FAMILY>_ERROR_CODES if it has an error class, and its README table lists each code', async () => {
    const arrays = declared.get(pkg.name) ?? new Map()
    const hasErrorClass = [...(await sources(pkg)).values()].some((text) =>
      /export class \w+Error extends Error\b/.test(text),
    )
    if (hasErrorClass) expect([...arrays.keys()], 'exports a *_ERROR_CODES array').not.toEqual([])
    const table = tableCodes(await readFile(join(pkg.dir, 'README.md'), 'utf8'))
    for (const codes of arrays.values())
      for (const code of codes)
        expect(table.has(String(code)), `${code} in a table of the README`).toBe(true)
  })
})

describe.each(all)('$name', (pkg) => {
  it('declares codes of the form ERR_<FAMILY>_<WHAT>, FAMILY matching the array name', () => {
    for (const [name, codes] of declared.get(pkg.name) ?? new Map()) {
      const family = name.replace(/_ERROR_CODES$/, '')
      expect(codes.length, name).toBeGreaterThan(0)
      for (const code of codes) {
        expect(code, name).toMatch(CODE)
        expect(code, name).toMatch(new RegExp(`^ERR_${family}_`))
      }
    }
  })

  it('uses in its sources only ERR_<FAMILY>_ codes that some package declares', async () => {
    const known = new Set(
      [...declared.values()].flatMap((arrays) => [...arrays.values()].flat().map(String)),
    )
    const unknown: string[] = []
    for (const [file, text] of await sources(pkg))
      for (const match of text.matchAll(FAMILY_LITERAL))
        if (!known.has(match[1] ?? '')) unknown.push(`src/${file}: ${match[1]}`)
    expect(unknown).toEqual([])
  })
})
