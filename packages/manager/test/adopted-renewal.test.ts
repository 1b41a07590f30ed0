import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { type Env, handshake, startEnv } from './helpers/env.js'

let env: Env
let server: ManagedServer

beforeAll(async () => {
  env = await startEnv({}, { keyTypes: ['ec-p256'] })
  server = env.manager.createServer()
  await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
})

afterAll(async () => {
  await env?.manager.close()
  await env?.pebble.stop()
})

describe('the certificate a createServer() server adopted as its own context', () => {
  it('renew() of it: the next handshake presents the renewed certificate, and so do the later ones', async () => {
    const port = env.pebble.tlsPort
    // The first name the server serves: its certificate becomes the server's own context.
    const first = await handshake(port, 'adopted.test', { ca: env.roots })
    expect((await handshake(port, 'adopted.test', { ca: env.roots })).serialNumber).toBe(
      first.serialNumber,
    )
    await env.manager.renew('adopted.test')
    const renewed = await handshake(port, 'adopted.test', { ca: env.roots })
    expect(renewed.serialNumber).not.toBe(first.serialNumber)
    for (let i = 0; i < 3; i++) {
      const later = await handshake(port, 'adopted.test', { ca: env.roots })
      expect(later.serialNumber).toBe(renewed.serialNumber)
    }
    expect(env.events).toContainEqual(
      expect.objectContaining({ type: 'renewed', name: 'adopted.test' }),
    )
  })
})
