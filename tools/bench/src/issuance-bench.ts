import { acmeClientIssuer } from './acme-client-issuer.js'
import { autotlsAcmeIssuer } from './autotls-acme-issuer.js'
import type { BenchContext } from './bench-context.js'
import { startGoSeedServer } from './go-seed-server.js'
import { startHelloServer } from './hello-server.js'
import type { Issuer } from './issuer.js'
import { rotations } from './rotations.js'
import { serverIssuer } from './server-issuer.js'
import { median } from './stats.js'

/** How much the issuance benchmark does. */
export interface IssuanceSizes {
  rounds: number
  /** Names issued one after another, per contestant and round. */
  sequential: number
  /** Names issued all at once, per contestant and round. */
  concurrent: number
}

/** One contestant's issuance figures, in milliseconds. */
export interface IssuerFigures {
  readonly id: string
  readonly label: string
  /** Every name issued one after another, all rounds. */
  readonly sequentialMs: number[]
  /** Every name of the all-at-once batches, all rounds. */
  readonly concurrentMs: number[]
  /** Per round: time until the whole all-at-once batch was issued. */
  readonly concurrentWallMs: number[]
  /** Per round: median of that round's one-after-another names. */
  readonly roundSequentialMedians: number[]
}

/** Result of {@link runIssuanceBench}. */
export interface IssuanceResult {
  readonly sizes: IssuanceSizes
  readonly issuers: readonly IssuerFigures[]
}

/**
 * Issuance latency on one Pebble: for each contestant — apps/hello, the Go seed, `acme-client`'s
 * `auto()` and `@autotls/acme` alone — a warm-up name (account registration, not counted), then
 * `sequential` new names one after another and `concurrent` new names at once, all with
 * tls-alpn-01. Contestants alternate within each round, in a rotated order.
 *
 * @example
 * const result = await runIssuanceBench(context, { rounds: 3, sequential: 20, concurrent: 50 })
 * @see https://www.rfc-editor.org/rfc/rfc8737
 */
export async function runIssuanceBench(
  context: BenchContext,
  sizes: IssuanceSizes,
): Promise<IssuanceResult> {
  const { pebble, signal } = context
  const port = pebble.tlsPort
  const acmeTarget = { directoryUrl: pebble.directoryUrl, caPem: pebble.caPem, port }
  const issuers: Issuer[] = [
    serverIssuer({
      id: 'hello',
      label: `apps/hello (${context.hello.kind}, 1 worker)`,
      port,
      roots: context.roots,
      start: (names, certsDir, s) =>
        startHelloServer({
          entry: context.hello,
          nodeOptions: context.helloNodeOptions,
          port,
          domains: names,
          certsDir,
          directoryUrl: pebble.directoryUrl,
          caFile: context.pebbleCaFile,
          workers: 1,
          signal: s,
        }),
    }),
    serverIssuer({
      id: 'go-seed',
      label: 'Go seed (echo + autocert)',
      port,
      roots: context.roots,
      start: (names, certsDir, s) =>
        startGoSeedServer({
          binary: context.goSeed,
          port,
          domains: names,
          certsDir,
          directoryUrl: pebble.directoryUrl,
          caFile: context.pebbleCaFile,
          signal: s,
        }),
    }),
    acmeClientIssuer(acmeTarget),
    autotlsAcmeIssuer(acmeTarget),
  ]
  const figures = new Map<string, IssuerFigures>(
    issuers.map((issuer) => [
      issuer.id,
      {
        id: issuer.id,
        label: issuer.label,
        sequentialMs: [],
        concurrentMs: [],
        concurrentWallMs: [],
        roundSequentialMedians: [],
      },
    ]),
  )
  for (const [round, order] of rotations(issuers, sizes.rounds).entries()) {
    for (const issuer of order) {
      const name = (kind: string, i: number): string =>
        `${issuer.id}-r${round}-${kind}${i}.issue.test`
      const sequential = Array.from({ length: sizes.sequential }, (_, i) => name('s', i))
      const concurrent = Array.from({ length: sizes.concurrent }, (_, i) => name('c', i))
      const warmUp = name('w', 0)
      const running = await issuer.start([warmUp, ...sequential, ...concurrent], signal)
      const own = figures.get(issuer.id) as IssuerFigures
      try {
        await running.issue(warmUp)
        const roundSequential: number[] = []
        for (const n of sequential) roundSequential.push(await running.issue(n))
        const started = performance.now()
        const batch = await Promise.all(concurrent.map((n) => running.issue(n)))
        const wallMs = performance.now() - started
        own.concurrentWallMs.push(wallMs)
        own.sequentialMs.push(...roundSequential)
        own.concurrentMs.push(...batch)
        own.roundSequentialMedians.push(median(roundSequential))
        context.log(
          `issuance round ${round + 1} ${issuer.label}: one by one median ${median(roundSequential).toFixed(0)} ms, ${concurrent.length} at once in ${wallMs.toFixed(0)} ms`,
        )
      } finally {
        await running.stop()
      }
    }
  }
  return { sizes, issuers: [...figures.values()] }
}
