// Hello, TLS! — entry point: reads the configuration, then runs one server per worker.
import cluster from 'node:cluster'
import { type Config, ConfigError, loadConfig } from './config.js'
import { type Running, startWorker } from './worker.js'

const SHUTDOWN_GRACE_MS = 3000

function fail(message: string, code: number): never {
  process.stderr.write(`hello: ${message}\n`)
  process.exit(code)
}

let config: Config
try {
  config = loadConfig()
} catch (error) {
  if (error instanceof ConfigError) fail(error.message, 2)
  throw error
}

if (config.workers > 1 && cluster.isPrimary) {
  runPrimary(config.workers)
} else {
  await runWorker(config)
}

function runPrimary(workers: number): void {
  let stopping = false
  for (let i = 0; i < workers; i++) cluster.fork()
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0)
      return
    }
    if (code === 2) fail('a worker stopped on invalid configuration', 2)
    process.stderr.write(
      `hello: worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`,
    )
    cluster.fork()
  })
  const shutdown = (): void => {
    if (stopping) return
    stopping = true
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS + 2000).unref()
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
}

async function runWorker(config: Config): Promise<void> {
  let running: Running
  try {
    running = await startWorker(config)
  } catch (error) {
    const code = (error as { code?: string }).code
    fail(
      `could not start: ${error instanceof Error ? error.message : String(error)}${code ? ` (${code})` : ''}`,
      1,
    )
  }
  let stopping = false
  const shutdown = (): void => {
    if (stopping) return
    stopping = true
    running.stop(SHUTDOWN_GRACE_MS).then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
}
