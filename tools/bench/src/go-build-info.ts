import { findTool } from './find-tool.js'
import { runCommand } from './run-command.js'

/** Which Go and which module versions a Go binary was built with. */
export interface GoBuildInfo {
  /** e.g. `go1.26.8`. */
  readonly go: string
  /** Module path → version, e.g. `golang.org/x/crypto` → `v0.59.0`. */
  readonly modules: Readonly<Record<string, string>>
  /** `module proxy` for a module-mode build; `Debian` when built from Debian's GOPATH sources. */
  readonly source: 'module proxy' | 'Debian'
}

/** The Debian packages that hold the modules a GOPATH build of the seed uses. */
const DEBIAN_PACKAGES: Readonly<Record<string, string>> = {
  'golang.org/x/crypto': 'golang-golang-x-crypto-dev',
  'github.com/labstack/echo/v4': 'golang-github-labstack-echo-dev',
}

/**
 * Reads the Go version and dependency versions recorded in `binary` (`go version -m`). A GOPATH
 * build records no dependencies: their versions are then those of the Debian packages.
 *
 * @example
 * const { go, modules } = await readGoBuildInfo(seedBinary)
 * modules['golang.org/x/crypto'] // 'v0.59.0'
 */
export async function readGoBuildInfo(
  binary: string,
  options: { signal?: AbortSignal } = {},
): Promise<GoBuildInfo> {
  const go = await findTool('go', 'golang-go')
  const signal = options.signal ? { signal: options.signal } : {}
  const text = await runCommand(go, ['version', '-m', binary], signal)
  const version = /:\s*(go\S+)/.exec(text)?.[1] ?? 'unknown Go'
  const modules: Record<string, string> = {}
  for (const [, path, v] of text.matchAll(/^\s*dep\s+(\S+)\s+(\S+)/gm)) {
    modules[path as string] = v as string
  }
  if (Object.keys(modules).length > 0) return { go: version, modules, source: 'module proxy' }
  for (const [path, pkg] of Object.entries(DEBIAN_PACKAGES)) {
    try {
      const shown = await runCommand('dpkg-query', ['--show', pkg], signal)
      modules[path] = `${shown.split('\t')[1]?.trim()} (${pkg})`
    } catch {
      // Not installed: the build did not use it.
    }
  }
  return { go: version, modules, source: 'Debian' }
}
