import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@autotls/pebble'
import type { BenchContext } from './bench-context.js'
import { BenchError } from './bench-error.js'
import { startGoSeedServer } from './go-seed-server.js'
import { buildGoTlsLoad, runGoTlsLoad } from './go-tls-load.js'
import { runH2load } from './h2load.js'
import { startHelloServer } from './hello-server.js'
import { createLocalCertificates } from './local-ca.js'
import { type NodeBinary, nodeBinary } from './node-binary.js'
import { startPlainHttpsServer } from './plain-https-server.js'
import { rotations } from './rotations.js'
import { seedCertificateCaches } from './seed-certificate-caches.js'
import type { ServerProcess } from './server-process.js'
import { timedHttpsGet } from './timed-https-get.js'

/** The CPU every server under test is pinned to (the Go seed also runs with `GOMAXPROCS=1`). */
export const SERVER_CPU = '0'
/** The CPU the load generators are pinned to. */
export const CLIENT_CPU = '1'

/** How much the pinned handshake benchmark does. */
export interface PinnedHandshakeSizes {
  rounds: number
  /** Measured seconds per load run. */
  durationS: number
  /** Concurrent connections of the full-handshake runs, e.g. `[4, 16]`. */
  connections: readonly number[]
  /** Also run plain Node and apps/hello under Node 24 (`tools/dev/node24.sh`). */
  node24: boolean
}

/** One way of loading a server; every server gets every load in every round. */
export interface PinnedLoad {
  /** e.g. `go-full-c16`, `h2load-keepalive-c16`. */
  readonly id: string
  readonly client: 'go' | 'h2load'
  readonly mode: 'full' | 'keepalive'
  readonly connections: number
}

/** One server's figures: per load id, requests per second, one entry per round. */
export interface PinnedServerFigures {
  /** `plain-20`, `hello-24`, `go-seed`… */
  readonly id: string
  readonly kind: 'plain' | 'hello' | 'go-seed'
  readonly label: string
  /** The Node that ran it (`null` for the Go seed). */
  readonly node: NodeBinary | null
  readonly perSecond: Readonly<Record<string, number[]>>
  /**
   * Per Go-client load id, the server's CPU time per request in microseconds, one entry per
   * round: its own CPU clock, so it holds even when neighbours slow the machine down.
   */
  readonly cpuUsPerRequest: Readonly<Record<string, number[]>>
}

/** Result of {@link runPinnedHandshakeBench}. */
export interface PinnedHandshakeResult {
  readonly sizes: PinnedHandshakeSizes
  readonly loads: readonly PinnedLoad[]
  readonly servers: readonly PinnedServerFigures[]
  /** TLS version and key exchange group the Go client negotiated, per server id. */
  readonly negotiated: Readonly<Record<string, string>>
}

const NAME = 'hs.bench.test'

/**
 * The loads of a run: the Go client and h2load at each connection count, full handshakes; then
 * h2load keep-alive at the largest.
 *
 * @example
 * pinnedLoads([4, 16]).map((l) => l.id)
 * // ['go-full-c4', 'h2load-full-c4', 'go-full-c16', 'h2load-full-c16', 'h2load-keepalive-c16']
 */
export function pinnedLoads(connections: readonly number[]): PinnedLoad[] {
  const loads: PinnedLoad[] = []
  for (const c of connections) {
    for (const client of ['go', 'h2load'] as const) {
      loads.push({ id: `${client}-full-c${c}`, client, mode: 'full', connections: c })
    }
  }
  const most = Math.max(...connections)
  loads.push({
    id: `h2load-keepalive-c${most}`,
    client: 'h2load',
    mode: 'keepalive',
    connections: most,
  })
  return loads
}

/**
 * Per-core handshake cost, free of the load generator: every server is pinned to CPU
 * {@link SERVER_CPU} (`taskset -c`; the Go seed with `GOMAXPROCS=1`) and every load generator to
 * CPU {@link CLIENT_CPU}. Servers: plain `node:https` with a static certificate and apps/hello with
 * one worker, each under this Node and (optionally) Node 24, and the Go seed; all hold the same
 * cached ECDSA certificate. Loads: a Go `crypto/tls` client and h2load (`--h1`, resumption
 * switched off), full handshakes with SNI and one `GET /` each at every connection count, and
 * keep-alive requests; for the Go client's runs also the server's own CPU time per request, which
 * holds on a machine shared with other work. In each round every load visits every server in a rotated order, so the
 * ratios compare figures measured seconds apart.
 *
 * @example
 * const result = await runPinnedHandshakeBench(context, { rounds: 5, durationS: 5, connections: [4, 16], node24: true })
 * @see https://www.rfc-editor.org/rfc/rfc8446#section-2
 */
