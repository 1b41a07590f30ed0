import { BenchError } from './bench-error.js'
import { findTool } from './find-tool.js'
import { noResumeShim } from './no-resume-shim.js'
import { runCommand } from './run-command.js'

/** One h2load run over HTTP/1.1 against `127.0.0.1:port`. */
export interface H2loadOptions {
  port: number
  /** Sent as SNI and Host. */
  servername: string
  /** Concurrent connections. */
  clients: number
  /**
   * Roughly how many seconds to measure. Keep-alive runs use h2load's timed mode (`-D`) after a
   * warm-up of 1 s (or `durationS`, if shorter) on the same connections. That mode can hang with `Connection: close`, so for full
   * handshakes a short unmeasured run (the warm-up) first gauges the rate and the measured run then
   * sends as many requests as fit in this time. (The same gauge does not work for keep-alive: its
   * 20 requests per connection are dominated by the connections' handshakes, so it guessed a third
   * of the real rate and the measured run lasted 1–2 s instead of `durationS`.)
   */
  durationS: number
  /**
   * `true`: every request on a new connection (`Connection: close`), each a full TLS handshake —
   * session resumption is switched off in h2load by the {@link noResumeShim}. `false`: keep-alive.
   */
  fullHandshakes: boolean
  /** Pin h2load to these CPUs (`taskset -c`), away from the server's. */
  cpus?: string
  signal?: AbortSignal
}

/** What h2load counted. */
export interface H2loadResult {
  readonly requestsPerSecond: number
  readonly succeeded: number
  readonly failed: number
}

/**
 * Parses h2load's summary: the `finished in …, N req/s` line and the `requests:` counters.
 *
 * @example
 * parseH2loadOutput('finished in 5.00s, 557.03 req/s, 0B/s\nrequests: 2786 total, 2786 started, 2786 done, 2786 succeeded, 0 failed, 0 errored, 0 timeout')
 * // { requestsPerSecond: 557.03, succeeded: 2786, failed: 0 }
 */
export function parseH2loadOutput(output: string): H2loadResult {
  const rate = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(output)?.[1]
  const counts =
    /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(
      output,
    )
  if (rate === undefined || !counts) {
    throw new BenchError('ERR_BENCH_LOAD', `h2load printed no summary:\n${output.slice(-2000)}`)
  }
  return {
    requestsPerSecond: Number(rate),
    succeeded: Number(counts[1]),
    failed: Number(counts[2]) + Number(counts[3]) + Number(counts[4]),
  }
}

/**
 * Runs h2load (`--h1`, SNI `servername`, connecting to 127.0.0.1, pinned to `cpus` when given) for
 * about `durationS` seconds after a warm-up, and resolves the measured part's request rate. Rejects
 * with `ERR_BENCH_LOAD` when more than 1% of requests failed: a broken server must not look fast.
 *
 * @example
 * const { requestsPerSecond } = await runH2load({ port, servername: 'hs.bench.test', clients: 16, durationS: 5, fullHandshakes: true })
 */
export async function runH2load(options: H2loadOptions): Promise<H2loadResult> {
  const h2load = await findTool('h2load', 'nghttp2-client')
  const taskset = options.cpus === undefined ? null : await findTool('taskset', 'util-linux')
  const env: NodeJS.ProcessEnv = { ...process.env }
  if (options.fullHandshakes) env.LD_PRELOAD = await noResumeShim(options)
  const run = async (amount: readonly string[]): Promise<H2loadResult> => {
    const args = [
      '--h1',
      '-t',
      '1',
      '-c',
      String(options.clients),
      ...amount,
      ...(options.fullHandshakes ? ['-H', 'Connection: close'] : []),
      `--connect-to=127.0.0.1:${options.port}`,
      `https://${options.servername}/`,
    ]
    const output = await runCommand(
      taskset ?? h2load,
      taskset === null ? args : ['-c', options.cpus as string, h2load, ...args],
      {
        env,
        timeoutMs: options.durationS * 4000 + 30_000,
        ...(options.signal ? { signal: options.signal } : {}),
      },
    )
    const result = parseH2loadOutput(output)
    if (result.succeeded === 0 || result.failed > result.succeeded / 100) {
      throw new BenchError(
        'ERR_BENCH_LOAD',
        `h2load against ${options.servername}:${options.port}: ${result.succeeded} succeeded, ${result.failed} failed`,
      )
    }
    return result
  }
  if (!options.fullHandshakes) {
    // h2load takes whole numbers with a unit; the warm-up never outlasts the run (smoke runs).
    const ms = Math.max(1, Math.round(options.durationS * 1000))
    return run(['-D', `${ms}ms`, '--warm-up-time', `${Math.min(1000, ms)}ms`])
  }
  const warmUp = await run(['-n', String(options.clients * 20)])
  const requests = Math.round(warmUp.requestsPerSecond * options.durationS)
  return run(['-n', String(Math.max(options.clients * 10, requests))])
}
