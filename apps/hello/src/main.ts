// Hello, TLS! — entry point: reads the configuration, prepares as root when started as root, then
// runs one server per worker.
import cluster from 'node:cluster'
import { type Config, loadConfig } from './config.js'
import { HelloError } from './hello-error.js'
import { createLogger } from './logger.js'
import { WORKER_HARD_EXIT_MS } from './shutdown-limits.js'
import { supervise, type WorkerMessage } from './supervisor.js'
import { mustSwitchUser, prepareCertsDir, switchUser } from './user-switch.js'
import { type Running, startWorker } from './worker.js'

/**
 * Prints the one line and exits; a cluster worker sends the line to the primary, which prints it,
 * and exits once it is sent (the returned promise never settles).
 */
function fail(error: unknown): Promise<never> {
  const exitCode = error instanceof HelloError ? 2 : 1
  const message =
    error instanceof HelloError
      ? error.message
      : `could not start: ${error instanceof Error ? error.message : String(error)}`
  if (cluster.isWorker && process.send) {
    const report: WorkerMessage = { hello: 'failed', message, exitCode }
    process.send(report, undefined, {}, () => process.exit(exitCode))
    setTimeout(() => process.exit(exitCode), 1000).unref()
    return new Promise<never>(() => {})
  }
  process.stderr.write(`hello: ${message}\n`)
  process.exit(exitCode)
}

/** The configuration, after preparing CERTS_DIR when started as root. */
async function configure(): Promise<Config> {
  try {
    const config = loadConfig()
    if (cluster.isPrimary && mustSwitchUser(config.runAs) && config.redisUrl === undefined) {
      await prepareCertsDir(config.certsDir, config.runAs)
    }
    return config
  } catch (error) {
    return fail(error)
  }
}

const config = await configure()

if (config.workers > 1 && cluster.isPrimary) {
  // The primary binds the ports for its workers (node:cluster), so it stays root until every
  // worker of the first generation listens; each worker switches user before anything else.
  const runAs = config.runAs
  // Each worker accepts on the shared socket itself, instead of the primary accepting every
  // connection and passing it over IPC (Node's default on Linux, round-robin), which cost more
  // than a second worker gained (see README, "Workers"). NODE_CLUSTER_SCHED_POLICY=rr restores it.
  if (process.env.NODE_CLUSTER_SCHED_POLICY === undefined) {
    cluster.schedulingPolicy = cluster.SCHED_NONE
  }
  supervise({
    workers: config.workers,
    onAllReady: () => {
      if (mustSwitchUser(runAs)) switchUser(runAs)
    },
  })
} else {
  if (cluster.isWorker && mustSwitchUser(config.runAs)) switchUser(config.runAs)
  await runWorker(config)
}

async function runWorker(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel)
  let running: Running | undefined
  let stopping = false
  const shutdown = (): void => {
    if (stopping) return
    stopping = true
    // Stopped while starting: nothing was served yet, so nothing is cut.
    if (!running) process.exit(0)
    setTimeout(() => {
      logger.error({}, `still stopping ${WORKER_HARD_EXIT_MS} ms after the signal; exiting`)
      process.exit(1)
    }, WORKER_HARD_EXIT_MS).unref()
    running.stop().then(
      (result) => process.exit(result === 'clean' ? 0 : 1),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed')
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
  try {
    running = await startWorker(config, logger)
  } catch (error) {
    return fail(error)
  }
  const listening = (): void =>
    logger.info(
      { domains: config.domains, httpsPort: config.httpsPort, httpPort: config.httpPort },
      'listening',
    )
  // A worker tells the primary first: once `listening` is logged, its death is a crash.
  if (process.send) process.send({ hello: 'ready' } satisfies WorkerMessage, listening)
  else listening()
}
