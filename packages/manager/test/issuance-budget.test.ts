import { randomBytes } from 'node:crypto'
import { connect } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { type Env, handshake, startEnv } from './helpers/env.js'

let env: Env
let server: ManagedServer

beforeAll(async () => {
  env = await startEnv(
    {},
    {
      keyTypes: ['ec-p256'],
      hosts: ['*.budget.test', 'held.test'],
      issuanceBudget: { maxOrders: 6, windowMs: 3_600_000 },
    },
  )
  server = env.manager.createServer()
  await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
})

afterAll(async () => {
  await env?.manager.close()
  await env?.pebble.stop()
})

/** 'ok' when the handshake completed, else the client's error message. */
function attempt(servername: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(
      { host: '127.0.0.1', port: env.pebble.tlsPort, servername, ca: env.roots },
      () => {
        socket.destroy()
        resolve('ok')
      },
    )
    socket.setTimeout(30_000, () => socket.destroy(new Error('timed out')))
    socket.on('error', (error) => resolve(error.message))
  })
}

describe('the issuance budget, against Pebble', () => {
  it('1,000 handshakes for random subdomains of a pattern place no more orders than the budget; a held name keeps being served throughout', async () => {
    const held = await handshake(env.pebble.tlsPort, 'held.test', { ca: env.roots })
    const orders = env.pebble.orderCount()
    const outcomes: string[] = []
    for (let batch = 0; batch < 20; batch++) {
      const names = Array.from(
        { length: 50 },
        () => `${randomBytes(6).toString('hex')}.budget.test`,
      )
      const [results, again] = await Promise.all([
        Promise.all(names.map(attempt)),
        handshake(env.pebble.tlsPort, 'held.test', { ca: env.roots }),
      ])
      outcomes.push(...results)
      expect(again.serialNumber).toBe(held.serialNumber)
    }
    const placed = env.pebble.orderCount() - orders
    expect(placed).toBeLessThanOrEqual(5)
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(placed)
    expect(outcomes.filter((o) => /internal error/.test(o)).length).toBe(1000 - placed)
    expect(env.manager.counters().ordersPlaced).toBe(placed + 1)
    const refusedOverBudget = env.events.filter(
      (e) => e.type === 'refused' && e.reason === 'over-budget',
    )
    expect(refusedOverBudget).toHaveLength(1000 - placed)
    const warnings = env.logger.lines.filter(
      (l) => l.startsWith('warn') && l.includes('issuance budget'),
    )
    expect(warnings.length).toBeGreaterThan(0)
    expect(warnings.length).toBeLessThanOrEqual(20)
    expect(warnings[0]).toMatch(
      /raise issuanceBudget\.maxOrders if these names are yours, or narrow hosts/,
    )
  })
})
