import { readFile } from 'node:fs/promises'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { REPO_ROOT } from './repo-paths.js'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}

interface Profile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
  timeDeltas?: number[]
}

/** Where a profiled process spent its time, from a V8 `.cpuprofile` (`node --cpu-prof`). */
export interface CpuProfileSummary {
  /** Profiled wall time, in milliseconds. */
  readonly wallMs: number
  /** Time with nothing to run (waiting on the network, disk, timers). */
  readonly idleMs: number
  readonly gcMs: number
  /** Self time per package (`packages/acme`, `@peculiar/asn1-schema`, `node:internal`…), most first. */
  readonly packages: readonly { readonly name: string; readonly selfMs: number }[]
  /** The functions with the most self time, most first. */
  readonly top: readonly { readonly where: string; readonly selfMs: number }[]
}

function packageOf(url: string): string {
  if (!url) return '(V8 and native)'
  if (url.startsWith('node:')) return 'node:internal'
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pnpm?.[1]) return pnpm[1]
  const path = url.startsWith('file://') ? relative(REPO_ROOT, fileURLToPath(url)) : url
  return path.split('/').slice(0, 2).join('/')
}

function place(frame: ProfileNode['callFrame']): string {
  const name = frame.functionName || '(anonymous)'
  if (!frame.url) return name
  let file = frame.url
  if (file.startsWith('file://')) file = relative(REPO_ROOT, fileURLToPath(file))
  file = file.replace(/^.*node_modules\/\.pnpm\/([^/]+)\/node_modules\//, '$1: ')
  return `${name} ${file}:${frame.lineNumber + 1}`
}

/**
 * Sums self time per function (file and line) and per package of a `.cpuprofile`, sample by sample, and splits out
 * idle and garbage-collection time: what the CPU did during a benchmark, and how much of the wall
 * time it was waiting instead.
 *
 * @example
 * const summary = await summarizeCpuProfile('/tmp/prof/CPU.20261127.123456.4242.0.001.cpuprofile')
 */
export async function summarizeCpuProfile(file: string, limit = 15): Promise<CpuProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map<string, number>()
  const packages = new Map<string, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i + 1] is how long sample i lasted (the last one gets the mean).
    const us = deltas[i + 1] ?? (profile.endTime - profile.startTime) / Math.max(1, samples.length)
    const node = byId.get(samples[i] as number)
    if (!node) continue
    const key = place(node.callFrame)
    self.set(key, (self.get(key) ?? 0) + us / 1000)
    if (!key.startsWith('(idle)') && !key.startsWith('(garbage collector)')) {
      const name = packageOf(node.callFrame.url)
      packages.set(name, (packages.get(name) ?? 0) + us / 1000)
    }
  }
  const take = (name: string): number => {
    const ms = self.get(name) ?? 0
    self.delete(name)
    return ms
  }
  const idleMs = take('(idle)')
  const gcMs = take('(garbage collector)')
  return {
    wallMs: (profile.endTime - profile.startTime) / 1000,
    idleMs,
    gcMs,
    packages: [...packages.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, selfMs]) => ({ name, selfMs })),
    top: [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([where, selfMs]) => ({ where, selfMs })),
  }
}
