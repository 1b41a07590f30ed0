import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BenchError } from '../src/bench-error.js'
import { helloEntry } from '../src/hello-entry.js'
import { HELLO_DIR } from '../src/repo-paths.js'

describe('helloEntry (where apps/hello plugs in)', () => {
  it('runs the build named by AUTOTLS_BENCH_HELLO, a .ts entry as source', async () => {
    const file = join(HELLO_DIR, 'src', 'main.ts')
    expect(await helloEntry({ AUTOTLS_BENCH_HELLO: file })).toEqual({ file, kind: 'source' })
  })

  it('refuses an AUTOTLS_BENCH_HELLO that does not exist instead of measuring something else', async () => {
    const error = await helloEntry({ AUTOTLS_BENCH_HELLO: '/nonexistent/hello.mjs' }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(BenchError)
    expect((error as BenchError).code).toBe('ERR_BENCH_HELLO_MISSING')
  })

  it('prefers the bundle the image ships, else falls back to the TypeScript source', async () => {
    const bundle = join(HELLO_DIR, 'dist', 'hello.mjs')
    expect(await helloEntry({})).toEqual(
      existsSync(bundle)
        ? { file: bundle, kind: 'bundle' }
        : { file: join(HELLO_DIR, 'src', 'main.ts'), kind: 'source' },
    )
  })
})
