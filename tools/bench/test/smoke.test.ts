// The benchmarks themselves at tiny sizes (no verdicts), so they cannot rot: every contestant
// starts, issues, serves and is measured, and the report renders. Figures are not checked
// against budgets here; only that each was measured and is plausible.
import { describe, expect, it } from 'vitest'
import type { BenchResults } from '../src/bench-results.js'
import { SMOKE_SIZES } from '../src/bench-sizes.js'
import { renderPinnedHandshakes } from '../src/render-pinned-handshakes.js'
import { renderReport } from '../src/render-report.js'
import { runBenchmarks } from '../src/run-benchmarks.js'

const positive = (values: readonly number[]): boolean =>
  values.length > 0 && values.every((v) => Number.isFinite(v) && v > 0)

describe('benchmarks in smoke mode', () => {
  let results: BenchResults

  it('runs every benchmark end to end against real servers', { timeout: 240_000 }, async () => {
    // The wildcard benchmark has its own file (wildcard-smoke.test.ts), so the two run side by side.
    results = await runBenchmarks({
      mode: 'smoke',
      only: ['issuance', 'handshakes', 'pinned', 'scale', 'footprint'],
      signal: AbortSignal.timeout(235_000),
    })
    const { issuance, handshakes, pinned, scale, footprint } = results
    const sizes = SMOKE_SIZES

    expect(issuance?.issuers.map((i) => i.id)).toEqual([
      'hello',
      'go-seed',
      'acme-client',
      'autotls-acme',
    ])
    expect(issuance?.noDelay.map((i) => i.id)).toEqual(issuance?.issuers.map((i) => i.id))
    for (const issuer of [...(issuance?.issuers ?? []), ...(issuance?.noDelay ?? [])]) {
      expect(issuer.sequentialMs).toHaveLength(sizes.issuance.rounds * sizes.issuance.sequential)
      expect(issuer.concurrentMs).toHaveLength(sizes.issuance.rounds * sizes.issuance.concurrent)
      expect(positive(issuer.sequentialMs) && positive(issuer.concurrentWallMs)).toBe(true)
      // An order costs at least newOrder, authorization, challenge, finalize and certificate.
      expect(Math.min(...issuer.requestsPerOrder)).toBeGreaterThanOrEqual(5)
    }

    expect(handshakes?.servers.map((s) => s.id)).toEqual([
      'hello-1',
      'plain',
      'hello-default',
      'hello-all',
      'go-seed',
    ])
    for (const server of handshakes?.servers ?? []) {
      expect(positive(server.fullHandshakeRps) && positive(server.keepAliveRps)).toBe(true)
    }

    // Pinned: server on CPU 0, Go client and h2load on CPU 1, this Node only in smoke mode.
    const major = process.versions.node.split('.')[0]
    expect(pinned?.servers.map((s) => s.id)).toEqual([
      `plain-${major}`,
      `hello-${major}`,
      'go-seed',
    ])
    expect(pinned?.loads.map((l) => l.id)).toEqual([
      'go-full-c4',
      'h2load-full-c4',
      'h2load-keepalive-c4',
    ])
    for (const server of pinned?.servers ?? []) {
      for (const load of pinned?.loads ?? []) {
        expect(server.perSecond[load.id]).toHaveLength(sizes.pinned.rounds)
        expect(positive(server.perSecond[load.id] ?? [])).toBe(true)
      }
      expect(positive(server.cpuUsPerRequest['go-full-c4'] ?? [])).toBe(true)
    }
    expect(pinned?.negotiated['go-seed']).toMatch(/^TLS 1\.3, /)

    // Scale: this Node only in smoke mode, server on CPU 0 and this process (the client) on CPU 1.
    expect(scale?.pinned).toBe(true)
    expect(scale?.nodes.map((n) => n.node.major)).toEqual([Number(major)])
    for (const { one, many } of scale?.nodes ?? []) {
      for (const figures of [one, many]) {
        expect(positive(figures.listeningMs) && positive(figures.rssBytes)).toBe(true)
        // /proc counts CPU time in ticks: five handshakes may take less than one.
        expect(figures.randomCpuUsPerHandshake.every((us) => us >= 0)).toBe(true)
        expect(figures.randomHandshakeMs).toHaveLength(
          sizes.scale.rounds * sizes.scale.randomHandshakes,
        )
      }
      expect(one.firstHandshakeMs).toHaveLength(sizes.scale.rounds)
      expect(many.firstHandshakeMs).toHaveLength(sizes.scale.rounds * sizes.scale.names)
    }

    for (const server of footprint?.servers ?? []) {
      // A real server process holds megabytes; a zero would mean /proc was not read.
      expect(Math.min(...server.idleRssBytes)).toBeGreaterThan(2 ** 20)
    }
    expect(footprint?.goBinaryBytes).toBeGreaterThan(2 ** 20)
  })

  it('renders every section and no verdicts', () => {
    const report = renderReport(results)
    for (const heading of [
      '## 1. Issuance',
      '## 2. Handshakes',
      '## 3. Scale',
      '## 4. Footprint',
    ]) {
      expect(report).toContain(heading)
    }
    expect(report).not.toContain('## Budgets')
    expect(report).not.toContain('NaN')
  })

  it('renders the pinned handshakes with ratios to plain Node and the Go seed', () => {
    if (!results.pinned) throw new Error('the pinned benchmark did not run')
    const section = renderPinnedHandshakes(results.pinned)
    expect(section).toContain('## Handshakes per core (pinned)')
    expect(section).toContain('apps/hello ÷ plain node:https')
    expect(section).toContain('apps/hello ÷ Go seed')
    expect(section).toContain('µs/req')
    expect(section).not.toContain('NaN')
  })
})
