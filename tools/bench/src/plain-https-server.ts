import { fileURLToPath } from 'node:url'
import { nodeCommand } from './node-command.js'
import { type ServerProcess, startServerProcess } from './server-process.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/plain-https-server.ts', import.meta.url))

/**
 * Starts apps/hello's request handler on a plain `https.createServer` with the static certificate
 * in `keyChainFile` (PKCS#8 key, then the chain): one process, the ceiling for Node.
 *
 * @example
 * const plain = await startPlainHttpsServer({ port, keyChainFile })
 */
export function startPlainHttpsServer(options: {
  port: number
  keyChainFile: string
  /** The Node binary to run; default the one running the benchmark. */
  node?: string
  /** Extra Node options, e.g. `--cpu-prof`. */
  nodeOptions?: readonly string[]
  /** Pin to these CPUs (`taskset -c`). */
  cpus?: string
  signal?: AbortSignal
}): Promise<ServerProcess> {
  const { command, args, cwd } = nodeCommand(FIXTURE, options.nodeOptions)
  return startServerProcess({
    name: 'plain node:https',
    command: options.node ?? command,
    args,
    cwd,
    port: options.port,
    ...(options.cpus === undefined ? {} : { cpus: options.cpus }),
    env: { ...process.env, KEY_CHAIN_FILE: options.keyChainFile, HTTPS_PORT: String(options.port) },
    ...(options.signal ? { signal: options.signal } : {}),
  })
}
