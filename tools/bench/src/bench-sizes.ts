import type { FootprintSizes } from './footprint-bench.js'
import type { HandshakeSizes } from './handshake-bench.js'
import type { IssuanceSizes } from './issuance-bench.js'
import type { PinnedHandshakeSizes } from './pinned-handshake-bench.js'
import type { ScaleSizes } from './scale-bench.js'
import type { WildcardSizes } from './wildcard-bench.js'

/** The size of every benchmark in one run. */
export interface BenchSizes {
  readonly issuance: IssuanceSizes
  readonly handshakes: HandshakeSizes
  readonly pinned: PinnedHandshakeSizes
  readonly scale: ScaleSizes
  readonly footprint: FootprintSizes
  readonly wildcard: WildcardSizes
}

/** The sizes the budgets are about (a run takes about twenty minutes on 2 cores, half of it the pinned handshakes). */
export const FULL_SIZES: BenchSizes = {
  issuance: { rounds: 3, sequential: 20, concurrent: 50 },
  handshakes: { rounds: 5, durationS: 4, clients: 16 },
  pinned: { rounds: 5, durationS: 4, connections: [4, 16], node24: true },
  scale: { rounds: 3, names: 10_000, randomHandshakes: 2000, node24: true },
  footprint: { rounds: 3, settleMs: 2000 },
  wildcard: { rounds: 5 },
}

/** Tiny sizes that run every code path in well under a minute: figures mean nothing. */
export const SMOKE_SIZES: BenchSizes = {
  issuance: { rounds: 1, sequential: 1, concurrent: 2 },
  handshakes: { rounds: 1, durationS: 1, clients: 4 },
  pinned: { rounds: 1, durationS: 1, connections: [4], node24: false },
  scale: { rounds: 1, names: 5, randomHandshakes: 5, node24: false },
  footprint: { rounds: 1, settleMs: 100 },
  wildcard: { rounds: 1 },
}
