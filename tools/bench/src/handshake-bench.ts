import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@autotls/pebble'
import type { BenchContext } from './bench-context.js'
import { startGoSeedServer } from './go-seed-server.js'
import { runH2load } from './h2load.js'
import { startHelloServer } from './hello-server.js'
import { createLocalCertificates } from './local-ca.js'
import { startPlainHttpsServer } from './plain-https-server.js'
import { rotations } from './rotations.js'
import { seedCertificateCaches } from './seed-certificate-caches.js'
import type { ServerProcess } from './server-process.js'
import { timedHttpsGet } from './timed-https-get.js'

/** How much the handshake benchmark does. */
export interface HandshakeSizes {
  rounds: number
  /** Roughly the measured seconds per h2load run (after a short warm-up run). */
  durationS: number
  /** Concurrent h2load connections. */
  clients: number
}

/** One server's figures: requests per second, one entry per round. */
export interface HandshakeFigures {
  readonly id: 'hello-1' | 'hello-default' | 'hello-all' | 'plain' | 'go-seed'
  readonly label: string
  /** `Connection: close`, no resumption: each request is a full TLS handshake and one GET. */
  readonly fullHandshakeRps: number[]
  /** One GET after another on kept-alive connections. */
  readonly keepAliveRps: number[]
}

/** Result of {@link runHandshakeBench}. */
export interface HandshakeResult {
  readonly sizes: HandshakeSizes
  readonly servers: readonly HandshakeFigures[]
}

const NAME = 'hs.bench.test'

/** apps/hello's default worker count (`WORKERS` unset): one per core but one, at least one. */
export function defaultHelloWorkers(cores: number): number {
  return Math.max(1, cores - 1)
}

/**
 * Full TLS handshakes per second (SNI, no resumption, one GET each, h2load `--h1` with
 * `Connection: close`) and keep-alive requests per second against five servers holding the same
 * cached ECDSA certificate (a local CA's): apps/hello with one worker, with its default worker
 * setting (`WORKERS` unset: {@link defaultHelloWorkers}) and with one worker per core, the same handler on a plain `https.createServer` with a static certificate, and the Go seed. All
 * five run during the whole benchmark; the load alternates between them in a rotated order.
 *
 * @example
 * const result = await runHandshakeBench(context, { rounds: 3, durationS: 5, clients: 16 })
 * @see https://www.rfc-editor.org/rfc/rfc8446#section-2
 */
export async function runHandshakeBench(
  context: BenchContext,
  sizes: HandshakeSizes,
): Promise<HandshakeResult> {
  const { signal } = context
  const certs = await createLocalCertificates([NAME], { signal })
  const dir = await mkdtemp(join(tmpdir(), 'autotls-bench-hs-'))
  const servers: { figures: HandshakeFigures; server: ServerProcess }[] = []
  try {
    const hello1Dir = join(dir, 'hello-1')
    const helloDefaultDir = join(dir, 'hello-default')
    const helloAllDir = join(dir, 'hello-all')
    const goDir = join(dir, 'go')
    await seedCertificateCaches(certs, { managerDir: hello1Dir, signal })
    await seedCertificateCaches(certs, { managerDir: helloDefaultDir, signal })
    await seedCertificateCaches(certs, { managerDir: helloAllDir, autocertDir: goDir, signal })
    const common = {
      domains: [NAME],
      directoryUrl: context.pebble.directoryUrl,
      caFile: context.pebbleCaFile,
      signal,
    }
    const starts: [HandshakeFigures['id'], string, (port: number) => Promise<ServerProcess>][] = [
      [
        'hello-1',
        'apps/hello, 1 worker',
        (port) =>
          startHelloServer({
            ...common,
            entry: context.hello,
            nodeOptions: context.helloNodeOptions,
            port,
            certsDir: hello1Dir,
            workers: 1,
          }),
      ],
      [
        'plain',
        'plain node:https, static certificate',
        (port) => startPlainHttpsServer({ port, keyChainFile: certs.file(NAME), signal }),
      ],
      [
        'hello-default',
        `apps/hello, default workers (${defaultHelloWorkers(context.cores)} on ${context.cores} cores)`,
        (port) =>
          startHelloServer({
            ...common,
            entry: context.hello,
            nodeOptions: context.helloNodeOptions,
            port,
            certsDir: helloDefaultDir,
            workers: 'default',
          }),
      ],
      [
        'hello-all',
        `apps/hello, ${context.cores} workers`,
        (port) =>
          startHelloServer({
            ...common,
            entry: context.hello,
            nodeOptions: context.helloNodeOptions,
            port,
            certsDir: helloAllDir,
            workers: context.cores,
          }),
      ],
      [
        'go-seed',
        'Go seed (echo + autocert)',
        (port) => startGoSeedServer({ ...common, binary: context.goSeed, port, certsDir: goDir }),
      ],
    ]
    for (const [id, label, start] of starts) {
      const server = await start(await freePort())
      servers.push({ figures: { id, label, fullHandshakeRps: [], keepAliveRps: [] }, server })
      // The first request loads the certificate from the cache into memory.
      await timedHttpsGet({ port: server.port, servername: NAME, ca: certs.rootPem, signal })
    }
    for (const [round, order] of rotations(servers, sizes.rounds).entries()) {
      for (const { figures, server } of order) {
        const load = {
          port: server.port,
          servername: NAME,
          clients: sizes.clients,
          durationS: sizes.durationS,
          signal,
        }
        const full = await runH2load({ ...load, fullHandshakes: true })
        const keepAlive = await runH2load({ ...load, fullHandshakes: false })
        figures.fullHandshakeRps.push(full.requestsPerSecond)
        figures.keepAliveRps.push(keepAlive.requestsPerSecond)
        context.log(
          `handshakes round ${round + 1} ${figures.label}: ${full.requestsPerSecond.toFixed(0)} full handshakes/s, ${keepAlive.requestsPerSecond.toFixed(0)} keep-alive req/s`,
        )
      }
    }
    return { sizes, servers: servers.map((s) => s.figures) }
  } finally {
    await Promise.all(servers.map((s) => s.server.stop()))
    await certs.remove()
    await rm(dir, { recursive: true, force: true })
  }
}
