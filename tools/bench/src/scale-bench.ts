import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@autotls/pebble'
import type { BenchContext } from './bench-context.js'
import { startHelloServer } from './hello-server.js'
import { createLocalCertificates } from './local-ca.js'
import { type NodeBinary, nodeBinary } from './node-binary.js'
import { nodeCommand } from './node-command.js'
import { pinThisProcess } from './pin-this-process.js'
import { CLIENT_CPU, SERVER_CPU } from './pinned-handshake-bench.js'
import { rotations } from './rotations.js'
import { runCommand } from './run-command.js'
import { seedCertificateCaches } from './seed-certificate-caches.js'
import { timedHandshake } from './timed-handshake.js'

/** How much the scale benchmark does. */
export interface ScaleSizes {
  rounds: number
  /** Names with a cached certificate in the large configuration (compared with 1 name). */
  names: number
  /** Handshakes for random names after every name was handshaken once. */
  randomHandshakes: number
  /** Also run apps/hello under Node 24 (`tools/dev/node24.sh`). */
  node24: boolean
}

/** Figures of one configuration (1 name, or `names` names), one entry per round. */
export interface ScaleFigures {
  readonly names: number
  /** Milliseconds from spawning apps/hello to its port accepting a connection. */
  readonly listeningMs: number[]
  /** Resident set size after one handshake for every name, in bytes. */
  readonly rssBytes: number[]
  /** Every first handshake for a name (certificate loaded from the directory cache), all rounds. */
  readonly firstHandshakeMs: number[]
  /** Handshakes for names drawn at random, all rounds. */
  readonly randomHandshakeMs: number[]
  /** apps/hello's own CPU time per random-name handshake, in microseconds, one entry per round. */
  readonly randomCpuUsPerHandshake: number[]
}

/** Both configurations under one Node. */
export interface ScaleNodeFigures {
  readonly node: NodeBinary
  readonly one: ScaleFigures
  readonly many: ScaleFigures
}

/** Result of {@link runScaleBench}. */
export interface ScaleResult {
  readonly sizes: ScaleSizes
  /** Server on CPU {@link SERVER_CPU}, the client on {@link CLIENT_CPU} (needs 2 CPUs). */
  readonly pinned: boolean
  /** This Node first, then Node 24 when {@link ScaleSizes.node24}. */
  readonly nodes: readonly ScaleNodeFigures[]
}

/** The random-name client, run in a process of its own. */
const SCALE_CLIENT = 'tools/bench/src/scale-client.ts'

/**
 * apps/hello (one worker) with `names` certificates already in its directory cache — issued by a
 * local CA, not Pebble — against the same with 1 name, under this Node and (optionally) Node 24:
 * time from spawn to listening, RSS after one handshake per name (names in order, one at a time),
 * then handshake latency for random names (from a Node TLS client in a process of its own,
 * `scale-client.ts`: full handshakes, certificate verified) and the server's CPU time per random handshake. With 2 CPUs
 * or more the server is pinned to CPU {@link SERVER_CPU} and this process (the client) to
 * {@link CLIENT_CPU}, as the pinned handshake benchmark does, so a latency percentile is the
 * server's and not the neighbours'. All configurations alternate per round in a rotated order.
 *
 * @example
 * const result = await runScaleBench(context, { rounds: 3, names: 10_000, randomHandshakes: 2000, node24: true })
 */
