import { createHash } from 'node:crypto'
import { access, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { BenchError } from './bench-error.js'
import { findTool } from './find-tool.js'
import { runCommand } from './run-command.js'

/** Where Debian's golang-*-dev packages put their sources (a GOPATH). */
const DEBIAN_GOPATH = '/usr/share/gocode'
const DEBIAN_SOURCES = 'golang-go golang-golang-x-crypto-dev golang-github-labstack-echo-dev'

/** `go1.26.8` → [1, 26, 8]. */
function goVersion(text: string): number[] {
  return (/go(\d+)\.(\d+)(?:\.(\d+))?/.exec(text)?.slice(1) ?? []).map((n) => Number(n ?? 0))
}

function atLeast(have: number[], want: number[]): boolean {
  for (let i = 0; i < 3; i++) {
    const d = (have[i] ?? 0) - (want[i] ?? 0)
    if (d !== 0) return d > 0
  }
  return true
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  )

/**
 * Debian installs module `example.com/x/v4` at `$GOPATH/src/example.com/x`; GOPATH mode looks for
 * the import path `example.com/x/v4`. A GOPATH of symlinks bridges the two.
 */
async function debianVersionShims(goMod: string, dir: string): Promise<void> {
  for (const [, path] of goMod.matchAll(/^\s*(?:require\s+)?(\S+\/v\d+)\s+v\S+/gm)) {
    const unsuffixed = join(DEBIAN_GOPATH, 'src', (path as string).replace(/\/v\d+$/, ''))
    if (!(await exists(unsuffixed))) continue
    const link = join(dir, 'src', path as string)
    await mkdir(dirname(link), { recursive: true })
    await symlink(unsuffixed, link)
  }
}

/**
 * Builds the Go program in `sourceDir` and resolves the binary's path. With a Go at least as new
 * as its go.mod asks, in module mode: the dependencies in go.mod / go.sum (for the seed: current
 * golang.org/x/crypto and labstack/echo v4) come from the Go module proxy. With an older Go (such
 * as Debian's 1.19), offline in GOPATH mode against the sources Debian's
 * `golang-golang-x-crypto-dev` and `golang-github-labstack-echo-dev` install. Binaries are cached
 * by a hash of the sources, the Go version and the mode, so only the first run pays for the build.
 *
 * @example
 * const seed = await buildGoProgram(join(BENCH_DIR, 'go-seed'))
 */
export async function buildGoProgram(
  sourceDir: string,
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  const { signal } = options
  const go = await findTool('go', DEBIAN_SOURCES)
  const cache = join(tmpdir(), 'autotls-bench-go')
  const base = { ...process.env, GOFLAGS: '', GOTOOLCHAIN: 'local', GOCACHE: join(cache, 'cache') }
  const version = await runCommand(go, ['version'], { env: base, ...(signal ? { signal } : {}) })
  const goMod = await readFile(join(sourceDir, 'go.mod'), 'utf8')
  const wanted = goVersion(`go${/^go\s+(\S+)/m.exec(goMod)?.[1] ?? ''}`)
  const moduleMode = atLeast(goVersion(version), wanted)
  if (!moduleMode && !(await exists(join(DEBIAN_GOPATH, 'src', 'golang.org', 'x', 'crypto')))) {
    throw new BenchError(
      'ERR_BENCH_BUILD',
      `${sourceDir} needs Go >= ${wanted.join('.')} (found ${version.trim()}) to build in module mode, or Debian's sources: apt-get install -y ${DEBIAN_SOURCES}`,
    )
  }

  const hash = createHash('sha256')
    .update(version)
    .update(moduleMode ? 'module' : 'gopath')
  const sources = (await readdir(sourceDir)).filter((f) => /\.go$|^go\.(mod|sum)$/.test(f)).sort()
  for (const file of sources) hash.update(file).update(await readFile(join(sourceDir, file)))
  const binDir = join(cache, 'bin')
  const binary = join(
    binDir,
    `${sourceDir.split('/').filter(Boolean).pop()}-${hash.digest('hex').slice(0, 16)}`,
  )
  if (await exists(binary)) return binary
  await mkdir(binDir, { recursive: true })

  const shims = moduleMode ? undefined : await mkdtemp(join(cache, 'gopath-'))
  const env = shims
    ? { ...base, GO111MODULE: 'off', GOPATH: `${shims}:${DEBIAN_GOPATH}` }
    : { ...base, GO111MODULE: 'on', GOFLAGS: '-mod=readonly' }
  const temporary = `${binary}.${process.pid}.tmp`
  try {
    if (shims) await debianVersionShims(goMod, shims)
    await runCommand(go, ['build', '-o', temporary, '.'], {
      env,
      cwd: sourceDir,
      ...(signal ? { signal } : {}),
    })
  } catch (cause) {
    throw new BenchError(
      'ERR_BENCH_BUILD',
      moduleMode
        ? `could not build ${sourceDir} in module mode with ${version.trim()} (are the Go module proxy and go.sum reachable?)`
        : `could not build ${sourceDir} against Debian's sources: apt-get install -y ${DEBIAN_SOURCES}`,
      { cause },
    )
  } finally {
    if (shims) await rm(shims, { recursive: true, force: true })
  }
  await rename(temporary, binary)
  return binary
}