export async function runPinnedHandshakeBench(
  context: BenchContext,
  sizes: PinnedHandshakeSizes,
): Promise<PinnedHandshakeResult> {
  const { signal } = context
  if (context.cores < 2) {
    throw new BenchError(
      'ERR_BENCH_TOOL_MISSING',
      'the pinned handshake benchmark needs 2 CPUs: one for the server, one for the load generator',
    )
  }
  const goLoad = await buildGoTlsLoad({ signal })
  const nodes = await Promise.all([
    nodeBinary(process.execPath, { signal }),
    ...(sizes.node24 ? [nodeBinary('node24', { signal })] : []),
  ])
  const certs = await createLocalCertificates([NAME], { signal })
  const dir = await mkdtemp(join(tmpdir(), 'autotls-bench-pinned-'))
  const running: { figures: PinnedServerFigures; server: ServerProcess }[] = []
  try {
    const caFile = join(dir, 'root.pem')
    await writeFile(caFile, certs.rootPem)
    const goDir = join(dir, 'go')
    await seedCertificateCaches(certs, { autocertDir: goDir, signal })
    // The seed reads GOMAXPROCS from its environment, which startGoSeedServer inherits.
    const pinnedSeed = join(dir, 'go-seed-pinned.sh')
    await writeFile(
      pinnedSeed,
      `#!/bin/sh\nGOMAXPROCS=1 exec taskset -c ${SERVER_CPU} '${context.goSeed}' "$@"\n`,
    )
    await chmod(pinnedSeed, 0o755)
    const common = {
      directoryUrl: context.pebble.directoryUrl,
      caFile: context.pebbleCaFile,
      signal,
    }
    const starts: [
      Omit<PinnedServerFigures, 'perSecond' | 'cpuUsPerRequest'>,
      (port: number) => Promise<ServerProcess>,
    ][] = []
    for (const node of nodes) {
      const certsDir = join(dir, `hello-${node.major}`)
      await seedCertificateCaches(certs, { managerDir: certsDir, signal })
      starts.push(
        [
          {
            id: `plain-${node.major}`,
            kind: 'plain',
            label: `plain node:https, Node ${node.major}`,
            node,
          },
          (port) =>
            startPlainHttpsServer({
              port,
              keyChainFile: certs.file(NAME),
              node: node.path,
              cpus: SERVER_CPU,
              signal,
            }),
        ],
        [
          {
            id: `hello-${node.major}`,
            kind: 'hello',
            label: `apps/hello, 1 worker, Node ${node.major}`,
            node,
          },
          (port) =>
            startHelloServer({
              ...common,
              domains: [NAME],
              entry: context.hello,
              nodeOptions: context.helloNodeOptions,
              node: node.path,
              cpus: SERVER_CPU,
              port,
              certsDir,
              workers: 1,
            }),
        ],
      )
    }
    starts.push([
      {
        id: 'go-seed',
        kind: 'go-seed',
        label: 'Go seed (echo + autocert), GOMAXPROCS=1',
        node: null,
      },
      (port) =>
        startGoSeedServer({
          ...common,
          domains: [NAME],
          binary: pinnedSeed,
          port,
          certsDir: goDir,
        }),
    ])
    const loads = pinnedLoads(sizes.connections)
    const negotiated: Record<string, string> = {}
    for (const [figures, start] of starts) {
      const server = await start(await freePort())
      const perSecond: Record<string, number[]> = {}
      const cpuUsPerRequest: Record<string, number[]> = {}
      for (const load of loads) {
        perSecond[load.id] = []
        if (load.client === 'go') cpuUsPerRequest[load.id] = []
      }
      running.push({ figures: { ...figures, perSecond, cpuUsPerRequest }, server })
      // The first request loads the certificate from the cache into memory.
      await timedHttpsGet({ port: server.port, servername: NAME, ca: certs.rootPem, signal })
    }
    for (const [round, order] of rotations(running, sizes.rounds).entries()) {
      for (const load of loads) {
        for (const { figures, server } of order) {
          const common = { port: server.port, servername: NAME, durationS: sizes.durationS, signal }
          let rate: number
          if (load.client === 'go') {
            const cpuBefore = await server.cpuMs()
            const result = await runGoTlsLoad({
              ...common,
              binary: goLoad,
              caFile,
              connections: load.connections,
              mode: load.mode,
              cpus: CLIENT_CPU,
            })
            const cpuMs = (await server.cpuMs()) - cpuBefore
            figures.cpuUsPerRequest[load.id]?.push((cpuMs * 1000) / result.all)
            negotiated[figures.id] ??= `${result.version}, ${result.group}`
            rate = result.perSecond
          } else {
            const result = await runH2load({
              ...common,
              clients: load.connections,
              fullHandshakes: load.mode === 'full',
              cpus: CLIENT_CPU,
            })
            rate = result.requestsPerSecond
          }
          figures.perSecond[load.id]?.push(rate)
          context.log(`pinned round ${round + 1} ${load.id} ${figures.label}: ${rate.toFixed(0)}/s`)
        }
      }
    }
    return { sizes, loads, servers: running.map((r) => r.figures), negotiated }
  } finally {
    await Promise.all(running.map((r) => r.server.stop()))
    await certs.remove()
    await rm(dir, { recursive: true, force: true })
  }
}
