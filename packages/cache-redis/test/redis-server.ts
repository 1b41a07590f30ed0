import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/*
 * redis-server runs under a small shell guard that reads a pipe from this process. When this
 * process exits for any reason, SIGKILL included, the pipe closes, `cat` returns and the guard
 * terminates redis-server: no Redis outlives the test file that started it.
 */
const GUARD = [
  '"$@" </dev/null & child=$!',
  'echo "guarded-pid $child"',
  'cat >/dev/null',
  'kill -TERM $child 2>/dev/null',
  'wait $child',
].join('\n')

/** A redis-server started by a test on a free loopback port, with no persistence. */
export interface RedisServer {
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** Stops the server (SIGKILL by default, as a crash would) and waits until it is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>
  /** Starts it again on the same port, empty (nothing is persisted). */
  start(): Promise<void>
  /** Stops it and removes its directory. Safe to call twice. */
  close(): Promise<void>
}

/** A loopback TCP port the kernel just reported free. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

interface Running {
  guard: ChildProcess
  pid: number
  exited: Promise<void>
}

async function launch(port: number, dir: string): Promise<Running> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
  args.push('--dir', dir, '--logfile', '', '--daemonize', 'no')
  const guard = spawn('/bin/sh', ['-c', GUARD, 'guard', '/usr/bin/redis-server', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const exited = new Promise<void>((resolve) => guard.once('close', () => resolve()))
  let output = ''
  const pid = await new Promise<number>((resolve, reject) => {
    let childPid: number | undefined
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start:\n${output}`)),
      10_000,
    )
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8')
      childPid ??= Number(/guarded-pid (\d+)/.exec(output)?.[1]) || undefined
      if (childPid !== undefined && /Ready to accept connections/.test(output)) {
        clearTimeout(timer)
        resolve(childPid)
      }
    }
    guard.stdout.on('data', onData)
    guard.stderr.on('data', onData)
    void exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited while starting:\n${output}`))
    })
  })
  guard.unref()
  for (const stream of [guard.stdin, guard.stdout, guard.stderr]) {
    ;(stream as unknown as { unref?: () => void } | null)?.unref?.()
  }
  return { guard, pid, exited }
}

/**
 * Starts `/usr/bin/redis-server` on a free port with `--save '' --appendonly no` in a temporary
 * directory.
 */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort()
  const dir = await mkdtemp(join(tmpdir(), 'autotls-redis-'))
  let running: Running | undefined = await launch(port, dir)
  let closed = false
  const stop = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const current = running
    running = undefined
    if (!current) return
    try {
      process.kill(current.pid, signal)
    } catch {
      // Already gone.
    }
    current.guard.stdin?.end()
    await current.exited
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    async start() {
      if (running) throw new Error('redis-server is already running')
      running = await launch(port, dir)
    },
    async close() {
      if (closed) return
      closed = true
      await stop('SIGTERM')
      await rm(dir, { recursive: true, force: true })
    },
  }
}
