import { fileURLToPath } from 'node:url'

/** The monorepo root (holding the root `node_modules` with `tsx`). */
export const REPO_ROOT: string = fileURLToPath(new URL('../../../', import.meta.url))

/** This package's directory. */
export const BENCH_DIR: string = fileURLToPath(new URL('../', import.meta.url))

/** apps/hello, the application under test. */
export const HELLO_DIR: string = fileURLToPath(new URL('../../../apps/hello/', import.meta.url))
