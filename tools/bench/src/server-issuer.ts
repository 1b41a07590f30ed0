import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Issuer, RunningIssuer } from './issuer.js'
import type { ServerProcess } from './server-process.js'
import { timedHttpsGet } from './timed-https-get.js'

/**
 * An {@link Issuer} that is a server process obtaining certificates on the first handshake for a
 * name (apps/hello, the Go seed): each round gets an empty certificate directory, and issuing is
 * timed as the first `GET https://<name>/` until its response, verified against `roots`.
 *
 * @example
 * serverIssuer({ id: 'go-seed', label: 'Go seed', port: pebble.tlsPort, roots,
 *   start: (names, certsDir, signal) => startGoSeedServer({ ... }) })
 */
export function serverIssuer(options: {
  id: string
  label: string
  port: number
  roots: readonly string[]
  start(names: readonly string[], certsDir: string, signal: AbortSignal): Promise<ServerProcess>
}): Issuer {
  return {
    id: options.id,
    label: options.label,
    async start(names, signal): Promise<RunningIssuer> {
      const certsDir = await mkdtemp(join(tmpdir(), `autotls-bench-${options.id}-`))
      let server: ServerProcess
      try {
        server = await options.start(names, join(certsDir, 'certs'), signal)
      } catch (error) {
        await rm(certsDir, { recursive: true, force: true })
        throw error
      }
      return {
        issue: (name) =>
          timedHttpsGet({ port: options.port, servername: name, ca: options.roots, signal }),
        async stop() {
          await server.stop()
          await rm(certsDir, { recursive: true, force: true })
        },
      }
    },
  }
}
