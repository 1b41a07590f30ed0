import { randomBytes } from 'node:crypto'
import { connect as netConnect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { nodeHello } from './helpers/capture-hello.js'
import { type Env, handshake, startEnv } from './helpers/env.js'

let env: Env
let server: ManagedServer

beforeAll(async () => {
  env = await startEnv(
    {},
    { keyTypes: ['ec-p256'], helloTimeoutMs: 400, tlsHandshakeTimeoutMs: 800 },
  )
  server = env.manager.createServer()
  await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
  await handshake(env.pebble.tlsPort, 'stall.test', { ca: env.roots })
})

afterAll(async () => {
  await env?.manager.close()
  await env?.pebble.stop()
})

/** Opens a connection, writes `bytes`, then nothing; resolves once the server closed it. */
function sendAndWait(bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = netConnect(env.pebble.tlsPort, '127.0.0.1', () => socket.write(bytes))
    socket.on('data', () => {})
    socket.on('error', () => {})
    socket.on('close', () => resolve())
  })
}

function warnings(reason: string): string[] {
  return env.logger.lines.filter(
    (line) => line.startsWith('warn dropped a connection') && line.includes(`"${reason}"`),
  )
}

describe('dropped connections are counted, emitted and warned about at a bounded rate (issue 20)', () => {
  it('30 malformed hellos: 30 counted and emitted, one warn line', async () => {
    const before = env.manager.counters().dropped
    await Promise.all(Array.from({ length: 30 }, () => sendAndWait(randomBytes(64))))
    expect(env.manager.counters().dropped).toBe(before + 30)
    const events = env.events.filter(
      (event) => event.type === 'dropped' && event.reason === 'malformed-hello',
    )
    expect(events).toHaveLength(30)
    expect(events[0]).toMatchObject({
      name: '',
      error: { code: 'ERR_MANAGER_CLIENT_HELLO_MALFORMED' },
    })
    expect(warnings('malformed-hello')).toHaveLength(1)
  })

  it('a hello that never completes is dropped at the hello deadline as slow-hello', async () => {
    const before = env.manager.counters().dropped
    await Promise.all([
      sendAndWait(Buffer.from([0x16, 3, 1])),
      sendAndWait(Buffer.from([0x16, 3, 1, 0, 200, 1])),
    ])
    expect(env.manager.counters().dropped).toBe(before + 2)
    expect(
      env.events.filter((e) => e.type === 'dropped' && e.reason === 'slow-hello'),
    ).toHaveLength(2)
    expect(warnings('slow-hello')).toHaveLength(1)
  })

  it('a complete hello followed by silence is dropped at the handshake deadline, with its name', async () => {
    const hello = await nodeHello({ servername: 'stall.test' })
    await sendAndWait(hello)
    expect(env.events.filter((e) => e.type === 'dropped').at(-1)).toMatchObject({
      type: 'dropped',
      name: 'stall.test',
      reason: 'handshake-timeout',
      error: { code: 'ERR_MANAGER_HANDSHAKE_TIMEOUT' },
    })
    expect(warnings('handshake-timeout')).toHaveLength(1)
    expect(warnings('handshake-timeout')[0]).toContain('"name":"stall.test"')
  })

  it('a client that connects and closes without a byte (a TCP health check) is not a drop', async () => {
    const before = env.manager.counters().dropped
    await new Promise<void>((resolve) => {
      const socket = netConnect(env.pebble.tlsPort, '127.0.0.1', () => socket.end())
      socket.on('close', () => resolve())
    })
    await handshake(env.pebble.tlsPort, 'stall.test', { ca: env.roots })
    expect(env.manager.counters().dropped).toBe(before)
  })

  it('refusals are not drops: a completed handshake counts nothing as dropped', async () => {
    const before = env.manager.counters().dropped
    await handshake(env.pebble.tlsPort, 'stall.test', { ca: env.roots })
    expect(env.manager.counters().dropped).toBe(before)
  })
})
