import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import { createHttpsFetch } from '@autotls/acme'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { type Env, handshake, startEnv } from './helpers/env.js'

/** The real transport, recording the URL of every request sent to the CA. */
function recordingFetch(env: () => Env, urls: string[]): typeof globalThis.fetch {
  let transport: ReturnType<typeof createHttpsFetch> | undefined
  return (async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    transport ??= createHttpsFetch({ caPem: env().pebble.caPem })
    urls.push(String(url))
    return transport(String(url), init ?? {})
  }) as typeof globalThis.fetch
}

/** Requests per authorization URL (Pebble serves them under `/authZ/`). */
function authorizationRequests(urls: readonly string[]): number[] {
  const counts = new Map<string, number>()
  for (const url of urls.filter((u) => u.includes('/authZ/'))) {
    counts.set(url, (counts.get(url) ?? 0) + 1)
  }
  return [...counts.values()]
}

describe('validation-aware polling: the manager serves the challenge, so it wakes its own poll', () => {
  describe('tls-alpn-01', () => {
    let env: Env
    let server: ManagedServer
    const urls: string[] = []

    beforeAll(async () => {
      env = await startEnv(
        { authzReusePercent: 0 },
        { keyTypes: ['ec-p256'], fetch: recordingFetch(() => env, urls) },
      )
      server = env.manager.createServer()
      await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
    })

    afterAll(async () => {
      await env?.manager.close()
      await env?.pebble.stop()
    })

    it('rfc8555 §7.5.1: a cold issuance (PEBBLE_VA_NOSLEEP) fetches the authorization once and polls it once', async () => {
      for (const name of ['alpn-poll-1.test', 'alpn-poll-2.test', 'alpn-poll-3.test']) {
        const cert = await handshake(env.pebble.tlsPort, name, { ca: env.roots })
        expect(cert.subjectaltname).toBe(`DNS:${name}`)
      }
      expect(env.pebble.orderCount()).toBe(3)
      // Each authorization: one fetch before answering, then one poll woken by the CA's
      // validation handshake (a reused authorization, rare at PEBBLE_AUTHZREUSE=0, needs only one).
      const perAuthorization = authorizationRequests(urls)
      expect(perAuthorization).toHaveLength(3)
      for (const count of perAuthorization) expect(count).toBeLessThanOrEqual(2)
    })
  })

  describe('http-01', () => {
    let env: Env
    let port80: HttpServer
    let https: HttpsServer
    let httpsPort: number
    const urls: string[] = []

    beforeAll(async () => {
      env = await startEnv(
        { authzReusePercent: 0 },
        {
          keyTypes: ['ec-p256'],
          challenges: ['http-01'],
          fetch: recordingFetch(() => env, urls),
        },
      )
      port80 = createHttpServer(env.manager.httpHandler())
      await new Promise<void>((resolve) => port80.listen(env.pebble.httpPort, '127.0.0.1', resolve))
      https = createHttpsServer(env.manager.tlsOptions())
      await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve))
      httpsPort = (https.address() as { port: number }).port
    })

    afterAll(async () => {
      https?.close()
      port80?.close()
      await env?.manager.close()
      await env?.pebble.stop()
    })

    it('rfc8555 §8.3: a cold issuance (PEBBLE_VA_NOSLEEP) fetches the authorization once and polls it once', async () => {
      for (const name of ['http-poll-1.test', 'http-poll-2.test']) {
        const cert = await handshake(httpsPort, name, { ca: env.roots })
        expect(cert.subjectaltname).toBe(`DNS:${name}`)
      }
      const perAuthorization = authorizationRequests(urls)
      expect(perAuthorization).toHaveLength(2)
      for (const count of perAuthorization) expect(count).toBeLessThanOrEqual(2)
    })
  })
})
