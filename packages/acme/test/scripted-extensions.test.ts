import { generateKeyPair } from '@autotls/crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { AcmeClient, type AcmeError, AcmeProblemError, issueCertificate } from '../src/index.js'
import { fakeClock } from './fake-clock.js'
import {
  type ScriptedServer,
  type ScriptedServerOptions,
  startScriptedServer,
} from './scripted-acme-server.js'

const servers: ScriptedServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function setup(
  options: ScriptedServerOptions = {},
  clientOptions: { timeoutMs?: number } = {},
) {
  const server = await startScriptedServer(options)
  servers.push(server)
  const clock = fakeClock()
  const client = new AcmeClient({
    directoryUrl: server.directoryUrl,
    accountKey: await generateKeyPair(),
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    ...clientOptions,
  })
  await client.createAccount({ termsOfServiceAgreed: true })
  return { server, clock, client }
}

const dns = (value: string) => ({ type: 'dns', value }) as const
const newOrders = (server: ScriptedServer) => server.requests.filter((r) => r.path === '/new-order')
const http01 = {
  type: 'http-01' as const,
  present: async () => {},
  cleanup: async () => {},
}

/*
 * Only what real Pebble cannot show. ARI windows, replaces, profiles, Retry-After on polls, the
 * badNonce retry, orderNotReady and the paged orders list are tested against Pebble itself
 * (pebble-ari, pebble-profiles, pebble-retry-after, pebble-bad-nonce, pebble-order-not-ready,
 * pebble-orders-list). Pebble always sends a 6-hour Retry-After on renewalInfo and always offers
 * renewalInfo (from 2.6), never answers 429 or 5xx, resets no connection, returns no compound
 * problem, and keeps no authorization pending for many polls on purpose.
 */
describe('ARI (RFC 9773) against the scripted server', () => {
  it('rfc9773 §4.3: clamps Retry-After to [1 minute, 1 day]', async () => {
    const { server, client } = await setup({ renewalInfo: true })
    const window = {
      suggestedWindow: { start: '2026-02-01T00:00:00Z', end: '2026-02-02T00:00:00Z' },
    }
    server.setRenewalInfo('short', window, '5')
    server.setRenewalInfo('long', window, String(10 * 86_400))
    expect((await client.renewalInfo('short')).retryAfterMs).toBe(60_000)
    expect((await client.renewalInfo('long')).retryAfterMs).toBe(86_400_000)
  })

  it('rfc9773 §5: omits replaces when the directory has no renewalInfo, and renewalInfo() says unsupported', async () => {
    const { server, client } = await setup({ renewalInfo: false })
    await client.newOrder({ identifiers: [dns('a.example')], replaces: 'old.cert' })
    expect(newOrders(server)[0]?.payload).not.toHaveProperty('replaces')
    const error = await client.renewalInfo('x.y').catch((e: unknown) => e)
    expect((error as AcmeError).code).toBe('ERR_ACME_UNSUPPORTED')
  })
})

