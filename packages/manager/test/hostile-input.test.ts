import { randomBytes } from 'node:crypto'
import { connect as netConnect } from 'node:net'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { nodeHello } from './helpers/capture-hello.js'
import { CountingStore, type Env, handshake, startEnv } from './helpers/env.js'

let env: Env
let server: ManagedServer
const noIdentityCheck = { checkServerIdentity: () => undefined }

beforeAll(async () => {
  env = await startEnv(
    {},
    { hosts: ['norm.test', 'bücher.test', 'hostile.test'], helloTimeoutMs: 2000 },
    new CountingStore(),
  )
  server = env.manager.createServer((_req, res) => res.end('ok'))
  await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
})

afterAll(async () => {
  await env?.manager.close()
  await env?.pebble.stop()
})

/** Sends `bytes` on a fresh connection, half-closes, and resolves when the server closes it. */
function sendRaw(bytes: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    const socket = netConnect(env.pebble.tlsPort, '127.0.0.1', () => socket.end(bytes))
    socket.on('error', () => {})
    socket.on('data', () => {})
    socket.on('close', () => resolve())
  })
}

describe('bad server names', () => {
  it('fail that handshake with zero orders and zero cache reads', async () => {
    const orders = env.pebble.orderCount()
    env.store.gets = []
    const bad = [
      '..',
      'a..b',
      '../x',
      'x/y',
      'a'.repeat(300),
      '127.0.0.1',
      'outside.test',
      'sub.norm.test',
    ]
    for (const servername of bad) {
      await expect(handshake(env.pebble.tlsPort, servername, noIdentityCheck)).rejects.toThrow()
    }
    // No SNI at all, and a name with a NUL byte (patched into a real hello of the same length).
    await expect(handshake(env.pebble.tlsPort, '', noIdentityCheck)).rejects.toThrow()
    const hello = Buffer.from(await nodeHello({ servername: 'nulnul.test' }))
    const at = hello.indexOf('nulnul.test')
    hello.write('nul\0ul.test', at, 'latin1')
    await sendRaw(hello)
    for (const name of ['..', 'a\0b.test', '', '127.0.0.1', 'outside.test', 'x/y']) {
      await expect(env.manager.secureContext(name)).rejects.toMatchObject({
        code: expect.stringMatching(/^ERR_MANAGER_(INVALID_NAME|HOST_NOT_ALLOWED)$/),
      })
    }
    expect(env.store.gets.filter((key) => key.startsWith('v1/certs/'))).toEqual([])
    expect(env.pebble.orderCount()).toBe(orders)
  })

  it('uppercase, a trailing dot and unicode are normalised before the policy and the cache', async () => {
    const orders = env.pebble.orderCount()
    const upper = await handshake(env.pebble.tlsPort, 'NORM.TEST', {
      ca: env.roots,
      ...noIdentityCheck,
    })
    const dotted = await handshake(env.pebble.tlsPort, 'norm.test.', {
      ca: env.roots,
      ...noIdentityCheck,
    })
    expect(upper.subjectaltname).toBe('DNS:norm.test')
    expect(dotted.serialNumber).toBe(upper.serialNumber)
    const unicode = await handshake(env.pebble.tlsPort, 'bücher.test', {
      ca: env.roots,
      ...noIdentityCheck,
    })
    expect(unicode.subjectaltname).toBe('DNS:xn--bcher-kva.test')
    expect(env.pebble.orderCount()).toBe(orders + 2)
  })
})

describe('hostile ClientHellos', () => {
  it('10,000 of them (random bytes, cut records, oversized extensions, mutations) leave the server serving normal clients', async () => {
    const real = [
      Buffer.from(
        await nodeHello({ servername: 'hostile.test', ALPNProtocols: ['h2', 'http/1.1'] }),
      ),
      Buffer.from(await nodeHello({ servername: 'hostile.test', ALPNProtocols: ['acme-tls/1'] })),
    ]
    const inputs: Uint8Array[] = []
    for (const hello of real)
      for (let end = 1; end < hello.length; end++) inputs.push(hello.subarray(0, end))
    const extensionsAt = 5 + 4 + 2 + 32 + 1 + 32
    for (let i = 0; inputs.length < 4000; i++) {
      const hello = Buffer.from(real[i % 2] as Buffer)
      // Overstate one length field somewhere in the extensions block.
      const at = extensionsAt + (i % (hello.length - extensionsAt - 2))
      hello.writeUInt16BE(0xff00 + (i % 256), at)
      inputs.push(hello)
    }
    inputs.push(
      ...fc.sample(fc.uint8Array({ minLength: 1, maxLength: 700 }), { numRuns: 3000, seed: 42 }),
    )
    while (inputs.length < 10_000) {
      const hello = Buffer.from(real[inputs.length % 2] as Buffer)
      const at = 5 + Math.floor(Math.random() * (hello.length - 5))
      randomBytes(1 + (inputs.length % 4)).copy(hello, at)
      inputs.push(hello)
    }
    let next = 0
    let normal = 0
    const worker = async (): Promise<void> => {
      for (let input = inputs[next++]; input; input = inputs[next++]) await sendRaw(input)
    }
    const normalClient = async (): Promise<void> => {
      while (next < inputs.length) {
        const cert = await handshake(env.pebble.tlsPort, 'hostile.test', { ca: env.roots })
        expect(cert.subjectaltname).toBe('DNS:hostile.test')
        normal++
      }
    }
    const started = Date.now()
    await Promise.all([...Array.from({ length: 64 }, worker), normalClient()])
    const elapsed = Date.now() - started
    expect(normal).toBeGreaterThan(3)
    expect(await handshake(env.pebble.tlsPort, 'hostile.test', { ca: env.roots })).toMatchObject({
      subjectaltname: 'DNS:hostile.test',
    })
    expect(server.listening).toBe(true)
    console.log(
      `10,000 hostile hellos in ${elapsed} ms; ${normal} normal handshakes succeeded meanwhile`,
    )
  }, 120_000)
})
