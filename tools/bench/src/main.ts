// pnpm --filter @autotls/bench bench [-- --smoke] [--only=issuance,handshakes,pinned,scale,footprint,wildcard]
//   [--out=FILE] [--cpu-prof=DIR]
// Runs the benchmarks and writes tools/bench/RESULTS.md (see README.md).
import { readdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { summarizeCpuProfile } from './cpu-profile-summary.js'
import { renderReport } from './render-report.js'
import { BENCH_DIR } from './repo-paths.js'
import { type BenchName, runBenchmarks } from './run-benchmarks.js'

const NAMES: readonly BenchName[] = [
  'issuance',
  'handshakes',
  'pinned',
  'scale',
  'footprint',
  'wildcard',
]

// `pnpm bench -- --smoke` hands the `--` through: drop it.
const args = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'))
const { values } = parseArgs({
  args,
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
})
const only = values.only?.split(',').map((n) => n.trim()) ?? [...NAMES]
const unknown = only.filter((n) => !NAMES.includes(n as BenchName))
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}: choose from ${NAMES.join(', ')}`)
  process.exit(2)
}
const mode = values.smoke ? 'smoke' : 'full'
const out = resolve(
  values.out ?? join(BENCH_DIR, mode === 'full' ? 'RESULTS.md' : 'RESULTS.smoke.md'),
)
const profiles = values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof'])

const controller = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => controller.abort(new Error(`interrupted by ${signal}`)))
}
const started = performance.now()
const results = await runBenchmarks({
  mode,
  only: only as BenchName[],
  ...(profiles ? { cpuProfileDir: profiles } : {}),
  signal: controller.signal,
  log: (line) =>
    console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`),
})
await writeFile(out, renderReport(results))
console.error(`wrote ${out}`)

if (profiles) {
  const ms = (n: number): string => `${n.toFixed(0).padStart(7)} ms`
  for (const file of (await readdir(profiles)).filter((f) => f.endsWith('.cpuprofile')).sort()) {
    const summary = await summarizeCpuProfile(join(profiles, file), 12)
    console.error(
      `\n${file}: ${ms(summary.wallMs)} wall, ${ms(summary.idleMs)} idle, ${ms(summary.gcMs)} GC`,
    )
    for (const p of summary.packages) console.error(`  ${ms(p.selfMs)}  ${p.name}`)
    for (const f of summary.top) console.error(`  ${ms(f.selfMs)}  ${f.where}`)
  }
}
