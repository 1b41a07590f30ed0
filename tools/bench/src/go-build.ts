import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BenchError } from './bench-error.js'
import { findTool } from './find-tool.js'
import { runCommand } from './run-command.js'

/** Where Debian's golang-*-dev packages put their sources (a GOPATH). */
const DEBIAN_GOPATH = '/usr/share/gocode'

/**
 * Builds the Go program in `sourceDir` offline, in GOPATH mode against the sources Debian's
 * `golang-golang-x-crypto-dev` and `golang-github-labstack-echo-dev` install, and resolves the
 * binary's path. Binaries are cached by a hash of the sources and the Go version, so only the
 * first run pays for the build.
 *
 * @example
 * const seed = await buildGoProgram(join(BENCH_DIR, 'go-seed'))
 */
export async function buildGoProgram(
  sourceDir: string,
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  const go = await findTool(
    'go',
    'golang-go golang-golang-x-crypto-dev golang-github-labstack-echo-dev',
  )
  const env = {
    ...process.env,
    GO111MODULE: 'off',
    GOPATH: DEBIAN_GOPATH,
    GOFLAGS: '',
    GOCACHE: join(tmpdir(), 'autotls-bench-go', 'cache'),
  }
  const version = await runCommand(go, ['version'], { env, signal: options.signal })
  const hash = createHash('sha256').update(version)
  for (const file of (await readdir(sourceDir)).filter((f) => f.endsWith('.go')).sort()) {
    hash.update(file).update(await readFile(join(sourceDir, file)))
  }
  const dir = join(tmpdir(), 'autotls-bench-go', 'bin')
  const binary = join(
    dir,
    `${sourceDir.split('/').filter(Boolean).pop()}-${hash.digest('hex').slice(0, 16)}`,
  )
  if (
    await stat(binary).then(
      () => true,
      () => false,
    )
  )
    return binary
  await mkdir(dir, { recursive: true })
  const temporary = `${binary}.${process.pid}.tmp`
  try {
    await runCommand(go, ['build', '-o', temporary, '.'], {
      env,
      cwd: sourceDir,
      signal: options.signal,
    })
  } catch (cause) {
    throw new BenchError(
      'ERR_BENCH_BUILD',
      `could not build ${sourceDir}: install golang-go golang-golang-x-crypto-dev golang-github-labstack-echo-dev`,
      { cause },
    )
  }
  await rename(temporary, binary)
  return binary
}
