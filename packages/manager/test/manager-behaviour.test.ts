import { spawn } from 'node:child_process'
import { connect as http2Connect } from 'node:http2'
import { request } from 'node:https'
import { fileURLToPath } from 'node:url'
import { certificateKey, memoryCache } from '@autotls/cache'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { createManager } from '../src/manager.js'
import type { ManagerEvent } from '../src/manager-event.js'
import { CountingStore, type Env, handshake, memoryLogger, startEnv } from './helpers/env.js'

let env: Env
let server: ManagedServer

beforeAll(async () => {
  env = await startEnv({}, { keyTypes: ['ec-p256'], maxContexts: 1 })
  server = env.manager.createServer({ http2: true }, (req, res) => {
    res.end(`hello over ${req.httpVersion}`)
  })
  await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
})

afterAll(async () => {
  await env?.manager.close()
  await env?.pebble.stop()
})

describe('Manager', () => {
  it('serves HTTP/1.1 and HTTP/2 (ALPN) requests to the request listener', async () => {
    const h1 = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: env.pebble.tlsPort,
          servername: 'web.test',
          ca: env.roots,
          path: '/',
        },
        (res) => {
          let body = ''
          res.on('data', (chunk) => {
            body += chunk
          })
          res.on('end', () => resolve(body))
        },
      )
      req.on('error', reject)
      req.end()
    })
    expect(h1).toBe('hello over 1.1')
    const session = http2Connect(`https://web.test:${env.pebble.tlsPort}`, {
      ca: env.roots,
      host: '127.0.0.1',
      servername: 'web.test',
      lookup: (_host, _options, callback) => callback(null, '127.0.0.1', 4),
    })
    try {
      const h2 = await new Promise<string>((resolve, reject) => {
        const stream = session.request({ ':path': '/' })
        let body = ''
        stream.on('data', (chunk) => {
          body += chunk
        })
        stream.on('end', () => resolve(body))
        stream.on('error', reject)
      })
      expect(h2).toBe('hello over 2.0')
    } finally {
      session.close()
    }
  })

  it('keeps at most maxContexts ready contexts; an evicted name gets a new context from its certificate in memory: no cache read, no order', async () => {
    const a = await handshake(env.pebble.tlsPort, 'lru-a.test', { ca: env.roots })
    await handshake(env.pebble.tlsPort, 'lru-b.test', { ca: env.roots })
    const orders = env.pebble.orderCount()
    env.store.gets = []
    const again = await handshake(env.pebble.tlsPort, 'lru-a.test', { ca: env.roots })
    expect(again.serialNumber).toBe(a.serialNumber)
    expect(env.store.gets).toEqual([])
    expect(env.pebble.orderCount()).toBe(orders)
  })

  it('replaces a cached certificate that fails validation, and logs it once', async () => {
    const a = await env.store.inner.get(certificateKey('lru-a.test', 'ec-p256'))
    // lru-a.test's certificate stored under another name does not cover it.
    await env.store.inner.put(certificateKey('wrong.test', 'ec-p256'), a as Uint8Array)
    const orders = env.pebble.orderCount()
    const cert = await handshake(env.pebble.tlsPort, 'wrong.test', { ca: env.roots })
    expect(cert.subjectaltname).toBe('DNS:wrong.test')
    expect(env.pebble.orderCount()).toBe(orders + 1)
    const warnings = env.logger.lines.filter((l) => l.includes('cached certificate for wrong.test'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      /^warn the cached certificate for wrong\.test does not cover that name; it will be replaced/,
    )
  })

  it('a renewal adopts the certificate another process already renewed instead of ordering again', async () => {
    const shared = memoryCache()
    const make = (events: ManagerEvent[]) =>
      createManager({
        hosts: ['adopt.test'],
        cache: shared,
        directoryUrl: env.pebble.directoryUrl,
        caPem: env.pebble.caPem,
        acceptTerms: true,
        challenges: ['tls-alpn-01'],
        keyTypes: ['ec-p256'],
        logger: memoryLogger(),
        onEvent: (event) => events.push(event),
      })
    const aEvents: ManagerEvent[] = []
    const bEvents: ManagerEvent[] = []
    const a = make(aEvents)
    const b = make(bEvents)
    // The challenge answers of both live in the shared cache, which the server below reads only
    // for its own manager: publish through env's server by sharing a front that reads `shared`.
    const front = createManager({
      hosts: ['adopt.test'],
      cache: new CountingStore(shared),
      logger: memoryLogger(),
    })
    const frontServer = front.createServer()
    server.close()
    await new Promise<void>((resolve) =>
      frontServer.listen(env.pebble.tlsPort, '127.0.0.1', resolve),
    )
    try {
      await a.manage(['adopt.test'])
      await b.secureContext('adopt.test')
      await b.renew('adopt.test')
      const orders = env.pebble.orderCount()
      await a.renew('adopt.test')
      expect(env.pebble.orderCount()).toBe(orders)
      expect(aEvents.at(-1)).toMatchObject({ type: 'renewed', adopted: true })
      expect(bEvents.at(-1)).toMatchObject({ type: 'renewed', adopted: false })
    } finally {
      await Promise.all([a.close(), b.close(), front.close()])
    }
  })

  it('close() stops everything: a process that obtained a certificate and closed the manager exits by itself', async () => {
    const { code, out } = await runFixture('close-exits.ts')
    expect(out).toContain('HANDSHAKE DNS:exit.test')
    expect(out).toMatch(/CLOSED \[[^\]]*\]/)
    expect(out).not.toMatch(/CLOSED .*Timeout/)
    expect(code).toBe(0)
  }, 30_000)

  it("timers are unref'd: a process that obtained a certificate exits after server.close() alone (no manager.close())", async () => {
    const { code, out } = await runFixture('server-close-exits.ts')
    expect(out).toContain('HANDSHAKE DNS:exit.test')
    expect(out).toContain('CERTIFICATES 1')
    expect(out).toContain('SERVER CLOSED')
    expect(code).toBe(0)
  }, 30_000)
})

/** Runs a fixture against this file's Pebble; resolves its exit code (-1 if killed after 20 s). */
async function runFixture(name: string): Promise<{ code: number | null; out: string }> {
  const script = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
  const child = spawn(
    process.execPath,
    ['--conditions=@autotls/source', '--import', 'tsx', script],
    {
      env: {
        ...process.env,
        CLOSE_CONFIG: JSON.stringify({
          directoryUrl: env.pebble.directoryUrl,
          caPem: env.pebble.caPem,
          httpPort: env.pebble.httpPort,
        }),
      },
    },
  )
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      resolve(-1)
    }, 20_000)
    child.on('exit', (exitCode) => {
      clearTimeout(timer)
      resolve(exitCode)
    })
  })
  return { code, out }
}
