import { connect as netConnect, type Socket } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { nodeHello } from './helpers/capture-hello.js'
import { type Env, handshake, startEnv } from './helpers/env.js'

const DEADLINE_MS = 2000
let env: Env
let server: ManagedServer

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

beforeAll(async () => {
  env = await startEnv({}, { keyTypes: ['ec-p256'], tlsHandshakeTimeoutMs: DEADLINE_MS })
  server = env.manager.createServer()
  await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
  await handshake(env.pebble.tlsPort, 'stall.test', { ca: env.roots })
})

afterAll(async () => {
  await env?.manager.close()
  await env?.pebble.stop()
})

/** Opens a connection, sends `bytes`, and then nothing: resolves how long until the server closed it. */
function stall(bytes: Buffer): { socket: Promise<Socket>; closedAfterMs: Promise<number> } {
  let opened: (socket: Socket) => void = () => {}
  const socket = new Promise<Socket>((resolve) => {
    opened = resolve
  })
  const closedAfterMs = new Promise<number>((resolve) => {
    const s = netConnect(env.pebble.tlsPort, '127.0.0.1', () => {
      const sentAt = performance.now()
      s.write(bytes)
      s.on('close', () => resolve(performance.now() - sentAt))
      opened(s)
    })
    s.on('data', () => {})
    s.on('error', () => {})
  })
  return { socket, closedAfterMs }
}

function heapUsed(): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

describe('one handshake deadline from accept to secure connection (issue 20)', () => {
  it('300 clients that send a complete ClientHello and stall are all closed within the deadline + 1 s; memory returns to within 10 %', async () => {
    const hello = await nodeHello({ servername: 'stall.test' })
    const before = heapUsed()
    const stalled = Array.from({ length: 300 }, () => stall(hello))
    const waited = await Promise.all(stalled.map((s) => s.closedAfterMs))
    expect(Math.max(...waited)).toBeLessThan(DEADLINE_MS + 1000)
    expect(Math.min(...waited)).toBeGreaterThanOrEqual(DEADLINE_MS - 100)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(server.connectionCount).toBe(0)
    const after = heapUsed()
    expect(Math.abs(after - before) / before).toBeLessThan(0.1)
  }, 30_000)

  it('closeAllConnections() destroys every accepted socket, whatever its phase: a close with a grace period is bounded', async () => {
    const hello = await nodeHello({ servername: 'stall.test' })
    const sockets = [
      ...Array.from({ length: 50 }, () => stall(hello)),
      ...Array.from({ length: 50 }, () => stall(hello.subarray(0, 20))),
    ]
    await Promise.all(sockets.map((s) => s.socket))
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(server.connectionCount).toBe(100)
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeAllConnections()
    const waited = await Promise.all(sockets.map((s) => s.closedAfterMs))
    await closed
    expect(Math.max(...waited)).toBeLessThan(DEADLINE_MS - 500)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(server.connectionCount).toBe(0)
  })
})
