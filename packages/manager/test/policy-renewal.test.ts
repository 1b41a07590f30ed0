import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { type Env, handshake, startEnv } from './helpers/env.js'

let env: Env
let server: ManagedServer
const allowed = new Set(['kept.test', 'gone.test'])

beforeAll(async () => {
  // 8-second certificates: renewal is due at half the lifetime (under ten days), about 4 s in.
  env = await startEnv(
    { certificateValidityPeriod: 8 },
    { keyTypes: ['ec-p256'], hosts: (name) => allowed.has(name) },
  )
  server = env.manager.createServer()
  await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
})

afterAll(async () => {
  await env?.manager.close()
  await env?.pebble.stop()
})

describe('renewal asks the host policy again', () => {
  it('a name removed from a function policy is not renewed at its next renewal point and its state is gone', async () => {
    await handshake(env.pebble.tlsPort, 'kept.test', { ca: env.roots })
    await handshake(env.pebble.tlsPort, 'gone.test', { ca: env.roots })
    expect(
      env.manager
        .certificates()
        .map((c) => c.name)
        .sort(),
    ).toEqual(['gone.test', 'kept.test'])
    allowed.delete('gone.test')
    const orders = env.pebble.orderCount()
    const deadline = Date.now() + 15_000
    const done = (): boolean =>
      env.events.some((e) => e.type === 'renewed' && e.name === 'kept.test') &&
      env.logger.lines.some((l) => l.includes('gone.test is no longer allowed'))
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(env.logger.lines).toContainEqual(
      expect.stringMatching(
        /^info gone\.test is no longer allowed by the host policy: not renewing it/,
      ),
    )
    expect(env.events.filter((e) => e.type === 'renewed').map((e) => e.name)).toEqual(['kept.test'])
    expect(env.pebble.orderCount()).toBe(orders + 1)
    expect(env.manager.certificates().map((c) => c.name)).toEqual(['kept.test'])
    await expect(handshake(env.pebble.tlsPort, 'gone.test', { ca: env.roots })).rejects.toThrow(
      /unrecognized name/,
    )
  }, 30_000)
})
