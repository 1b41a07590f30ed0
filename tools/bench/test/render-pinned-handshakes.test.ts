import { describe, expect, it } from 'vitest'
import type { NodeBinary } from '../src/node-binary.js'
import { checkPinnedBudgets } from '../src/pinned-budgets.js'
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

describe('pinned budgets (issue 16)', () => {
  const node24: NodeBinary = { path: '/n24', version: 'v24.22.3', major: 24, openssl: '3.5.9' }
  const loads = pinnedLoads([4, 16])
  const server = (
    id: string,
    kind: 'plain' | 'hello' | 'go-seed',
    node: NodeBinary | null,
    rate: number,
  ) => ({
    id,
    kind,
    label: id,
    node,
    perSecond: Object.fromEntries(loads.map((l) => [l.id, [rate, rate]])),
    cpuUsPerRequest: {},
  })

  it('checks hello against plain Node per Node major and against the Go seed on Node 24', () => {
    const result: PinnedHandshakeResult = {
      sizes: { rounds: 2, durationS: 1, connections: [4, 16], node24: true },
      loads,
      servers: [
        server('plain-20', 'plain', node20, 1000),
        server('hello-20', 'hello', node20, 960),
        server('plain-24', 'plain', node24, 1000),
        server('hello-24', 'hello', node24, 940),
        server('go-seed', 'go-seed', null, 1000),
      ],
      negotiated: {},
    }
    const checks = checkPinnedBudgets(result)
    expect(checks.map((c) => [c.budget.split(':')[0], c.met])).toEqual([
      ['Pinned full handshakes, Go client, 4 connections, Node 20', true],
      ['Pinned full handshakes, Go client, 16 connections, Node 20', true],
      ['Pinned keep-alive requests, 16 connections, Node 20', true],
      ['Pinned full handshakes, Go client, 4 connections, Node 24', false],
      ['Pinned full handshakes, Go client, 16 connections, Node 24', false],
      ['Pinned keep-alive requests, 16 connections, Node 24', false],
      ['Pinned full handshakes, Go client, 16 connections', true],
    ])
  })
})
