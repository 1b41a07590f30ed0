import { createHttpsFetch } from '@autotls/acme'
import { ariCertId } from '@autotls/crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { type Env, handshake, startEnv } from './helpers/env.js'

// CA behaviour Pebble 2.4 lacks, added by the transport in front of the real Pebble: ARI (a
// renewalInfo URL in the directory, answered with a window opening 1.5 s from now for the first
// certificate, months away for later ones), refused orders with Retry-After, and server errors.
let env: Env
let server: ManagedServer
let transport: ReturnType<typeof createHttpsFetch> | undefined
let firstCertId: string | undefined
let firstWindowStart: number | undefined
const ariAsked: string[] = []
const orderPayloads: Record<string, unknown>[] = []
const orderTimes: number[] = []
let refuseOrders = false
let serverErrors = 0
let newOrderUrl = ''

async function ariFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const url = String(input)
  const base = `${new URL(env.pebble.directoryUrl).origin}/test-renewal-info`
  if (url.startsWith(`${base}/`)) {
    const certId = url.slice(base.length + 1)
    ariAsked.push(certId)
    firstCertId ??= certId
    firstWindowStart ??= Date.now() + 1500
    const start = certId === firstCertId ? firstWindowStart : Date.now() + 60 * 86_400_000
    const window = {
      start: new Date(start).toISOString(),
      end: new Date(start + 1000).toISOString(),
    }
    return new Response(JSON.stringify({ suggestedWindow: window }), {
      status: 200,
      headers: { 'content-type': 'application/json', 'retry-after': '3600' },
    })
  }
  transport ??= createHttpsFetch({ caPem: env.pebble.caPem })
  if (url === newOrderUrl && typeof init?.body === 'string') {
    const jws = JSON.parse(init.body) as { payload: string }
    orderPayloads.push(JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8')))
    orderTimes.push(Date.now())
    if (serverErrors > 0) {
      serverErrors--
      const problem = { type: 'urn:ietf:params:acme:error:serverInternal', detail: 'hiccup' }
      return new Response(JSON.stringify(problem), {
        status: 500,
        headers: { 'content-type': 'application/problem+json', 'replay-nonce': 'bm9uY2U' },
      })
    }
    if (refuseOrders) {
      const problem = { type: 'urn:ietf:params:acme:error:rejectedIdentifier', detail: 'try later' }
      return new Response(JSON.stringify(problem), {
        status: 400,
        headers: {
          'content-type': 'application/problem+json',
          'retry-after': '2',
          'replay-nonce': 'bm9uY2U',
        },
      })
    }
  }
  const response = await transport(url, init ?? {})
  if (url !== env.pebble.directoryUrl) return response
  const directory = (await response.json()) as Record<string, unknown>
  newOrderUrl = String(directory.newOrder)
  return new Response(JSON.stringify({ ...directory, renewalInfo: base }), {
    status: response.status,
    headers: response.headers,
  })
}

beforeAll(async () => {
  env = await startEnv(
    {},
    {
      keyTypes: ['ec-p256'],
      fetch: ariFetch,
      random: () => 0,
      renewal: { backoffBaseMs: 100 },
    },
  )
  server = env.manager.createServer()
  await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
})

afterAll(async () => {
  await env?.manager.close()
  await env?.pebble.stop()
})

describe('renewal against a CA offering ACME Renewal Information (rfc9773)', () => {
  it('§4.2: renews inside the window the CA suggests, long before the lifetime rule, with replaces (§5)', async () => {
    const first = await handshake(env.pebble.tlsPort, 'ari.test', { ca: env.roots })
    const deadline = Date.now() + 10_000
    while (!env.events.some((e) => e.type === 'renewed') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const renewed = env.events.find((e) => e.type === 'renewed')
    expect(renewed).toMatchObject({ name: 'ari.test', adopted: false })
    const second = await handshake(env.pebble.tlsPort, 'ari.test', { ca: env.roots })
    expect(second.serialNumber).not.toBe(first.serialNumber)
    const expectedId = ariCertId(
      `-----BEGIN CERTIFICATE-----\n${first.raw.toString('base64')}\n-----END CERTIFICATE-----\n`,
    )
    expect(firstCertId).toBe(expectedId)
    expect(orderPayloads.at(-1)).toMatchObject({ replaces: expectedId })
    // The new certificate's window is months away: it was asked for, and nothing more happened.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(new Set(ariAsked).size).toBe(2)
    expect(env.events.filter((e) => e.type === 'renewed')).toHaveLength(1)
  })

  it('rfc8555 §6.6: a failed renewal keeps the old certificate served and is retried no sooner than Retry-After', async () => {
    const current = await handshake(env.pebble.tlsPort, 'ari.test', { ca: env.roots })
    refuseOrders = true
    await expect(env.manager.renew('ari.test')).rejects.toMatchObject({
      code: 'ERR_MANAGER_ISSUANCE_FAILED',
      cause: { code: 'ERR_ACME_PROBLEM' },
    })
    const failedAt = orderTimes.at(-1) as number
    refuseOrders = false
    expect(env.events.at(-1)).toMatchObject({ type: 'failed', name: 'ari.test', renewing: true })
    expect((await handshake(env.pebble.tlsPort, 'ari.test', { ca: env.roots })).serialNumber).toBe(
      current.serialNumber,
    )
    const deadline = Date.now() + 10_000
    while (env.events.filter((e) => e.type === 'renewed').length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(env.events.filter((e) => e.type === 'renewed')).toHaveLength(2)
    // Back-off alone would have retried after ~100 ms; the CA asked for 2 s.
    expect((orderTimes.at(-1) as number) - failedAt).toBeGreaterThanOrEqual(1900)
    expect(
      (await handshake(env.pebble.tlsPort, 'ari.test', { ca: env.roots })).serialNumber,
    ).not.toBe(current.serialNumber)
  })

  it('a first issuance failing on server errors beyond the client’s own retries is attempted again before the handshake fails', async () => {
    serverErrors = 6
    const cert = await handshake(env.pebble.tlsPort, 'flaky.test', { ca: env.roots })
    expect(cert.subjectaltname).toBe('DNS:flaky.test')
    expect(serverErrors).toBe(0)
    expect(env.logger.lines).toContainEqual(
      expect.stringMatching(
        /^warn obtaining a certificate for flaky\.test failed \(.*hiccup.*\); retrying/,
      ),
    )
  })
})
