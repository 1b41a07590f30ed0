// Build step: writes package.json's version into src/package-version.ts, so the User-Agent names
// the version being published (run by `pnpm build` before tsc; `changeset version` needs no
// second edit). test/version.test.ts fails if the two ever differ.
import { readFile, writeFile } from 'node:fs/promises'

const root = new URL('../', import.meta.url)
const { version } = JSON.parse(await readFile(new URL('package.json', root), 'utf8'))
const target = new URL('src/package-version.ts', root)
const text = `// Generated from package.json by scripts/write-version.mjs during \`pnpm build\`: do not edit.

/** The version in this package's package.json. */
export const PACKAGE_VERSION: string = '${version}'
`
const current = await readFile(target, 'utf8').catch(() => '')
if (current !== text) await writeFile(target, text)
