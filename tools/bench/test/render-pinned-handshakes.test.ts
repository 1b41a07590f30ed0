import { describe, expect, it } from 'vitest'
import type { NodeBinary } from '../src/node-binary.js'
import { type PinnedHandshakeResult, pinnedLoads } from '../src/pinned-handshake-bench.js'
import { pairedRatio, renderPinnedHandshakes } from '../src/render-pinned-handshakes.js'

const node20: NodeBinary = { path: '/n20', version: 'v20.20.2', major: 20, openssl: '3.0.19' }

describe('pinned handshake report', () => {
  it('pairs each round with its own round before taking the median', () => {
    // Load drifted between rounds; each round's ratio is 0.9, whatever the level.
    expect(pairedRatio([90, 450, 45], [100, 500, 50])).toBeCloseTo(0.9)
    expect(pairedRatio([1], [])).toBeNaN()
  })

  it('loads every server with both clients at each size, keep-alive at the largest', () => {
    expect(pinnedLoads([4, 16]).map((l) => l.id)).toEqual([
      'go-full-c4',
      'h2load-full-c4',
      'go-full-c16',
      'h2load-full-c16',
      'h2load-keepalive-c16',
    ])
  })

  it('renders rates, ratios to plain Node of the same major and to the Go seed, and CPU per request', () => {
    const loads = pinnedLoads([4])
    const figures = (rate: number, cpu: number) => ({
      perSecond: Object.fromEntries(loads.map((l) => [l.id, [rate, rate * 2]])),
      cpuUsPerRequest: { 'go-full-c4': [cpu, cpu] },
    })
    const result: PinnedHandshakeResult = {
      sizes: { rounds: 2, durationS: 1, connections: [4], node24: false },
      loads,
      servers: [
        { id: 'plain-20', kind: 'plain', label: 'plain', node: node20, ...figures(1000, 400) },
        { id: 'hello-20', kind: 'hello', label: 'hello', node: node20, ...figures(900, 440) },
        { id: 'go-seed', kind: 'go-seed', label: 'Go seed', node: null, ...figures(1200, 350) },
      ],
      negotiated: { 'go-seed': 'TLS 1.3, X25519MLKEM768' },
    }
    const text = renderPinnedHandshakes(result)
    expect(text).toMatch(/\| apps\/hello ÷ plain node:https, Node 20 +\| 0\.90× /)
    expect(text).toMatch(/\| apps\/hello ÷ Go seed, Node 20 +\| 0\.75× /)
    expect(text).toMatch(/\| hello +\| 440 /)
    expect(text).toContain('go-seed TLS 1.3, X25519MLKEM768')
    expect(text).not.toContain('NaN')
  })
})
