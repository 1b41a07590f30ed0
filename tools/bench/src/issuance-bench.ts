import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Pebble, startPebble } from '@autotls/pebble'
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
  /**
   * Per round: requests Pebble logged (`-> calling handler()`: every ACME request, newNonce and
   * directory included) divided by the orders it added, warm-up name excluded.
   */
  readonly requestsPerOrder: number[]
}

/** Result of {@link runIssuanceBench}. */
export interface IssuanceResult {
  readonly sizes: IssuanceSizes
  /** The headline: Pebble with its validation delays on (0–4 s per validation, as a real CA). */
  readonly issuers: readonly IssuerFigures[]
  /** Secondary: the same with `PEBBLE_VA_NOSLEEP=1`, what the clients themselves cost. */
  readonly noDelay: readonly IssuerFigures[]
}

/** One Pebble the contestants run against, with its CA in a file and its roots. */
interface Target {
  readonly pebble: Pebble
  readonly caFile: string
  readonly roots: readonly string[]
}

/** Requests Pebble has logged so far (one line per request it handled). */
export function pebbleRequests(pebble: Pebble): number {
  return pebble.logs().split('-> calling handler()').length - 1
}

/**
 * Issuance latency and requests per order: for each contestant — apps/hello, the Go seed,
 * `acme-client`'s `auto()` and `@autotls/acme` alone — a warm-up name (account registration, not
 * counted), then `sequential` new names one after another and `concurrent` new names at once, all
 * with tls-alpn-01. Contestants alternate within each round, in a rotated order. First against a
 * Pebble with its validation delays on (the headline: a real CA takes seconds to validate), then
 * against the run's Pebble without them (`PEBBLE_VA_NOSLEEP=1`).
 *
 * @example
 * const result = await runIssuanceBench(context, { rounds: 3, sequential: 20, concurrent: 50 })
 * @see https://www.rfc-editor.org/rfc/rfc8737
 */
export async function runIssuanceBench(
  context: BenchContext,
  sizes: IssuanceSizes,
): Promise<IssuanceResult> {
  const pebble = await startPebble({ validationDelay: true })
  const dir = await mkdtemp(join(tmpdir(), 'autotls-bench-issuance-'))
  let issuers: IssuerFigures[]
  try {
    const caFile = join(dir, 'pebble-ca.pem')
    await writeFile(caFile, pebble.caPem)
    const target = { pebble, caFile, roots: await pebble.roots() }
    issuers = await runOn(context, target, sizes, 'validation delays on')
  } finally {
    await pebble.stop()
    await rm(dir, { recursive: true, force: true })
  }
  const noDelayTarget = {
    pebble: context.pebble,
    caFile: context.pebbleCaFile,
    roots: context.roots,
  }
  const noDelay = await runOn(context, noDelayTarget, sizes, 'no validation delays')
  return { sizes, issuers, noDelay }
}

async function runOn(
  context: BenchContext,
  target: Target,
  sizes: IssuanceSizes,
  what: string,
): Promise<IssuerFigures[]> {
  const { signal } = context
  const { pebble } = target
  const port = pebble.tlsPort
  const acmeTarget = { directoryUrl: pebble.directoryUrl, caPem: pebble.caPem, port }
  const issuers: Issuer[] = [
    serverIssuer({
      id: 'hello',
      label: `apps/hello (${context.hello.kind}, 1 worker)`,
      port,
      roots: target.roots,
      start: (names, certsDir, s) =>
        startHelloServer({
          entry: context.hello,
          nodeOptions: context.helloNodeOptions,
          port,
          domains: names,
          certsDir,
          directoryUrl: pebble.directoryUrl,
          caFile: target.caFile,
          workers: 1,
          signal: s,
        }),
    }),
    serverIssuer({
      id: 'go-seed',
      label: 'Go seed (echo + autocert)',
      port,
      roots: target.roots,
      start: (names, certsDir, s) =>
        startGoSeedServer({
          binary: context.goSeed,
          port,
          domains: names,
          certsDir,
          directoryUrl: pebble.directoryUrl,
          caFile: target.caFile,
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
        requestsPerOrder: [],
      },
    ]),
  )
  for (const [round, order] of rotations(issuers, sizes.rounds).entries()) {
    for (const issuer of order) {
      // Each name its own registered domain: apps/hello's issuance budget (30 new names per
      // registered domain per week, under Let's Encrypt's 50) would refuse the 31st otherwise.
      const name = (kind: string, i: number): string => `${issuer.id}-r${round}-${kind}${i}.test`
      const sequential = Array.from({ length: sizes.sequential }, (_, i) => name('s', i))
      const concurrent = Array.from({ length: sizes.concurrent }, (_, i) => name('c', i))
      const warmUp = name('w', 0)
      const running = await issuer.start([warmUp, ...sequential, ...concurrent], signal)
      const own = figures.get(issuer.id) as IssuerFigures
      try {
        await running.issue(warmUp)
        const requestsBefore = pebbleRequests(pebble)
        const ordersBefore = pebble.orderCount()
        const roundSequential: number[] = []
        for (const n of sequential) roundSequential.push(await running.issue(n))
        const started = performance.now()
        const batch = await Promise.all(concurrent.map((n) => running.issue(n)))
        const wallMs = performance.now() - started
        const perOrder =
          (pebbleRequests(pebble) - requestsBefore) / (pebble.orderCount() - ordersBefore)
        own.requestsPerOrder.push(perOrder)
        own.concurrentWallMs.push(wallMs)
        own.sequentialMs.push(...roundSequential)
        own.concurrentMs.push(...batch)
        own.roundSequentialMedians.push(median(roundSequential))
        context.log(
          `issuance (${what}) round ${round + 1} ${issuer.label}: one by one median ${median(roundSequential).toFixed(0)} ms, ${concurrent.length} at once in ${wallMs.toFixed(0)} ms, ${perOrder.toFixed(1)} requests per order`,
        )
      } finally {
        await running.stop()
      }
    }
  }
  return [...figures.values()]
}
