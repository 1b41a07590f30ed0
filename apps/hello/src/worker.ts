import { readFile } from 'node:fs/promises'
import { createServer as createHttpServer } from 'node:http'
import type { Server } from 'node:net'
import { createManager } from '@autotls/manager'
import type { Logger } from 'pino'
import { checkCache } from './check-cache.js'
import { answerClientError } from './client-error.js'
import type { Config } from './config.js'
import { dnsSolver } from './dns-config.js'
import { FrontDoor } from './front-door.js'
import { helloHandler } from './handler.js'
import { HelloError } from './hello-error.js'
import { IDLE_SOCKET_TIMEOUT_MS, PUBLIC_HTTP_TIMEOUTS } from './http-timeouts.js'
import { openCache } from './open-cache.js'
import { Readiness } from './readiness.js'
import { systemCode } from './system-code.js'
import { mustSwitchUser, switchUser } from './user-switch.js'

/** How long a stop lets in-flight requests finish before it cuts the remaining connections. */
export const SHUTDOWN_GRACE_MS = 3000

/** How a stop went: `clean` when every connection ended by itself within the grace period. */
export type StopResult = 'clean' | 'cut'

/** A running hello server: the HTTPS port, the optional HTTP port, and how to stop them. */
export interface Running {
  /**
   * Stops accepting and reports not ready, lets in-flight requests finish for up to `graceMs`,
   * then destroys every connection still open (handshakes included) and closes the manager.
   */
  stop(graceMs?: number): Promise<StopResult>
}

/**
 * Starts the HTTPS (and HTTP) servers of one process and resolves once they listen and the cache
 * is usable. Started as root with `RUN_AS` set (a single process), it binds the ports first,
 * holding any connection that arrives meanwhile unread, then switches user before reading a byte.
 */
export async function startWorker(config: Config, logger: Logger): Promise<Running> {
  const caPem = await Promise.all(config.caCertFiles.map((file) => readFile(file, 'utf8')))
  const cache = await openCache(config)
  const manager = createManager({
    hosts: config.domains,
    cache,
    email: config.email,
    acceptTerms: true,
    directoryUrl: config.directoryUrl,
    ...(caPem.length > 0 ? { caPem } : {}),
    httpsPort: config.httpsPort,
    ...(config.dns ? { dns: dnsSolver(config.dns) } : {}),
    logger,
  })
  const readiness = new Readiness({
    cache,
    names: config.domains,
    serve: (name, signal) => manager.secureContext(name, undefined, { signal }),
    held: () =>
      manager
        .certificates()
        .filter((c) => c.notAfter.getTime() > Date.now())
        .map((c) => c.name),
    onCacheChange: (error) => {
      if (error === null) logger.info({}, 'the certificate cache is usable again')
      else {
        logger.warn(
          { code: systemCode(error) },
          `the certificate cache is not usable (${systemCode(error)}): certificates held in memory are still served; new names and renewals wait for it`,
        )
      }
    },
  })

  const https = manager.createServer(
    { serverOptions: PUBLIC_HTTP_TIMEOUTS },
    helloHandler(readiness),
  )
  const http =
    config.httpPort === null
      ? null
      : createHttpServer(PUBLIC_HTTP_TIMEOUTS, helloHandler(readiness, manager.httpHandler()))
  if (http) http.timeout = IDLE_SOCKET_TIMEOUT_MS
  const servers: Server[] = http ? [https, http] : [https]
  const switching = mustSwitchUser(config.runAs)
  const door = new FrontDoor(servers, { hold: switching })
  const fronts = servers.map((_, index) => door.front(index))

  // Refused handshakes are the manager's to report (a TLS alert, a rate-limited warning).
  for (const server of servers) server.on('clientError', answerClientError)

  try {
    await listen(door.front(0), config.httpsPort, config.host, 'HTTPS_PORT')
    if (http && config.httpPort !== null) {
      await listen(door.front(1), config.httpPort, config.host, 'HTTP_PORT')
    }
    if (switching) switchUser(config.runAs)
    await checkCache(config, cache, logger)
  } catch (error) {
    for (const server of [...fronts, ...servers]) server.close()
    door.destroyAll()
    await manager.close()
    await cache.close?.()
    throw error
  }
  // The servers never listen themselves; 'listening' starts their periodic timeout checks.
  for (const server of servers) server.emit('listening')
  door.open()

  return {
    async stop(graceMs = SHUTDOWN_GRACE_MS) {
      readiness.stopping()
      const closed = Promise.all(fronts.map(close))
      for (const server of servers) server.close()
      https.closeIdleConnections()
      http?.closeIdleConnections()
      const grace = new Promise<'grace over'>((resolve) =>
        setTimeout(() => resolve('grace over'), graceMs).unref(),
      )
      const drained = await Promise.race([closed.then(() => 'drained' as const), grace])
      const cut = drained === 'grace over' ? door.destroyAll() : 0
      await closed
      await manager.close()
      await cache.close?.()
      if (cut > 0) logger.warn({ connections: cut }, `stopped, cutting ${cut} open connections`)
      else logger.info({}, 'stopped')
      return cut > 0 ? 'cut' : 'clean'
    },
  }
}

function listen(server: Server, port: number, host: string, variable: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error & { code?: string }): void => {
      reject(
        new HelloError(
          'ERR_HELLO_LISTEN',
          `could not listen on port ${port} (${error.code ?? error.message}): ${listenFix(error.code, port, variable)}`,
          {
            cause: error,
          },
        ),
      )
    }
    server.once('error', onError)
    server.listen(port, host, () => {
      server.removeListener('error', onError)
      resolve()
    })
  })
}

function listenFix(code: string | undefined, port: number, variable: string): string {
  switch (code) {
    case 'EADDRINUSE':
      return `another process holds it: stop that process or set ${variable} to a free port${variable === 'HTTP_PORT' ? ' (HTTP_PORT=off turns port 80 off)' : ''}`
    case 'EACCES':
      return port < 1024
        ? `ports below 1024 need root to bind: start as root with RUN_AS=uid:gid (the image does), allow it with net.ipv4.ip_unprivileged_port_start=0, or set ${variable} above 1023`
        : `this user may not bind it: set ${variable} to another port`
    case 'EADDRNOTAVAIL':
      return 'HOST is not an address of this machine: set HOST to one of its addresses, or :: for all'
    default:
      return `check HOST and ${variable}`
  }
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}
