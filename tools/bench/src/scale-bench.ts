import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@autotls/pebble'
import type { BenchContext } from './bench-context.js'
import { startHelloServer } from './hello-server.js'
import { createLocalCertificates } from './local-ca.js'
import { rotations } from './rotations.js'
import { seedCertificateCaches } from './seed-certificate-caches.js'
import { timedHandshake } from './timed-handshake.js'

/** How much the scale benchmark does. */
export interface ScaleSizes {
  rounds: number
  /** Names with a cached certificate in the large configuration (compared with 1 name). */
  names: number
  /** Handshakes for random names after every name was handshaken once. */
  randomHandshakes: number
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
}

/** Result of {@link runScaleBench}. */
export interface ScaleResult {
  readonly sizes: ScaleSizes
  readonly one: ScaleFigures
  readonly many: ScaleFigures
}

/**
 * apps/hello (one worker) with `names` certificates already in its directory cache — issued by a
 * local CA, not Pebble — against the same with 1 name: time from spawn to listening, RSS after one
 * handshake per name (names in order, one at a time), then handshake latency for random names
 * (from a Node TLS client in this process, full handshakes, certificate verified). The two
 * configurations alternate per round.
 *
 * @example
 * const result = await runScaleBench(context, { rounds: 3, names: 10_000, randomHandshakes: 2000 })
 */
export async function runScaleBench(
  context: BenchContext,
  sizes: ScaleSizes,
  options: { random?: () => number } = {},
): Promise<ScaleResult> {
  const { signal } = context
  const random = options.random ?? Math.random
  // Short names: DOMAINS must fit one environment string (128 KiB on Linux).
  const names = Array.from({ length: sizes.names }, (_, i) => `n${i}.test`)
  const certs = await createLocalCertificates(names, { signal })
  const dir = await mkdtemp(join(tmpdir(), 'autotls-bench-scale-'))
  try {
    const configurations: { figures: ScaleFigures; names: string[]; certsDir: string }[] = []
    for (const list of [names.slice(0, 1), names]) {
      const certsDir = join(dir, `certs-${list.length}`)
      await seedCertificateCaches({ ...certs, names: list }, { managerDir: certsDir, signal })
      configurations.push({
        names: list,
        certsDir,
        figures: {
          names: list.length,
          listeningMs: [],
          rssBytes: [],
          firstHandshakeMs: [],
          randomHandshakeMs: [],
        },
      })
    }
    context.log(`scale: ${names.length} certificates cached`)
    for (const [round, order] of rotations(configurations, sizes.rounds).entries()) {
      for (const { figures, names: list, certsDir } of order) {
        const port = await freePort()
        const server = await startHelloServer({
          entry: context.hello,
          nodeOptions: context.helloNodeOptions,
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
          for (let i = 0; i < sizes.randomHandshakes; i++) {
            signal.throwIfAborted()
            const name = list[Math.floor(random() * list.length)] as string
            figures.randomHandshakeMs.push(await probe(name))
          }
          context.log(
            `scale round ${round + 1}, ${list.length} names: listening after ${server.listeningMs.toFixed(0)} ms, RSS ${((figures.rssBytes.at(-1) ?? 0) / 2 ** 20).toFixed(0)} MiB`,
          )
        } finally {
          await server.stop()
        }
      }
    }
    const [one, many] = configurations.map((c) => c.figures) as [ScaleFigures, ScaleFigures]
    return { sizes, one, many }
  } finally {
    await certs.remove()
    await rm(dir, { recursive: true, force: true })
  }
}
