import { spawn } from 'node:child_process'
import { BenchError } from './bench-error.js'
import { findTool } from './find-tool.js'
import { processCpuMs } from './process-cpu-ms.js'
import { processTreeRss } from './process-tree-rss.js'
import { waitForPort } from './wait-for-port.js'

/** A server under test running as a child process group. */
export interface ServerProcess {
  readonly name: string
  readonly pid: number
  readonly port: number
  /** Milliseconds from `spawn` to the first TCP connection the port accepted. */
  readonly listeningMs: number
  /** The last 64 KiB the process wrote to stdout and stderr. */
  output(): string
  /** Resident set size of the process and its children (cluster workers), in bytes. */
  rss(): Promise<number>
  /**
   * CPU time (user + system, all threads) the process itself has used so far, in milliseconds:
   * what a request costs the server, whoever else shares the CPU.
   */
  cpuMs(): Promise<number>
  /** SIGTERM to the whole process group, SIGKILL after 5 s; resolves once it exited. */
  stop(): Promise<void>
}

/** What {@link startServerProcess} runs. */
export interface ServerProcessOptions {
  name: string
  command: string
  args: readonly string[]
  env: NodeJS.ProcessEnv
  cwd?: string
  /** The port it listens on (127.0.0.1); readiness is the first accepted connection. */
  port: number
  /**
   * Pins the process (all its threads and children) to these CPUs with `taskset -c`, e.g. `'0'`:
   * per-core figures that the load generator on another CPU cannot disturb.
   */
  cpus?: string
  readyTimeoutMs?: number
  signal?: AbortSignal
}

const OUTPUT_LIMIT = 64 * 1024
const live = new Set<number>()
let exitHookInstalled = false

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // Already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // A benchmark that throws must not leave servers holding ports and CPU behind.
  process.once('exit', () => {
    for (const pid of live) killGroup(pid, 'SIGKILL')
  })
}

/**
 * Spawns a server in its own process group, waits until its port accepts a TCP connection and
 * measures how long that took (pinned to `cpus` when given). Rejects with `ERR_BENCH_PROCESS` (and the server's output) when it
 * exits first, `ERR_BENCH_TIMEOUT` when it never listens.
 *
 * @example
 * const server = await startServerProcess({ name: 'go-seed', command: seed, args: [], env, port })
 * try { ... } finally { await server.stop() }
 */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  installExitHook()
  options.signal?.throwIfAborted()
  const [command, args] =
    options.cpus === undefined
      ? [options.command, options.args]
      : [
          await findTool('taskset', 'util-linux'),
          ['-c', options.cpus, options.command, ...options.args],
        ]
  const started = performance.now()
  const child = spawn(command, [...args], {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT)
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.once('error', (error) => {
      collect(Buffer.from(String(error)))
      resolve()
    })
  })
  const pid = child.pid
  if (pid === undefined) {
    await exited
    throw new BenchError('ERR_BENCH_PROCESS', `${options.name} did not start: ${output}`)
  }
  live.add(pid)
  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(pid, 'SIGTERM')
        const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
      }
      // Workers may outlive a primary that was killed: take the group down.
      killGroup(pid, 'SIGKILL')
      live.delete(pid)
    })()
    return stopped
  }
  const early = exited.then(() => {
    throw new BenchError(
      'ERR_BENCH_PROCESS',
      `${options.name} exited (code ${child.exitCode}) before listening:\n${output.trim()}`,
    )
  })
  const ready = new AbortController()
  try {
    await Promise.race([
      early,
      waitForPort(options.port, {
        timeoutMs: options.readyTimeoutMs ?? 60_000,
        signal: options.signal ? AbortSignal.any([options.signal, ready.signal]) : ready.signal,
      }),
    ])
  } catch (error) {
    ready.abort()
    await stop()
    if (error instanceof BenchError && error.code === 'ERR_BENCH_TIMEOUT') {
      throw new BenchError(
        'ERR_BENCH_TIMEOUT',
        `${error.message}: ${options.name} said:\n${output}`,
      )
    }
    throw error
  }
  const listeningMs = performance.now() - started
  early.catch(() => {})
  return {
    name: options.name,
    pid,
    port: options.port,
    listeningMs,
    output: () => output,
    rss: async () => (await processTreeRss(pid)).total,
    cpuMs: () => processCpuMs(pid),
    stop,
  }
}
