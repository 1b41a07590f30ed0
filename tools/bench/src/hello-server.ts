import type { HelloEntry } from './hello-entry.js'
import { nodeCommand } from './node-command.js'
import { type ServerProcess, startServerProcess } from './server-process.js'

/** How to run apps/hello for a benchmark (its environment variables, see its README). */
export interface HelloServerOptions {
  entry: HelloEntry
  port: number
  domains: readonly string[]
  certsDir: string
  directoryUrl: string
  /** PEM file of the CA to trust for the ACME API. */
  caFile: string
  /** `node:cluster` workers; 1 runs a single process; `'default'` leaves `WORKERS` unset. */
  workers: number | 'default'
  /** Extra Node options, e.g. `--cpu-prof`. */
  nodeOptions?: readonly string[]
  /** The Node binary to run; default the one running the benchmark. */
  node?: string
  /** Pin to these CPUs (`taskset -c`), workers included. */
  cpus?: string
  /** More environment variables (e.g. `DNS_*` for DNS-01), set last. */
  env?: Readonly<Record<string, string>>
  signal?: AbortSignal
}

/**
 * Starts apps/hello on `127.0.0.1:port` with port 80 off and warnings-only logs, and resolves once
 * it accepts connections.
 *
 * @example
 * const hello = await startHelloServer({ entry, port, domains, certsDir, directoryUrl, caFile, workers: 1 })
 */
export function startHelloServer(options: HelloServerOptions): Promise<ServerProcess> {
  const { command, args, cwd } = nodeCommand(options.entry.file, options.nodeOptions)
  const { WORKERS: _, ...inherited } = process.env
  return startServerProcess({
    name: `apps/hello (${options.workers === 'default' ? 'default' : options.workers} worker${options.workers === 1 ? '' : 's'})`,
    command: options.node ?? command,
    args,
    cwd,
    port: options.port,
    ...(options.cpus === undefined ? {} : { cpus: options.cpus }),
    env: {
      ...inherited,
      NODE_ENV: 'production',
      DOMAINS: options.domains.join(','),
      ACME_DIRECTORY: options.directoryUrl,
      ACME_CA_CERTS: options.caFile,
      CERTS_DIR: options.certsDir,
      HTTPS_PORT: String(options.port),
      HTTP_PORT: 'off',
      HOST: '127.0.0.1',
      ...(options.workers === 'default' ? {} : { WORKERS: String(options.workers) }),
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    ...(options.signal ? { signal: options.signal } : {}),
  })
}
