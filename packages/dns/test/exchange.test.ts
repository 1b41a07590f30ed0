import { execFile } from 'node:child_process'
import { createSocket, type Socket } from 'node:dgram'
import { createServer, type Server } from 'node:net'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeMessage, encodeMessage, RR_CLASS, RR_TYPE, txtRdata } from '../src/dns-message.js'
import { exchange } from '../src/exchange.js'
import { parseServerAddress } from '../src/server-address.js'

const question = { name: 'big.test', type: RR_TYPE.TXT, class: RR_CLASS.IN }

/** A TCP listener and a UDP socket on the same free loopback port (retrying on a clash). */
async function udpAndTcpOnOnePort(): Promise<{ udp: Socket; tcp: Server; port: number }> {
  for (let attempt = 0; ; attempt++) {
    const tcp = createServer()
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject)
      tcp.listen(0, '127.0.0.1', resolve)
    })
    const port = (tcp.address() as { port: number }).port
    const udp = createSocket('udp4')
    const bound = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false))
      udp.bind(port, '127.0.0.1', () => resolve(true))
    })
    if (bound) return { udp, tcp, port }
    tcp.close()
    if (attempt === 20) throw new Error('no port free for both UDP and TCP')
  }
}

/** A UDP server that answers truncated, and a TCP server on the same port with the full answer. */
async function truncatingServer(): Promise<{
  port: number
  tcpQueries: () => number
  close: () => Promise<void>
}> {
  const { udp, tcp, port } = await udpAndTcpOnOnePort()
  udp.on('message', (msg, remote) => {
    const id = msg.readUInt16BE(0)
    const truncated = Buffer.from(encodeMessage({ id, questions: [question] }))
    truncated[2] = 0x82 // QR + TC
    udp.send(truncated, remote.port, remote.address)
  })
  let tcpQueries = 0
  tcp.on('connection', (socket) => {
    socket.once('data', (data) => {
      tcpQueries++
      const id = data.readUInt16BE(2)
      const full = Buffer.from(
        encodeMessage({
          id,
          questions: [question],
          answers: [{ ...question, ttl: 1, rdata: txtRdata('y'.repeat(1000)) }],
        }),
      )
      full[2] = 0x80
      const length = Buffer.alloc(2)
      length.writeUInt16BE(full.length)
      socket.end(Buffer.concat([length, full]))
    })
  })
  return {
    port,
    tcpQueries: () => tcpQueries,
    close: async () => {
      udp.close()
      await new Promise((resolve) => tcp.close(resolve))
    },
  }
}

describe('exchange', () => {
  const cleanups: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  it('rfc7766 §5: a truncated UDP answer is asked again over TCP', async () => {
    const server = await truncatingServer()
    cleanups.push(server.close)
    const request = encodeMessage({ id: 7, questions: [question] })
    const response = decodeMessage(
      await exchange(parseServerAddress(`127.0.0.1:${server.port}`), request, {
        signal: AbortSignal.timeout(5000),
      }),
    )
    expect(response.truncated).toBe(false)
    expect(response.answers[0]?.data).toBe('y'.repeat(1000))
    expect(server.tcpQueries()).toBe(1)
  })

  it('a server that never answers is ERR_DNS_TIMEOUT naming it; an abort is ERR_DNS_ABORTED', async () => {
    const silent = createSocket('udp4')
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve))
    cleanups.push(async () => {
      silent.close()
    })
    const server = parseServerAddress(`127.0.0.1:${silent.address().port}`)
    const request = encodeMessage({ id: 8, questions: [question] })
    await expect(
      exchange(server, request, { signal: new AbortController().signal, timeoutMs: 200 }),
    ).rejects.toMatchObject({ code: 'ERR_DNS_TIMEOUT', server: server.label })
    const abort = new AbortController()
    const pending = exchange(server, request, { signal: abort.signal, timeoutMs: 60_000 })
    abort.abort()
    await expect(pending).rejects.toMatchObject({ code: 'ERR_DNS_ABORTED', server: server.label })
  })

  it('times out while the garbage collector runs (AbortSignal.any of a timeout can be collected on Node 20)', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--expose-gc',
        '--conditions=@autotls/source',
        '--import',
        'tsx',
        'test/fixtures/timeout-under-gc.ts',
      ],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 20_000 },
    )
    expect(stdout.trim()).toBe('ERR_DNS_TIMEOUT')
  })
})
