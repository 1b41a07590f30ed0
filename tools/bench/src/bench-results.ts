import type { FootprintResult } from './footprint-bench.js'
import type { HandshakeResult } from './handshake-bench.js'
import type { HelloEntry } from './hello-entry.js'
import type { IssuanceResult } from './issuance-bench.js'
import type { MachineInfo } from './machine-info.js'
import type { PinnedHandshakeResult } from './pinned-handshake-bench.js'
import type { ScaleResult } from './scale-bench.js'
import type { WildcardResult } from './wildcard-bench.js'

/** Everything one run measured; a benchmark left out of the run is absent. */
export interface BenchResults {
  /** `full`: the sizes the budgets are about; `smoke`: tiny sizes, no verdicts. */
  readonly mode: 'full' | 'smoke'
  readonly startedAt: Date
  readonly finishedAt: Date
  readonly machine: MachineInfo
  readonly hello: HelloEntry
  readonly issuance?: IssuanceResult
  readonly handshakes?: HandshakeResult
  /** Handshakes with server and load generator pinned to separate CPUs. */
  readonly pinned?: PinnedHandshakeResult
  readonly scale?: ScaleResult
  readonly footprint?: FootprintResult
  /** Time to the first wildcard certificate over DNS-01 (no budget: nothing to compare with). */
  readonly wildcard?: WildcardResult
}
