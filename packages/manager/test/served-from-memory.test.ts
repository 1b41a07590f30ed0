import { X509Certificate } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:tls'
import { certificateKey, memoryCache } from '@autotls/cache'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { createManager, type Manager } from '../src/manager.js'
import { encodeStoredCertificate } from '../src/stored-certificate.js'
import { memoryLogger } from './helpers/env.js'
import { selfSigned } from './helpers/self-signed.js'

// Handshakes answered from memory on createServer()'s server, with real TLS clients: the first
// certificate served becomes the inner server's own context (no SSL_CTX switch for it), which
// must never hand one name's certificate to another, nor an expired one to anybody.

const clock = { now: Date.now() }
let manager: Manager
let server: ManagedServer
let port: number
let notAfter: number

beforeAll(async () => {
  const cache = memoryCache()
  for (const name of ['a.test', 'b.test']) {
    const { key, cert } = await selfSigned(name, 'ec')
    notAfter = Date.parse(new X509Certificate(cert).validTo)
    await cache.put(certificateKey(name, 'ec-p256'), encodeStoredCertificate(key, cert))
  }
  manager = createManager({
    hosts: ['a.test', 'b.test'],
    cache,
    keyTypes: ['ec-p256'],
    // Nothing answers here: a certificate that is not in the cache cannot be had.
    directoryUrl: 'http://127.0.0.1:9/directory',
    acceptTerms: true,
    handshakeTimeoutMs: 1000,
    now: () => clock.now,
    logger: memoryLogger(),
  })
  server = manager.createServer((_req, res) => res.end('ok'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})

afterAll(async () => {
  await manager?.close()
})

/** The subject CN of the certificate served for `servername`, or the handshake's error. */
function servedTo(servername: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(
      { host: '127.0.0.1', port, servername, rejectUnauthorized: false },
      () => {
        const cn = socket.getPeerCertificate().subject.CN
        socket.destroy()
        resolve(`CN=${cn}`)
      },
    )
    socket.on('error', (error) => resolve(error.message))
  })
}

describe('handshakes served from memory on createServer()', () => {
  it('concurrent handshakes for two names each get their own certificate, first handshakes included', async () => {
    const names = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'a.test' : 'b.test'))
    const served = await Promise.all(names.map((name) => servedTo(name)))
    expect(served).toEqual(names.map((name) => `CN=${name}`))
    // Again, now that one of them is the server's own context.
    const again = await Promise.all(names.map((name) => servedTo(name)))
    expect(again).toEqual(names.map((name) => `CN=${name}`))
    expect(manager.counters().servedFromCache).toBe(2)
    expect(manager.counters().servedFromMemory).toBeGreaterThanOrEqual(78)
  })

  it('a name spelled differently (case, trailing dot) is served the same certificate', async () => {
    expect(await servedTo('A.Test')).toBe('CN=a.test')
    expect(await servedTo('b.test.')).toBe('CN=b.test')
  })

  it('once the certificate held in memory has expired, it is not served: the handshake is refused', async () => {
    clock.now = notAfter + 1000
    expect(await servedTo('a.test')).toMatch(/internal error/)
    expect(await servedTo('b.test')).toMatch(/internal error/)
  })
})
