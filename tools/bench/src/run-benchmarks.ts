import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPebble } from '@autotls/pebble'
import type { BenchContext } from './bench-context.js'
import type { BenchResults } from './bench-results.js'
import { type BenchSizes, FULL_SIZES, SMOKE_SIZES } from './bench-sizes.js'
import { runFootprintBench } from './footprint-bench.js'
import { buildGoProgram } from './go-build.js'
import { runHandshakeBench } from './handshake-bench.js'
import { helloEntry } from './hello-entry.js'
import { runIssuanceBench } from './issuance-bench.js'
import { machineInfo } from './machine-info.js'
import { runPinnedHandshakeBench } from './pinned-handshake-bench.js'
import { BENCH_DIR } from './repo-paths.js'
import { runScaleBench } from './scale-bench.js'
import { runWildcardBench } from './wildcard-bench.js'

/** The benchmarks of a run. */
export type BenchName = 'issuance' | 'handshakes' | 'pinned' | 'scale' | 'footprint' | 'wildcard'

/** What {@link runBenchmarks} runs. */
export interface RunBenchmarksOptions {
  /** `full` (the budgets' sizes, verdicts) or `smoke` (tiny sizes, no verdicts). */
  mode: 'full' | 'smoke'
  /** A subset of the benchmarks; default all. */
  only?: readonly BenchName[]
  /** Override the sizes of `mode`. */
  sizes?: BenchSizes
  /** Run apps/hello with `--cpu-prof`, writing its profiles here. */
  cpuProfileDir?: string
  signal?: AbortSignal
  log?: (line: string) => void
  now?: () => Date
}

/**
 * Runs the benchmarks against one Pebble, each with its baselines alternating within the run, and
 * resolves every figure. Needs Pebble, Go with Debian's echo and x/crypto sources, h2load, gcc,
 * BIND 9 and Knot (the wildcard benchmark) and a built (or buildable from source) apps/hello.
 *
 * @example
 * const results = await runBenchmarks({ mode: 'full' })
 * await writeFile('RESULTS.md', renderReport(results))
 */
export async function runBenchmarks(options: RunBenchmarksOptions): Promise<BenchResults> {
  const now = options.now ?? (() => new Date())
  const startedAt = now()
  const sizes = options.sizes ?? (options.mode === 'full' ? FULL_SIZES : SMOKE_SIZES)
  const only = new Set<BenchName>(
    options.only ?? ['issuance', 'handshakes', 'pinned', 'scale', 'footprint', 'wildcard'],
  )
  const signal = options.signal ?? new AbortController().signal
  const log = options.log ?? (() => {})
  const [hello, goSeed] = await Promise.all([
    helloEntry(),
    buildGoProgram(join(BENCH_DIR, 'go-seed'), { signal }),
  ])
  const pebble = await startPebble()
  const dir = await mkdtemp(join(tmpdir(), 'autotls-bench-run-'))
  try {
    const machine = await machineInfo({ goSeedBinary: goSeed, pebble: pebble.install.description })
    const pebbleCaFile = join(dir, 'pebble-ca.pem')
    await writeFile(pebbleCaFile, pebble.caPem)
    const context: BenchContext = {
      pebble,
      pebbleCaFile,
      roots: await pebble.roots(),
      hello,
      helloNodeOptions: options.cpuProfileDir
        ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`]
        : [],
      goSeed,
      cores: machine.cores,
      signal,
      log,
    }
    log(`apps/hello: ${hello.kind} ${hello.file}; Go seed: ${goSeed}`)
    return {
      mode: options.mode,
      startedAt,
      machine,
      hello,
      ...(only.has('issuance')
        ? { issuance: await runIssuanceBench(context, sizes.issuance) }
        : {}),
      ...(only.has('handshakes')
        ? { handshakes: await runHandshakeBench(context, sizes.handshakes) }
        : {}),
      ...(only.has('pinned')
        ? { pinned: await runPinnedHandshakeBench(context, sizes.pinned) }
        : {}),
      ...(only.has('scale') ? { scale: await runScaleBench(context, sizes.scale) } : {}),
      ...(only.has('footprint')
        ? { footprint: await runFootprintBench(context, sizes.footprint) }
        : {}),
      ...(only.has('wildcard')
        ? { wildcard: await runWildcardBench(context, sizes.wildcard) }
        : {}),
      finishedAt: now(),
    }
  } finally {
    await pebble.stop()
    await rm(dir, { recursive: true, force: true })
  }
}
