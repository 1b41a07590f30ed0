import { type ServerProcess, startServerProcess } from './server-process.js'

/** How to run the Go seed (tools/bench/go-seed) for a benchmark. */
export interface GoSeedServerOptions {
  /** The binary from `buildGoProgram(go-seed)`. */
  binary: string
  port: number
  domains: readonly string[]
  /** autocert.DirCache directory. */
  certsDir: string
  directoryUrl: string
  caFile: string
  signal?: AbortSignal
}

/**
 * Starts the Go seed (echo + autocert, all cores) on `127.0.0.1:port` and resolves once it
 * accepts connections.
 *
 * @example
 * const seed = await startGoSeedServer({ binary, port, domains, certsDir, directoryUrl, caFile })
 */
export function startGoSeedServer(options: GoSeedServerOptions): Promise<ServerProcess> {
  return startServerProcess({
    name: 'Go seed',
    command: options.binary,
    args: [],
    port: options.port,
    env: {
      ...process.env,
      DOMAINS: options.domains.join(','),
      ACME_DIRECTORY: options.directoryUrl,
      ACME_CA_CERTS: options.caFile,
      CERTS_DIR: options.certsDir,
      HTTPS_PORT: String(options.port),
      HOST: '127.0.0.1',
    },
    ...(options.signal ? { signal: options.signal } : {}),
  })
}
