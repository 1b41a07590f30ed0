// The wildcard benchmark at its smoke size (one round per Pebble), so it cannot rot: BIND and
// Knot start, apps/hello obtains a wildcard certificate over DNS-01 by environment, @autotls/acme
// obtains one against each server, and the report renders. Figures are only checked to be
// measured and plausible, never against a time.
import { describe, expect, it } from 'vitest'
import type { BenchResults } from '../src/bench-results.js'
import { renderReport } from '../src/render-report.js'
import { runBenchmarks } from '../src/run-benchmarks.js'

describe('wildcard benchmark in smoke mode', () => {
  let results: BenchResults

  it('times the first wildcard certificate through apps/hello and @autotls/acme, with the exact-name baseline', {
    timeout: 180_000,
  }, async () => {
    results = await runBenchmarks({
      mode: 'smoke',
      only: ['wildcard'],
      signal: AbortSignal.timeout(175_000),
    })
    const { wildcard } = results
    expect(wildcard?.dnsServers).toMatch(/^BIND 9\.\d+\.\d+, Knot DNS \d+\.\d+\.\d+$/)
    for (const pass of [wildcard?.issuers, wildcard?.noDelay]) {
      expect(pass?.map((f) => f.id)).toEqual([
        'hello-wildcard',
        'hello-exact',
        'acme-bind',
        'acme-knot',
      ])
      for (const figures of pass ?? []) {
        expect(figures.ms).toHaveLength(1)
        expect(figures.ms.every((v) => Number.isFinite(v) && v > 0)).toBe(true)
        // newOrder, an authorization, a challenge, finalize and the certificate at the least; a
        // wildcard order has two authorizations and two challenges.
        expect(Math.min(...figures.requests)).toBeGreaterThanOrEqual(
          figures.id === 'hello-exact' ? 5 : 7,
        )
      }
    }
    expect(results.issuance).toBeUndefined()
  })

  it('renders its section with the baseline ratio and no other section', () => {
    const report = renderReport(results)
    expect(report).toContain('## 5. Wildcard certificates over DNS-01: time to the first one')
    expect(report).toContain('BIND 9.')
    expect(report).toContain('÷ apps/hello, exact name (tls-alpn-01)')
    expect(report).toMatch(/DNS-01 \(BIND\)\s*\|.*\|\s*\d+\.\d\d×\s*\|/)
    expect(report).not.toContain('## 1. Issuance')
    expect(report).not.toContain('NaN')
  })
})
