import { randomBytes } from 'node:crypto'
import { connect as netConnect } from 'node:net'
import { type ConnectionOptions, connect, createServer, type Server } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeHello } from '../test/helpers/capture-hello.js'
import { selfSigned } from '../test/helpers/self-signed.js'
import { chooseKeyType } from './client-key-type.js'
import { ConnectionRouter } from './connection-router.js'
import type { ManagerError } from './errors.js'

let router: ConnectionRouter
let port: number
const rejected: string[] = []

function peerKeyType(options: ConnectionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port, rejectUnauthorized: false, ...options },
      () => {
        const cert = socket.getPeerCertificate()
        const protocol = socket.alpnProtocol
        socket.end()
        resolve(`${cert.subject.CN}/${cert.pubkey && cert.bits === 256 ? 'ec' : 'rsa'}/${protocol}`)
      },
    )
    socket.on('error', reject)
  })
}

beforeAll(async () => {
  const [ec, rsa, challenge] = await Promise.all([
    selfSigned('app.test', 'ec'),
    selfSigned('app.test', 'rsa'),
    selfSigned('challenge.test', 'ec'),
  ])
  const appEc = createServer({ ...ec, ALPNProtocols: ['http/1.1'] }, (s) => s.end())
  const appRsa = createServer({ ...rsa, ALPNProtocols: ['http/1.1'] }, (s) => s.end())
  const challengeServer: Server = createServer(
    { ...challenge, ALPNProtocols: ['acme-tls/1'] },
    (s) => s.end(),
  )
  router = new ConnectionRouter({
    route: (hello) => {
      if (hello.serverName === 'drop.test') return null
      if (hello.serverName === 'refused.test') return Promise.resolve('unrecognized_name' as const)
      if (hello.serverName === 'broken.test') return Promise.reject(new Error('route failed'))
      if (hello.alpnProtocols?.length === 1 && hello.alpnProtocols[0] === 'acme-tls/1') {
        return challengeServer
      }
      return chooseKeyType(hello, ['ec-p256', 'rsa-2048']) === 'ec-p256' ? appEc : appRsa
    },
    helloTimeoutMs: 300,
    handshakeTimeoutMs: 600,
    onReject: (error: ManagerError) => rejected.push(error.code),
  })
  await new Promise<void>((resolve) => router.listen(0, '127.0.0.1', resolve))
  port = (router.address() as { port: number }).port
})

afterAll(() => new Promise<void>((resolve) => router.close(() => resolve())))

describe('ConnectionRouter', () => {
  it('rfc8737 §3: an acme-tls/1-only hello reaches the challenge server, which negotiates acme-tls/1', async () => {
    expect(await peerKeyType({ servername: 'x.test', ALPNProtocols: ['acme-tls/1'] })).toBe(
      'challenge.test/ec/acme-tls/1',
    )
  })

  it('serves the key type each client supports, on TLS 1.2 and TLS 1.3', async () => {
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      expect(await peerKeyType({ servername: 'app.test', maxVersion })).toBe('app.test/ec/false')
      expect(
        await peerKeyType({
          servername: 'app.test',
          maxVersion,
          sigalgs: 'RSA-PSS+SHA256:RSA+SHA256',
        }),
      ).toBe('app.test/rsa/false')
    }
  })

  it('a hello offering acme-tls/1 next to other protocols is normal traffic', async () => {
    expect(
      await peerKeyType({ servername: 'app.test', ALPNProtocols: ['acme-tls/1', 'http/1.1'] }),
    ).toBe('app.test/ec/http/1.1')
  })

  it('destroys sockets with garbage, early ends and slow hellos, and keeps serving', async () => {
    const before = rejected.length
    const closed = (write: (s: ReturnType<typeof netConnect>) => void): Promise<void> =>
      new Promise((resolve) => {
        const socket = netConnect(port, '127.0.0.1', () => write(socket))
        socket.on('error', () => {})
        socket.on('close', () => resolve())
      })
    await Promise.all([
      closed((s) => s.write('GET / HTTP/1.1\r\n\r\n')),
      closed((s) => s.write(randomBytes(64))),
      closed((s) => s.end(Buffer.from([0x16, 3, 1, 0, 80, 1]))),
      closed((s) => s.write(Buffer.from([0x16, 3, 1]))),
    ])
    expect(rejected.slice(before).sort()).toEqual([
      'ERR_MANAGER_CLIENT_HELLO_INCOMPLETE',
      'ERR_MANAGER_CLIENT_HELLO_INCOMPLETE',
      'ERR_MANAGER_CLIENT_HELLO_MALFORMED',
      'ERR_MANAGER_CLIENT_HELLO_MALFORMED',
    ])
    expect(await peerKeyType({ servername: 'app.test' })).toBe('app.test/ec/false')
  })

  it('closes the connection when route returns null', async () => {
    await expect(peerKeyType({ servername: 'drop.test' })).rejects.toThrow(
      /socket disconnected|ECONNRESET/,
    )
  })

  it('rfc8446 §6: answers a refused hello with the fatal alert route chose, and a failing route with internal_error', async () => {
    await expect(peerKeyType({ servername: 'refused.test' })).rejects.toThrow(/unrecognized name/)
    await expect(peerKeyType({ servername: 'broken.test' })).rejects.toThrow(/internal error/)
  })

  it('drops a client that sends its whole hello and then stalls, at the handshake deadline from accept', async () => {
    const hello = await nodeHello({ servername: 'app.test' })
    const stalled = netConnect(port, '127.0.0.1', () => stalled.write(hello))
    stalled.on('data', () => {})
    stalled.on('error', () => {})
    let answered = false
    stalled.once('data', () => {
      answered = true
    })
    await new Promise<void>((resolve) => stalled.once('close', () => resolve()))
    expect(answered).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(router.connectionCount).toBe(0)
  })

  it('destroyConnections() ends every accepted connection, whatever its phase', async () => {
    const partial = netConnect(port, '127.0.0.1', () => partial.write(Buffer.from([0x16, 3, 1])))
    partial.on('error', () => {})
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(router.connectionCount).toBe(1)
    const closed = new Promise<void>((resolve) => partial.once('close', () => resolve()))
    router.destroyConnections()
    await closed
  })
})