export async function runScaleBench(
  context: BenchContext,
  sizes: ScaleSizes,
  options: { random?: () => number } = {},
): Promise<ScaleResult> {
  const { signal } = context
  const random = options.random ?? Math.random
  const pinned = context.cores >= 2
  const nodes = await Promise.all([
    nodeBinary(process.execPath, { signal }),
    ...(sizes.node24 ? [nodeBinary('node24', { signal })] : []),
  ])
  // Short names: DOMAINS must fit one environment string (128 KiB on Linux).
  const names = Array.from({ length: sizes.names }, (_, i) => `n${i}.test`)
  const certs = await createLocalCertificates(names, { signal })
  const dir = await mkdtemp(join(tmpdir(), 'autotls-bench-scale-'))
  const caFile = join(dir, 'ca.pem')
  const namesFile = join(dir, 'random-names.txt')
  const figures = (count: number): ScaleFigures => ({
    names: count,
    listeningMs: [],
    rssBytes: [],
    firstHandshakeMs: [],
    randomHandshakeMs: [],
    randomCpuUsPerHandshake: [],
  })
  try {
    await writeFile(caFile, certs.rootPem)
    const lists = [names.slice(0, 1), names]
    const certsDirs: string[] = []
    for (const list of lists) {
      const certsDir = join(dir, `certs-${list.length}`)
      await seedCertificateCaches({ ...certs, names: list }, { managerDir: certsDir, signal })
      certsDirs.push(certsDir)
    }
    const byNode: ScaleNodeFigures[] = nodes.map((node) => ({
      node,
      one: figures(1),
      many: figures(names.length),
    }))
    // Servers run one at a time, so both Nodes share the seeded directories.
    const configurations = byNode.flatMap(({ node, one, many }) => [
      { node, figures: one, names: lists[0] as string[], certsDir: certsDirs[0] as string },
      { node, figures: many, names, certsDir: certsDirs[1] as string },
    ])
    context.log(`scale: ${names.length} certificates cached`)
    for (const [round, order] of rotations(configurations, sizes.rounds).entries()) {
      for (const { node, figures, names: list, certsDir } of order) {
        const unpin = pinned ? await pinThisProcess(CLIENT_CPU, { signal }) : async () => {}
        try {
          await measure(node, figures, list, certsDir)
        } finally {
          await unpin()
        }
        context.log(
          `scale round ${round + 1}, Node ${node.major}, ${list.length} names: listening after ${(figures.listeningMs.at(-1) ?? 0).toFixed(0)} ms, RSS ${((figures.rssBytes.at(-1) ?? 0) / 2 ** 20).toFixed(0)} MiB, ${(figures.randomCpuUsPerHandshake.at(-1) ?? 0).toFixed(0)} µs CPU per random handshake`,
        )
      }
    }
    return { sizes, pinned, nodes: byNode }
  } finally {
    await certs.remove()
    await rm(dir, { recursive: true, force: true })
  }

  async function measure(
    node: NodeBinary,
    figures: ScaleFigures,
    list: readonly string[],
    certsDir: string,
  ): Promise<void> {
    const port = await freePort()
    const server = await startHelloServer({
      entry: context.hello,
      nodeOptions: context.helloNodeOptions,
      node: node.path,
      ...(pinned ? { cpus: SERVER_CPU } : {}),
      port,
      domains: list,
      certsDir,
      directoryUrl: context.pebble.directoryUrl,
      caFile: context.pebbleCaFile,
      workers: 1,
      signal,
    })
    try {
      figures.listeningMs.push(server.listeningMs)
      const probe = (servername: string): Promise<number> =>
        timedHandshake({ port, servername, ca: certs.rootPem, signal })
      for (const name of list) figures.firstHandshakeMs.push(await probe(name))
      figures.rssBytes.push(await server.rss())
      const picks = Array.from(
        { length: sizes.randomHandshakes },
        () => list[Math.floor(random() * list.length)] as string,
      )
      await writeFile(namesFile, picks.join('\n'))
      const { command, args, cwd } = nodeCommand(SCALE_CLIENT, [])
      const cpuBefore = await server.cpuMs()
      // A process of its own (it inherits this one's CPU): the benchmark's heap and its garbage
      // collection would otherwise set the percentiles' floor.
      const out = await runCommand(command, [...args, String(port), caFile, namesFile], {
        cwd,
        signal,
      })
      const cpuMs = (await server.cpuMs()) - cpuBefore
      figures.randomHandshakeMs.push(...(JSON.parse(out) as number[]))
      figures.randomCpuUsPerHandshake.push((cpuMs * 1000) / Math.max(1, sizes.randomHandshakes))
    } finally {
      await server.stop()
    }
  }
}
