import type { HelloEntry } from './hello-entry.js'
import { nodeCommand } from './node-command.js'
import { type ServerProcess, startServerProcess } from './server-process.js'

/**
 * The Node flags apps/hello runs with: its container's `ENTRYPOINT` passes the same ones (a test
 * keeps the two equal), so the benchmarks measure what users run. `--max-semi-space-size=4` caps
 * V8's young generation: under Node 24 it otherwise grew to 128 MiB while 10,000 certificates
 * were loaded (for about 40 MiB of live heap), and RSS missed 200 MB (see apps/hello's README,
 * "Memory").
 */
export const HELLO_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4']

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
  /** Extra Node options after {@link HELLO_NODE_FLAGS}, e.g. `--cpu-prof`. */
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
 * Starts apps/hello on `127.0.0.1:port` with port 80 off and warnings-only logs, under
 * {@link HELLO_NODE_FLAGS} as its container runs it, and resolves once it accepts connections.
 *
 * @example
 * const hello = await startHelloServer({ entry, port, domains, certsDir, directoryUrl, caFile, workers: 1 })
 */
export function startHelloServer(options: HelloServerOptions): Promise<ServerProcess> {
  const { command, args, cwd } = nodeCommand(options.entry.file, [
    ...HELLO_NODE_FLAGS,
    ...(options.nodeOptions ?? []),
  ])
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
