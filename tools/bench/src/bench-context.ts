import type { Pebble } from '@autotls/pebble'
import type { HelloEntry } from './hello-entry.js'

/** What every benchmark shares within one run. */
export interface BenchContext {
  /** The test CA (`PEBBLE_VA_NOSLEEP=1`, default nonce rejection). */
  readonly pebble: Pebble
  /** `pebble.caPem` in a file, for `ACME_CA_CERTS`. */
  readonly pebbleCaFile: string
  /** Roots that sign Pebble's certificates: clients verify issued chains against them. */
  readonly roots: readonly string[]
  /** The apps/hello build under test. */
  readonly hello: HelloEntry
  /** Extra Node options for every apps/hello process (`--cpu-prof …` when profiling). */
  readonly helloNodeOptions: readonly string[]
  /** The Go seed binary. */
  readonly goSeed: string
  /** Cores of this machine: apps/hello's default worker count. */
  readonly cores: number
  readonly signal: AbortSignal
  /** Progress lines (stderr in the CLI, nothing in the smoke test). */
  log(line: string): void
}
