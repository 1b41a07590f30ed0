import { access, constants } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { BenchError } from './bench-error.js'

/**
 * The absolute path of executable `name` on PATH, or a `BenchError` `ERR_BENCH_TOOL_MISSING`
 * naming the Debian package that provides it.
 *
 * @example
 * const h2load = await findTool('h2load', 'nghttp2-client')
 */
export async function findTool(name: string, debianPackage: string): Promise<string> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // Not in this directory.
    }
  }
  throw new BenchError(
    'ERR_BENCH_TOOL_MISSING',
    `${name} not found on PATH: apt-get install -y ${debianPackage}`,
  )
}
