import { readFile } from 'node:fs/promises'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createManager } from '@autotls/manager'
import type { Config } from './config.js'
import { helloHandler } from './handler.js'
import { createLogger } from './logger.js'
import { openCache } from './open-cache.js'

/** A running hello server: the HTTPS port, the optional HTTP port, and how to stop them. */
export interface Running {
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), closes the manager. */
  stop(graceMs?: number): Promise<void>
}

/** Starts the HTTPS (and HTTP) servers of one process. */
export async function startWorker(config: Config): Promise<Running> {
  const logger = createLogger(config.logLevel)
  const caPem = await Promise.all(config.caCertFiles.map((file) => readFile(file, 'utf8')))
  const cache = await openCache(config)
  const manager = createManager({
    hosts: config.domains,
    cache,
    email: config.email,
    acceptTerms: true,
    directoryUrl: config.directoryUrl,
    caPem,
    httpsPort: config.httpsPort,
    logger,
  })

  const https = manager.createServer(helloHandler)
  const challengeAndRedirect = manager.httpHandler()
  const http: Server | null =
    config.httpPort === null
      ? null
      : createHttpServer((req, res) => {
          if ((req.url ?? '').split('?')[0] === '/healthz') helloHandler(req, res)
          else challengeAndRedirect(req, res)
        })

  await listen(https, config.httpsPort, config.host)
  if (http && config.httpPort !== null) await listen(http, config.httpPort, config.host)
  logger.info(
    { domains: config.domains, httpsPort: config.httpsPort, httpPort: config.httpPort },
    'listening',
  )

  return {
    async stop(graceMs = 3000) {
      const closed = Promise.all([close(https), http ? close(http) : undefined])
      https.closeIdleConnections()
      http?.closeIdleConnections()
      const forced = setTimeout(() => {
        https.closeAllConnections()
        http?.closeAllConnections()
      }, graceMs)
      await closed
      clearTimeout(forced)
      await manager.close()
      await cache.close?.()
      logger.info({}, 'stopped')
    },
  }
}

function listen(
  server: {
    listen(port: number, host: string, cb: () => void): unknown
    once(event: 'error', cb: (e: Error) => void): unknown
  },
  port: number,
  host: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
}

function close(server: { close(cb: (error?: Error) => void): unknown }): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}
