import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { type Env, handshake, startEnv } from './helpers/env.js'

let env: Env
let server: ManagedServer

beforeAll(async () => {
  // 30-second certificates: renewal is due at half the lifetime (under ten days), about 15 s in,
  // or inside the renewal window a Pebble with ARI (2.6+) suggests, which ends before expiry;
  // the margin leaves room for a slow issuance on a loaded machine.
  env = await startEnv({ certificateValidityPeriod: 30 }, { keyTypes: ['ec-p256'] })
  server = env.manager.createServer()
  await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
})

afterAll(async () => {
  await env?.manager.close()
  await env?.pebble.stop()
})

describe('renewal', () => {
  it('renews a short certificate before it expires and a client handshaking in a loop never fails', async () => {
    const first = await handshake(env.pebble.tlsPort, 'renew.test', { ca: env.roots })
    const lifetime = Date.parse(first.valid_to) - Date.parse(first.valid_from)
    expect(lifetime).toBeLessThanOrEqual(31_000)
    const serials = new Set([first.serialNumber])
    let handshakes = 0
    const deadline = Date.parse(first.valid_to) - 500
    let switchedAt = 0
    while (Date.now() < deadline && (switchedAt === 0 || handshakes < switchedAt + 20)) {
      const cert = await handshake(env.pebble.tlsPort, 'renew.test', { ca: env.roots })
      handshakes++
      if (!serials.has(cert.serialNumber) && switchedAt === 0) switchedAt = handshakes
      serials.add(cert.serialNumber)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    expect(switchedAt).toBeGreaterThan(0)
    expect(serials.size).toBe(2)
    expect(env.events.filter((e) => e.type === 'renewed')).toHaveLength(1)
    expect(env.events.filter((e) => e.type === 'failed')).toEqual([])
  }, 45_000)
})
