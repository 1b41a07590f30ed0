import { stat } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { BenchError } from './bench-error.js'
import { HELLO_DIR } from './repo-paths.js'

/** Which build of apps/hello the benchmarks run. */
export interface HelloEntry {
  /** Absolute path of the entry file. */
  readonly file: string
  /** `bundle`: the esbuild bundle the image ships; `source`: TypeScript through tsx. */
  readonly kind: 'bundle' | 'source'
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  )

/**
 * The apps/hello entry to benchmark: `AUTOTLS_BENCH_HELLO` when set (another build to compare),
 * else the bundle `apps/hello/dist/hello.mjs` (what the container runs; build it with
 * `cd apps/hello && node build.mjs`), else `apps/hello/src/main.ts` through tsx. Figures are only
 * representative of the bundle: the report names the entry it ran.
 */
export async function helloEntry(env: NodeJS.ProcessEnv = process.env): Promise<HelloEntry> {
  const override = env.AUTOTLS_BENCH_HELLO?.trim()
  if (override) {
    const file = isAbsolute(override) ? override : resolve(override)
    if (!(await exists(file))) {
      throw new BenchError('ERR_BENCH_HELLO_MISSING', `AUTOTLS_BENCH_HELLO=${file} does not exist`)
    }
    return { file, kind: file.endsWith('.ts') ? 'source' : 'bundle' }
  }
  const bundle = join(HELLO_DIR, 'dist', 'hello.mjs')
  if (await exists(bundle)) return { file: bundle, kind: 'bundle' }
  const source = join(HELLO_DIR, 'src', 'main.ts')
  if (await exists(source)) return { file: source, kind: 'source' }
  throw new BenchError(
    'ERR_BENCH_HELLO_MISSING',
    'apps/hello has neither dist/hello.mjs nor src/main.ts: build it with `cd apps/hello && node build.mjs`',
  )
}
