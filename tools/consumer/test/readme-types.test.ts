import { execFile } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { type ReadmeBlock, readmeBlocks } from '../src/readme-blocks.js'
import { consumer } from './consumer.js'

// Every ```ts block of every published package's README, type-checked as a user's file against
// the installed tarballs (their dist/*.d.ts), under `module: nodenext` and under
// `moduleResolution: bundler`. A `<!-- ts-preamble … -->` comment right before a block supplies
// the context the reader has from the text around it (see tools/consumer/README.md).

const run = promisify(execFile)
const { dir, packages } = consumer()

interface CheckedFile {
  readonly readme: string
  readonly block: ReadmeBlock
  readonly preambleLines: number
}

const files = new Map<string, CheckedFile>()
const modes = ['nodenext', 'bundler'] as const
const errors = new Map<string, string[]>()
const missing = new Set<string>()

beforeAll(async () => {
  for (const pkg of packages) {
    const readme = join(pkg.dir, 'README.md')
    const text = await readFile(readme, 'utf8').catch(() => undefined)
    if (text === undefined) missing.add(readme)
    const blocks = readmeBlocks(text ?? '')
    const target = join(dir, 'readme', basename(pkg.dir))
    await mkdir(target, { recursive: true })
    for (const block of blocks) {
      const file = `readme/${basename(pkg.dir)}/line-${block.line}.ts`
      // `export {}` keeps every block a module of its own, as a user's file would be.
      await writeFile(join(dir, file), `${block.preamble}${block.code}export {}\n`)
      files.set(file, { readme, block, preambleLines: block.preamble.split('\n').length - 1 })
    }
  }
  // CommonJS callers: require(esm) of every package, as Node >= 20.19 allows it.
  await mkdir(join(dir, 'cjs'), { recursive: true })
  await writeFile(
    join(dir, 'cjs/require.cts'),
    packages.map((p, i) => `import p${i} = require('${p.name}')\nvoid p${i}\n`).join(''),
  )
  const common = { target: 'ES2023', lib: ['ES2023'], strict: true, noEmit: true, types: ['node'] }
  await writeFile(
    join(dir, 'tsconfig.nodenext.json'),
    JSON.stringify({
      compilerOptions: { ...common, module: 'nodenext', moduleResolution: 'nodenext' },
      include: ['readme/**/*.ts', 'cjs/*.cts'],
    }),
  )
  await writeFile(
    join(dir, 'tsconfig.bundler.json'),
    JSON.stringify({
      compilerOptions: { ...common, module: 'preserve', moduleResolution: 'bundler' },
      include: ['readme/**/*.ts'],
    }),
  )
  for (const mode of modes) errors.set(mode, await typecheck(mode))
})

async function typecheck(mode: string): Promise<string[]> {
  const tsc = join(dir, 'node_modules/.bin/tsc')
  const result = await run(tsc, ['-p', `tsconfig.${mode}.json`, '--pretty', 'false'], {
    cwd: dir,
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }))
  // One diagnostic per `file(line,col): error …` line, with the indented lines that follow it.
  const diagnostics: string[] = []
  for (const line of result.stdout.split('\n')) {
    if (line.trim() === '') continue
    if (/^\s/.test(line) && diagnostics.length > 0)
      diagnostics[diagnostics.length - 1] += `\n${line}`
    else diagnostics.push(located(line))
  }
  return diagnostics
}

/** Rewrites `readme/x/line-N.ts(L,C): error …` to the README's own path and line. */
function located(line: string): string {
  const match = /^([^()]+)\((\d+),(\d+)\): (.*)$/.exec(line)
  const file = match && files.get(match[1] ?? '')
  if (!match || !file) return line
  const at = Number(match[2])
  const where =
    at <= file.preambleLines
      ? `${file.readme}: the ts-preamble of the block at line ${file.block.line}, its line ${at}`
      : `${file.readme}:${file.block.line + at - file.preambleLines}:${match[3]}`
  return `${where}: ${match[4]}`
}

describe.each(modes)('README TypeScript blocks under %s, against the packed packages', (mode) => {
  it.each(packages)('$name', ({ dir: packageDir }) => {
    const readme = join(packageDir, 'README.md')
    expect(missing.has(readme), `${readme} exists`).toBe(false)
    expect(errors.get(mode)?.filter((error) => error.startsWith(readme))).toEqual([])
  })

  it('and nothing else fails (CommonJS require() of every package, under nodenext)', () => {
    const readmes = packages.map((p) => join(p.dir, 'README.md'))
    expect(errors.get(mode)?.filter((e) => !readmes.some((r) => e.startsWith(r)))).toEqual([])
  })
})

it('finds blocks to check in the READMEs', () => {
  expect(files.size).toBeGreaterThan(packages.length)
})