describe('retries (RFC 8555 §6.6, §6.7) with an injected clock', () => {
  it('rfc8555 §6.6: waits exactly the Retry-After of a 429 rateLimited, then succeeds', async () => {
    const { server, client, clock } = await setup()
    server.override('/new-order', (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '30' })
      res.end(
        JSON.stringify({ type: 'urn:ietf:params:acme:error:rateLimited', detail: 'slow down' }),
      )
    })
    await client.newOrder({ identifiers: [dns('a.example')] })
    expect(clock.sleeps).toEqual([30_000])
  })

  it('rfc8555 §6.6: gives up at once with the typed problem when Retry-After passes the deadline', async () => {
    const { server, client, clock } = await setup({}, { timeoutMs: 10_000 })
    server.override('/new-order', (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '3600' })
      res.end(JSON.stringify({ type: 'urn:ietf:params:acme:error:rateLimited', detail: 'hour' }))
    })
    const error = (await client
      .newOrder({ identifiers: [dns('a.example')] })
      .catch((e: unknown) => e)) as AcmeProblemError
    expect(error).toBeInstanceOf(AcmeProblemError)
    expect(error.shortType).toBe('rateLimited')
    expect(error.retryAfterMs).toBe(3_600_000)
    expect(clock.sleeps).toEqual([])
  })

  it('rfc8555 §6.7: retries 5xx with bounded jittered back-off', async () => {
    const { server, client, clock } = await setup()
    server.override(
      '/new-order',
      (_req, res) => {
        res.writeHead(503, { 'content-type': 'text/plain' })
        res.end('busy')
      },
      2,
    )
    await client.newOrder({ identifiers: [dns('a.example')] })
    expect(clock.sleeps).toHaveLength(2)
    expect(clock.sleeps[1] as number).toBeGreaterThan(clock.sleeps[0] as number)
  })

  it('rfc8555 §6.7: gives up on 5xx after a bounded number of retries', async () => {
    const { server, client, clock } = await setup()
    server.override(
      '/new-order',
      (_req, res) => {
        res.writeHead(500, { 'content-type': 'text/plain' })
        res.end('down')
      },
      100,
    )
    const error = (await client
      .newOrder({ identifiers: [dns('a.example')] })
      .catch((e: unknown) => e)) as AcmeProblemError
    expect(error.status).toBe(500)
    expect(clock.sleeps.length).toBeLessThanOrEqual(4)
  })

  it('rfc8555 §6.7: does not retry other 4xx problems', async () => {
    const { server, client, clock } = await setup()
    let hits = 0
    server.override(
      '/new-order',
      (_req, res) => {
        hits++
        res.writeHead(400, { 'content-type': 'application/problem+json' })
        res.end(
          JSON.stringify({ type: 'urn:ietf:params:acme:error:rejectedIdentifier', detail: 'no' }),
        )
      },
      5,
    )
    const error = (await client
      .newOrder({ identifiers: [dns('a.example')] })
      .catch((e: unknown) => e)) as AcmeProblemError
    expect(error.shortType).toBe('rejectedIdentifier')
    expect(hits).toBe(1)
    expect(clock.sleeps).toEqual([])
  })

  it('retries a connection reset with back-off', async () => {
    const { server, client, clock } = await setup()
    server.override('/new-order', (req) => req.socket.destroy())
    await client.newOrder({ identifiers: [dns('a.example')] })
    expect(clock.sleeps).toHaveLength(1)
  })
})

describe('polling (RFC 8555 §7.5.1, §7.4) against the scripted server', () => {
  it('without Retry-After authorization polls start at 1 s and grow by half, capped at 5 s', async () => {
    const { client, clock } = await setup({ authzPendingPolls: 16 })
    await issueCertificate({ client, identifiers: ['a.example'], solvers: [http01] })
    expect(clock.sleeps.slice(0, 4)).toEqual([1000, 1500, 2250, 3375])
    expect(Math.max(...clock.sleeps)).toBe(5000)
    const authz = clock.sleeps.slice(0, -1)
    for (let i = 1; i < authz.length; i++) {
      expect(authz[i] as number).toBeGreaterThanOrEqual(authz[i - 1] as number)
    }
  })
})

describe('problems (RFC 8555 §6.7.1) against the scripted server', () => {
  it('rfc8555 §6.7.1: subproblems keep their identifiers', async () => {
    const { server, client } = await setup()
    server.override('/new-order', (_req, res) => {
      res.writeHead(400, { 'content-type': 'application/problem+json' })
      res.end(
        JSON.stringify({
          type: 'urn:ietf:params:acme:error:compound',
          detail: 'two names refused',
          subproblems: [
            {
              type: 'urn:ietf:params:acme:error:rejectedIdentifier',
              detail: 'policy',
              identifier: dns('a.example'),
            },
            {
              type: 'urn:ietf:params:acme:error:caa',
              detail: 'CAA forbids',
              identifier: dns('b.example'),
            },
          ],
        }),
      )
    })
    const error = (await client
      .newOrder({ identifiers: [dns('a.example'), dns('b.example')] })
      .catch((e: unknown) => e)) as AcmeProblemError
    expect(error.shortType).toBe('compound')
    expect(error.subproblems.map((p) => p.identifier?.value)).toEqual(['a.example', 'b.example'])
    expect(error.message).toContain('b.example: CAA forbids')
  })
})
