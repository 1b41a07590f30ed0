import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BenchError } from './bench-error.js'
import { findTool } from './find-tool.js'
import { BENCH_DIR } from './repo-paths.js'
import { runCommand } from './run-command.js'

/** One run of the Go TLS load generator (`go-tls-load/`) against `127.0.0.1:port`. */
export interface GoTlsLoadOptions {
  /** The binary from {@link buildGoTlsLoad}. */
  binary: string
  port: number
  /** Sent as SNI and Host. */
  servername: string
  /** PEM file of the CA the server's certificate must chain to. */
  caFile: string
  /** Concurrent connections. */
  connections: number
  /** Measured seconds (after one unmeasured second of warm-up). */
  durationS: number
  /**
   * `full`: every request on a new connection, each a full TLS handshake (no session cache, so
   * nothing is resumed) with one `GET /` and `Connection: close`. `keepalive`: requests one after
   * another on kept connections.
   */
  mode: 'full' | 'keepalive'
  /** Pin the client to these CPUs (`taskset -c`), away from the server's. */
  cpus?: string
  signal?: AbortSignal
}

/** What the Go load generator counted. */
export interface GoTlsLoadResult {
  readonly perSecond: number
  readonly ok: number
  readonly failed: number
  /** Every completed request, warm-up included: divides the server's CPU time over the run. */
  readonly all: number
  /** Negotiated TLS version of the first connection, e.g. `TLS 1.3`. */
  readonly version: string
  /** Negotiated key exchange group of the first connection, e.g. `X25519MLKEM768`. */
  readonly group: string
}

/**
 * Builds `tools/bench/go-tls-load` (a `crypto/tls` load generator using only Go's standard
 * library, in module mode with the local toolchain) once, cached by a hash of its sources and the
 * Go version, and resolves the binary's path.
 *
 * @example
 * const binary = await buildGoTlsLoad()
 */
export async function buildGoTlsLoad(options: { signal?: AbortSignal } = {}): Promise<string> {
  const go = await findTool('go', 'golang-go (Go ≥ 1.25: /usr/local/go/bin first on PATH)')
  const sourceDir = join(BENCH_DIR, 'go-tls-load')
  const env = {
    ...process.env,
    GO111MODULE: 'on',
    GOFLAGS: '-mod=mod',
    GOTOOLCHAIN: 'local',
    GOCACHE: join(tmpdir(), 'autotls-bench-go', 'cache'),
  }
  const signal = options.signal
  const version = await runCommand(go, ['version'], { env, ...(signal ? { signal } : {}) })
  const hash = createHash('sha256').update(version)
  for (const file of (await readdir(sourceDir)).sort()) {
    hash.update(file).update(await readFile(join(sourceDir, file)))
  }
  const dir = join(tmpdir(), 'autotls-bench-go', 'bin')
  const binary = join(dir, `go-tls-load-${hash.digest('hex').slice(0, 16)}`)
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
      ...(signal ? { signal } : {}),
    })
  } catch (cause) {
    throw new BenchError(
      'ERR_BENCH_BUILD',
      `could not build ${sourceDir}: it needs Go ≥ 1.25 first on PATH (${version.trim()})`,
      { cause },
    )
  }
  await rename(temporary, binary)
  return binary
}

/**
 * Runs the Go TLS load generator: `connections` concurrent connections to `127.0.0.1:port` for
 * `durationS` seconds, SNI `servername`, the certificate verified against `caFile`. Rejects with
 * `ERR_BENCH_LOAD` when nothing succeeded, more than 1 % failed (a broken server must not look
 * fast) or any handshake resumed a session.
 *
 * @example
 * const { perSecond } = await runGoTlsLoad({ binary, port, servername: 'hs.bench.test', caFile, connections: 16, durationS: 5, mode: 'full', cpus: '1' })
 * @see https://www.rfc-editor.org/rfc/rfc8446#section-2
 */
export async function runGoTlsLoad(options: GoTlsLoadOptions): Promise<GoTlsLoadResult> {
  const args = [
    `-addr=127.0.0.1:${options.port}`,
    `-sni=${options.servername}`,
    `-ca=${options.caFile}`,
    `-c=${options.connections}`,
    `-duration=${options.durationS}s`,
    '-warmup=1s',
    `-mode=${options.mode}`,
  ]
  const taskset = options.cpus === undefined ? null : await findTool('taskset', 'util-linux')
  const output = await runCommand(
    taskset ?? options.binary,
    taskset === null ? args : ['-c', options.cpus as string, options.binary, ...args],
    {
      timeoutMs: (options.durationS + 30) * 1000,
      ...(options.signal ? { signal: options.signal } : {}),
    },
  )
  const parsed = JSON.parse(output) as {
    ok: number
    all: number
    resumed: number
    failed: number
    perSecond: number
    version: string
    group: string
    firstError: string
  }
  if (parsed.resumed > 0) {
    throw new BenchError(
      'ERR_BENCH_LOAD',
      `go-tls-load resumed ${parsed.resumed} sessions: its handshakes were not all full ones`,
    )
  }
  if (parsed.ok === 0 || parsed.failed > parsed.ok / 100) {
    throw new BenchError(
      'ERR_BENCH_LOAD',
      `go-tls-load against ${options.servername}:${options.port}: ${parsed.ok} succeeded, ${parsed.failed} failed (${parsed.firstError})`,
    )
  }
  return {
    perSecond: parsed.perSecond,
    ok: parsed.ok,
    failed: parsed.failed,
    all: parsed.all,
    version: parsed.version,
    group: parsed.group,
  }
}
