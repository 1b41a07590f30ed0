import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createManager } from '../src/manager.js'
import { type Env, handshake, memoryLogger, startEnv } from './helpers/env.js'

let env: Env
let port80: HttpServer
let https: HttpsServer
let httpsPort: number

beforeAll(async () => {
  env = await startEnv({}, { challenges: ['http-01'] })
  port80 = createHttpServer(env.manager.httpHandler())
  await new Promise<void>((resolve) => port80.listen(env.pebble.httpPort, '127.0.0.1', resolve))
  https = createHttpsServer(env.manager.tlsOptions(), (_req, res) => res.end('hello'))
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve))
  httpsPort = (https.address() as { port: number }).port
})

afterAll(async () => {
  https?.close()
  port80?.close()
  await env?.manager.close()
  await env?.pebble.stop()
})

describe('http-01 (rfc8555 §8.3)', () => {
  it('a server built from tlsOptions() obtains its certificate through httpHandler on port 80', async () => {
    const cert = await handshake(httpsPort, 'http01.test', { ca: env.roots })
    expect(cert.subjectaltname).toBe('DNS:http01.test')
    expect(env.pebble.orderCount()).toBe(1)
    expect(env.pebble.logs()).toContain('Attempting to validate w/ HTTP: http://http01.test:')
    // The answer was published to the shared cache too, then withdrawn.
    expect(env.store.puts.some((key) => key.startsWith('v1/challenges/http-01/http01.test/'))).toBe(
      true,
    )
  })

  it('refuses to issue when the CA has terms of service that were not accepted', async () => {
    const logger = memoryLogger()
    const manager = createManager({
      hosts: ['terms.test'],
      directoryUrl: env.pebble.directoryUrl,
      caPem: env.pebble.caPem,
      challenges: ['http-01'],
      logger,
    })
    try {
      const orders = env.pebble.orderCount()
      const error = await manager.secureContext('terms.test').catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'ERR_MANAGER_TERMS_NOT_ACCEPTED' })
      expect((error as Error).message).toMatch(/terms of service at data:.*set acceptTerms: true/)
      expect(env.pebble.orderCount()).toBe(orders)
      expect(logger.lines.some((l) => l.startsWith('warn no cache configured'))).toBe(true)
    } finally {
      await manager.close()
    }
  })
})
