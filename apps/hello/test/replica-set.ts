import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, type Pebble, SupervisedProcess } from '@autotls/pebble'
import type { RedisServer } from '@autotls/redis-server'
import { type RoundRobinProxy, startRoundRobinProxy } from './round-robin-proxy.js'
import { HELLO, until } from './run-hello.js'

/** One hello process of a replica set, on its own HTTPS and HTTP ports. */
export interface Replica {
  readonly label: string
  readonly httpsPort: number
  readonly httpPort: number
  readonly process: SupervisedProcess
  /** Set once the process has exited, whatever the reason. */
  exited(): boolean
  /** Its JSON log lines so far, parsed. */
  logs(): Array<Record<string, unknown>>
}

/** N hello replicas sharing one Redis, behind round-robin proxies on Pebble's validation ports. */
export interface ReplicaSet {
  readonly replicas: readonly Replica[]
  /** On `pebble.tlsPort`: tls-alpn-01 validations, to any replica's HTTPS port. */
  readonly tlsProxy: RoundRobinProxy
  /** On `pebble.httpPort`: http-01 validations, to any replica's HTTP port. */
  readonly httpProxy: RoundRobinProxy
  /** Stops the replicas (SIGTERM), the proxies, and removes the temporary files. */
  close(): Promise<void>
}

/**
 * Starts `count` processes of the built hello bundle, one worker each, with `REDIS_URL` pointing
 * at `redis`, and the two proxies Pebble validates through. Resolves once every replica listens.
 */
export async function startReplicaSet(options: {
  count: number
  pebble: Pebble
  redis: RedisServer
  domains: readonly string[]
}): Promise<ReplicaSet> {
  const { count, pebble, redis, domains } = options
  const work = await mkdtemp(join(tmpdir(), 'hello-replicas-'))
  const caFile = join(work, 'api-ca.pem')
  await writeFile(caFile, pebble.caPem)
  const replicas: Replica[] = []
  for (let i = 0; i < count; i++) {
    const label = String.fromCharCode(65 + i)
    const httpsPort = await freePort()
    const httpPort = await freePort()
    const env = {
      PATH: process.env.PATH ?? '',
      DOMAINS: domains.join(','),
      ACME_DIRECTORY: pebble.directoryUrl,
      ACME_CA_CERTS: caFile,
      CERTS_DIR: join(work, `certs-${label}`),
      REDIS_URL: redis.url,
      HTTPS_PORT: String(httpsPort),
      HTTP_PORT: String(httpPort),
      HOST: '127.0.0.1',
      WORKERS: '1',
      // Debug lines say which replica published a challenge, i.e. held the issuance lock.
      LOG_LEVEL: 'debug',
    }
    const child = new SupervisedProcess(`hello ${label}`, process.execPath, [HELLO], env)
    let exited = false
    child.exitedEarly().catch(() => {
      exited = true
    })
    replicas.push({
      label,
      httpsPort,
      httpPort,
      process: child,
      exited: () => exited,
      logs: () => parseLines(child.output),
    })
  }
  const tlsProxy = await startRoundRobinProxy(
    pebble.tlsPort,
    replicas.map((r) => r.httpsPort),
  )
  const httpProxy = await startRoundRobinProxy(
    pebble.httpPort,
    replicas.map((r) => r.httpPort),
  )
  const close = async (): Promise<void> => {
    await Promise.all(replicas.map((r) => r.process.stop()))
    await Promise.all([tlsProxy.close(), httpProxy.close()])
    await rm(work, { recursive: true, force: true })
  }
  try {
    await Promise.all(
      replicas.map((replica) =>
        until(async () => {
          if (replica.exited()) throw new Error(`replica ${replica.label} exited`)
          if (!replica.logs().some((line) => line.msg === 'listening')) {
            throw new Error(`replica ${replica.label} is not listening yet`)
          }
        }, 15_000).catch((error: unknown) => {
          throw new Error(`${(error as Error).message}:\n${replica.process.output}`)
        }),
      ),
    )
  } catch (error) {
    await close()
    throw error
  }
  return { replicas, tlsProxy, httpProxy, close }
}

function parseLines(output: string): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = []
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>)
    } catch {
      // A line still being written.
    }
  }
  return lines
}
