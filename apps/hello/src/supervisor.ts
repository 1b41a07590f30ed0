import cluster, { type Worker } from 'node:cluster'
import { PRIMARY_HARD_EXIT_MS } from './shutdown-limits.js'

/** What a worker tells the primary. */
export type WorkerMessage =
  | { readonly hello: 'ready' }
  | { readonly hello: 'failed'; readonly message: string; readonly exitCode: number }

/** How the primary watches its workers. */
export interface SupervisorOptions {
  readonly workers: number
  /** Called once, when every worker of the first generation listens. */
  readonly onAllReady?: () => void
  /** Deaths of listening workers tolerated within {@link SupervisorOptions.windowMs}. Default 5. */
  readonly maxDeaths?: number
  /** Default 60 s. */
  readonly windowMs?: number
  /** First restart delay, doubled per recent death up to 5 s. Default 100 ms. */
  readonly backoffMs?: number
}

const MAX_BACKOFF_MS = 5000

/**
 * The cluster primary: forks the workers and keeps them running. A worker that dies before it
 * listens (a port taken, an unusable cache) ends the process at once with that worker's one-line
 * reason and exit code, since its siblings would fail the same way; a listening worker that dies
 * is replaced after a delay that doubles with each recent death, and when `maxDeaths` die within
 * `windowMs` the process ends with exit code 1. SIGTERM / SIGINT stop every worker; the exit code
 * is 0 only when every worker stopped cleanly.
 */
export function supervise(options: SupervisorOptions): void {
  const maxDeaths = options.maxDeaths ?? 5
  const windowMs = options.windowMs ?? 60_000
  const backoffMs = options.backoffMs ?? 100
  const ready = new Set<number>()
  const failures = new Map<number, { message: string; exitCode: number }>()
  const restarts = new Set<NodeJS.Timeout>()
  let deaths: number[] = []
  let firstGeneration = options.workers
  let stopping = false
  let exitCode = 0

  const line = (text: string): void => {
    process.stderr.write(`hello: ${text}\n`)
  }

  const stop = (code: number): void => {
    exitCode = Math.max(exitCode, code)
    if (stopping) return
    stopping = true
    for (const timer of restarts) clearTimeout(timer)
    const alive = Object.values(cluster.workers ?? {})
    if (alive.length === 0) process.exit(exitCode)
    for (const worker of alive) worker?.process.kill('SIGTERM')
    setTimeout(() => {
      line(`workers still running ${PRIMARY_HARD_EXIT_MS} ms after the stop began; exiting`)
      process.exit(1)
    }, PRIMARY_HARD_EXIT_MS).unref()
  }

  cluster.on('message', (worker: Worker, message: WorkerMessage) => {
    if (message?.hello === 'ready') {
      ready.add(worker.id)
      if (--firstGeneration === 0) options.onAllReady?.()
    } else if (message?.hello === 'failed') {
      failures.set(worker.id, { message: message.message, exitCode: message.exitCode })
    }
  })

  cluster.on('exit', (worker: Worker, code: number | null, signal: string | null) => {
    const how = signal ?? `exit code ${code}`
    if (stopping) {
      if (code !== 0) exitCode = Math.max(exitCode, 1)
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode)
      return
    }
    if (!ready.has(worker.id)) {
      const failure = failures.get(worker.id)
      line(failure?.message ?? `a worker ended (${how}) before it was listening; stopping`)
      stop(failure?.exitCode ?? 1)
      return
    }
    const now = Date.now()
    deaths = [...deaths.filter((t) => now - t < windowMs), now]
    if (deaths.length >= maxDeaths) {
      line(
        `workers died ${deaths.length} times within ${windowMs / 1000} s (the last: ${how}); stopping: see the log lines before this one`,
      )
      stop(1)
      return
    }
    const delay = Math.min(backoffMs * 2 ** (deaths.length - 1), MAX_BACKOFF_MS)
    line(`worker ${worker.process.pid} died (${how}); starting another in ${delay} ms`)
    const timer = setTimeout(() => {
      restarts.delete(timer)
      cluster.fork()
    }, delay)
    restarts.add(timer)
  })

  for (let i = 0; i < options.workers; i++) cluster.fork()
  process.once('SIGTERM', () => stop(0))
  process.once('SIGINT', () => stop(0))
}
