import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findOnPath, freePort, SupervisedProcess } from '@autotls/pebble'
import { RedisServerError } from './errors.js'

/** How {@link startRedis} runs redis-server. */
export interface RedisServerOptions {
  /** The program to run: a name looked up on PATH, or a path. Default `redis-server`. */
  binary?: string
  /** How long to wait for "Ready to accept connections". Default 10 s. */
  startTimeoutMs?: number
  /** Stops waiting for the server to come up (and stops it). */
  signal?: AbortSignal
}

/** A redis-server started by a test on a free loopback port, with no persistence. */
export interface RedisServer {
  /** The loopback port it listens on; the same after every `start()`. */
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** The pid of the running redis-server, or `undefined` while it is stopped. */
  pid(): number | undefined
  /** Stops the server (SIGKILL by default, as a crash would) and waits until it is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>
  /** Starts it again on the same port, empty (nothing is persisted). */
  start(options?: { signal?: AbortSignal }): Promise<void>
  /** Stops it and removes its directory. Safe to call twice. */
  close(): Promise<void>
}

const READY = 'Ready to accept connections'

/**
 * Starts redis-server on a free loopback port with `--save '' --appendonly no` in a temporary
 * directory. It runs under `@autotls/pebble`'s process guard, so it dies with the test process
 * even when that process is killed with SIGKILL.
 *
 * @example
 * const redis = await startRedis()
 * try {
 *   const cache = redisCache({ url: redis.url })
 *   await redis.stop()   // a crash: clients see the connection drop
 *   await redis.start()  // back, on the same port, empty
 * } finally {
 *   await redis.close()
 * }
 * @see https://redis.io/docs/latest/operate/oss_and_stack/management/config/
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  checkOptions(options)
  try {
    return await startChecked(options)
  } catch (error) {
    if (error instanceof RedisServerError || error === options.signal?.reason) throw error
    throw new RedisServerError('ERR_REDIS_START', 'could not start redis-server', { cause: error })
  }
}

function checkOptions(options: RedisServerOptions): void {
  const invalid = (message: string): RedisServerError =>
    new RedisServerError('ERR_REDIS_INVALID_OPTION', message)
  if (typeof options !== 'object' || options === null) {
    throw invalid('startRedis takes an options object or none')
  }
  const { binary, startTimeoutMs, signal } = options
  if (binary !== undefined && (typeof binary !== 'string' || binary === '')) {
    throw invalid('binary must be a program name or path, e.g. redis-server')
  }
  if (
    startTimeoutMs !== undefined &&
    !(typeof startTimeoutMs === 'number' && startTimeoutMs > 0 && startTimeoutMs < 2 ** 31)
  ) {
    throw invalid(`startTimeoutMs must be a positive number of milliseconds, got ${startTimeoutMs}`)
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalid('signal must be an AbortSignal')
  }
}

async function startChecked(options: RedisServerOptions): Promise<RedisServer> {
  const name = options.binary ?? 'redis-server'
  const binary = await findOnPath(name)
  if (binary === null) {
    throw new RedisServerError(
      'ERR_REDIS_NOT_FOUND',
      `${name} not found: apt-get install -y redis-server`,
    )
  }
  const timeoutMs = options.startTimeoutMs ?? 10_000
  const port = await freePort()
  const dir = await mkdtemp(join(tmpdir(), 'autotls-redis-'))
  let running: SupervisedProcess | undefined
  try {
    running = await launch(binary, port, dir, timeoutMs, options.signal)
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  let closed = false

  const stop = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const current = running
    running = undefined
    if (!current) return
    if (current.pid !== undefined) {
      try {
        process.kill(current.pid, signal)
      } catch {
        // Already gone.
      }
    }
    await current.stop()
  }

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: () => running?.pid,
    stop,
    async start(startOptions = {}) {
      if (closed) throw new RedisServerError('ERR_REDIS_START', 'this redis-server was closed')
      if (running) {
        throw new RedisServerError(
          'ERR_REDIS_RUNNING',
          'redis-server is already running: stop() it first',
        )
      }
      running = await launch(binary, port, dir, timeoutMs, startOptions.signal)
    },
    async close() {
      if (closed) return
      closed = true
      await stop('SIGTERM')
      await rm(dir, { recursive: true, force: true })
    },
  }
}

async function launch(
  binary: string,
  port: number,
  dir: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<SupervisedProcess> {
  signal?.throwIfAborted()
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
  args.push('--dir', dir, '--logfile', '', '--daemonize', 'no')
  const server = new SupervisedProcess('redis-server', binary, args, process.env)
  let stopListening = (): void => {}
  let timer: NodeJS.Timeout | undefined
  let onAbort = (): void => {}
  const ready = new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (server.pid !== undefined && server.output.includes(READY)) resolve()
    }
    stopListening = server.onOutput(check)
    check()
    timer = setTimeout(
      () =>
        reject(
          new RedisServerError(
            'ERR_REDIS_START',
            `redis-server did not accept connections on port ${port} within ${timeoutMs} ms:\n${server.output.trim()}`,
          ),
        ),
      timeoutMs,
    )
    onAbort = () => reject(signal?.reason)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
  const exited = server.exitedEarly().catch((cause: unknown) => {
    throw new RedisServerError(
      'ERR_REDIS_START',
      `redis-server exited while starting on port ${port}:\n${server.output.trim()}`,
      { cause },
    )
  })
  try {
    await Promise.race([ready, exited])
    return server
  } catch (error) {
    await server.stop()
    throw error
  } finally {
    stopListening()
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
}
