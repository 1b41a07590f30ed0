import { X509Certificate } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { type Env, handshake, startEnv } from './helpers/env.js'

let env: Env
let server: ManagedServer

beforeAll(async () => {
  // No authorization reuse: every order must solve a challenge.
  env = await startEnv({ authzReusePercent: 0 })
  server = env.manager.createServer((_req, res) => res.end('hello'))
  await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
})

afterAll(async () => {
  await env?.manager.close()
  await env?.pebble.stop()
})

describe('on-demand issuance over tls-alpn-01 (rfc8737)', () => {
  it('a cold handshake obtains a certificate the client verifies against Pebble’s root and the name', async () => {
    const orders = env.pebble.orderCount()
    const cert = await handshake(env.pebble.tlsPort, 'cold.test', { ca: env.roots })
    expect(cert.subjectaltname).toBe('DNS:cold.test')
    expect(cert.bits).toBe(256)
    expect(env.pebble.orderCount()).toBe(orders + 1)
    expect(env.events).toContainEqual(
      expect.objectContaining({ type: 'obtained', name: 'cold.test', keyType: 'ec-p256' }),
    )
  })

  it('100 concurrent handshakes for one new name make exactly one order', async () => {
    const orders = env.pebble.orderCount()
    const certs = await Promise.all(
      Array.from({ length: 100 }, () =>
        handshake(env.pebble.tlsPort, 'herd.test', { ca: env.roots }),
      ),
    )
    expect(new Set(certs.map((c) => c.serialNumber)).size).toBe(1)
    expect(env.pebble.orderCount()).toBe(orders + 1)
  })

  it('serves RSA to a client limited to RSA signature algorithms and ECDSA to a default client, on TLS 1.2 and 1.3', async () => {
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      const ecdsa = await handshake(env.pebble.tlsPort, 'keytype.test', {
        ca: env.roots,
        maxVersion,
      })
      expect(new X509Certificate(ecdsa.raw).publicKey.asymmetricKeyType).toBe('ec')
      const rsa = await handshake(env.pebble.tlsPort, 'keytype.test', {
        ca: env.roots,
        maxVersion,
        sigalgs: 'RSA-PSS+SHA256:RSA+SHA256',
      })
      expect(new X509Certificate(rsa.raw).publicKey.asymmetricKeyType).toBe('rsa')
      expect(rsa.subjectaltname).toBe('DNS:keytype.test')
    }
  })

  it('while a tls-alpn-01 challenge is pending for a name that has a certificate, normal clients still get the real one', async () => {
    let old = await handshake(env.pebble.tlsPort, 'pending.test', { ca: env.roots })
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let published: () => void = () => {}
    const publishedPromise = new Promise<void>((resolve) => {
      published = resolve
    })
    env.store.holdPut = (key) => {
      if (key !== 'v1/challenges/tls-alpn-01/pending.test') return undefined
      published()
      return held
    }
    // Pebble reuses a valid authorization about once in a hundred orders even with
    // PEBBLE_AUTHZREUSE=0; such a renewal needs no challenge, so renew again until one is pending.
    let renewal = env.manager.renew('pending.test')
    for (let attempt = 1; ; attempt++) {
      const first = await Promise.race([
        publishedPromise.then(() => 'published' as const),
        renewal.then(() => 'renewed' as const),
      ])
      if (first === 'published') break
      expect(attempt).toBeLessThan(5)
      old = await handshake(env.pebble.tlsPort, 'pending.test', { ca: env.roots })
      renewal = env.manager.renew('pending.test')
    }
    // The answer is in memory now; the CA cannot have validated yet (the cache write is held).
    const challenge = await handshake(env.pebble.tlsPort, 'pending.test', {
      ALPNProtocols: ['acme-tls/1'],
      rejectUnauthorized: false,
    })
    expect(challenge.alpn).toBe('acme-tls/1')
    expect(challenge.serialNumber).not.toBe(old.serialNumber)
    // RFC 8737 §3: one SAN for the name and the critical id-pe-acmeIdentifier extension.
    expect(challenge.subjectaltname).toBe('DNS:pending.test')
    const acmeIdentifierOid = Buffer.from([
      0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x1f,
    ])
    expect(challenge.raw.includes(acmeIdentifierOid)).toBe(true)
    for (let i = 0; i < 5; i++) {
      const normal = await handshake(env.pebble.tlsPort, 'pending.test', { ca: env.roots })
      expect(normal.serialNumber).toBe(old.serialNumber)
    }
    env.store.holdPut = undefined
    release()
    await renewal
    const renewed = await handshake(env.pebble.tlsPort, 'pending.test', { ca: env.roots })
    expect(renewed.serialNumber).not.toBe(old.serialNumber)
    expect(env.events).toContainEqual(
      expect.objectContaining({ type: 'renewed', name: 'pending.test', adopted: false }),
    )
  })
})
