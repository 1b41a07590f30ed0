import { X509Certificate } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import { createHttpsFetch } from '@autotls/acme'
import { ariCertId } from '@autotls/crypto'
import { findPebbleInstall, type PebbleOptions } from '@autotls/pebble'
import { afterEach, describe, expect, it } from 'vitest'
import type { ManagedServer, ManagerOptions } from '../src/index.js'
import { type Env, handshake, startEnv } from './helpers/env.js'

const install = await findPebbleInstall()
const NAME = 'ari.renewal.test'

/** One newOrder the manager sent: what it asked for and how the CA answered. */
interface SentOrder {
  readonly status: number
  readonly replaces: unknown
  readonly profile: unknown
}

let env: Env | undefined
let server: ManagedServer | undefined
afterEach(async () => {
  await env?.manager.close()
  await env?.pebble.stop()
  env = undefined
  server = undefined
})

/**
 * A manager in front of a fresh Pebble, serving on Pebble's tls-alpn-01 port, whose newOrder
 * requests are recorded from the wire.
 */
async function start(
  pebbleOptions: PebbleOptions,
  managerOptions: Partial<ManagerOptions>,
): Promise<{ env: Env; orders: SentOrder[] }> {
  const orders: SentOrder[] = []
  let inner: ReturnType<typeof createHttpsFetch> | undefined
  const fetch = async (input: string | URL | Request, init: RequestInit = {}) => {
    inner ??= createHttpsFetch({ caPem: (env as Env).pebble.caPem })
    const response = await inner(String(input), init)
    if (String(input).endsWith('/order-plz') && typeof init.body === 'string') {
      const { payload } = JSON.parse(init.body) as { payload: string }
      const sent = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
      orders.push({ status: response.status, replaces: sent.replaces, profile: sent.profile })
    }
    return response
  }
  env = await startEnv(pebbleOptions, {
    keyTypes: ['ec-p256'],
    fetch: fetch as typeof globalThis.fetch,
    ...managerOptions,
  })
  server = env.manager.createServer()
  const listening = server
  await new Promise<void>((resolve) =>
    listening.listen((env as Env).pebble.tlsPort, '127.0.0.1', resolve),
  )
  return { env, orders }
}

/**
 * Handshakes in a loop until `done()` (then 10 more), each verified against Pebble's root and the
 * name; returns every certificate served, in order. Any failed handshake rejects.
 */
async function handshakeUntil(
  e: Env,
  done: () => boolean,
  limitMs: number,
): Promise<X509Certificate[]> {
  const served: X509Certificate[] = []
  const stopAt = Date.now() + limitMs
  let after = 0
  while (after < 10 && Date.now() < stopAt) {
    const cert = await handshake(e.pebble.tlsPort, NAME, { ca: e.roots })
    served.push(new X509Certificate(cert.raw))
    if (done()) after++
    await delay(25)
  }
  return served
}

const serials = (certs: X509Certificate[]): string[] => [
  ...new Set(certs.map((c) => c.serialNumber)),
]

describe(
  `ARI-driven renewal end to end against ${install.description}`,
  install.requires('ari'),
  () => {
    it('rfc9773 §4.2, §5: a certificate whose window the CA moves into the past is renewed with replaces, and every handshake meanwhile succeeds', async () => {
      // random 0.01: the manager first asks for the window 0.01 × 10 min = 6 s after install.
      const { env: e, orders } = await start(
        { certificateValidityPeriod: 90 * 86_400 },
        { random: () => 0.01 },
      )
      const first = new X509Certificate(
        (await handshake(e.pebble.tlsPort, NAME, { ca: e.roots })).raw,
      )
      await e.pebble.setRenewalInfo(first.toString(), {
        suggestedWindow: {
          start: new Date(Date.now() - 2 * 3_600_000).toISOString(),
          end: new Date(Date.now() - 3_600_000).toISOString(),
        },
      })
      const renewed = () => e.events.some((ev) => ev.type === 'renewed')
      const served = await handshakeUntil(e, renewed, 60_000)

      expect(renewed()).toBe(true)
      expect(e.events.filter((ev) => ev.type === 'failed')).toEqual([])
      expect(orders).toEqual([
        { status: 201, replaces: undefined, profile: undefined },
        { status: 201, replaces: ariCertId(first.raw), profile: undefined },
      ])
      // The old certificate until the switch, then only the new one.
      const order = serials([first, ...served])
      expect(order).toHaveLength(2)
      const switchedAt = served.findIndex((c) => c.serialNumber === order[1])
      expect(served.slice(switchedAt).every((c) => c.serialNumber === order[1])).toBe(true)
      expect(e.pebble.logs()).toMatch(/ARI: order "[^"]+" is a replacement of/)
    }, 90_000)

    it('a certificate of a short-lived profile is renewed once, with that profile and replaces, past the first third of its life and before its end', {
      ...install.requires('ari', 'profiles'),
      timeout: 90_000,
    }, async () => {
      const lifetimeS = 24
      // random 0.5: the renewal point is the middle of Pebble's window, which for a certificate
      // this short is its whole life (Pebble suggests the last third ± a day, clamped to the life).
      const { env: e, orders } = await start(
        {
          profiles: {
            classic: { description: '90 days', validityPeriod: 90 * 86_400 },
            shortlived: { description: `${lifetimeS} seconds`, validityPeriod: lifetimeS },
          },
        },
        { profile: 'shortlived', random: () => 0.5 },
      )
      const first = new X509Certificate(
        (await handshake(e.pebble.tlsPort, NAME, { ca: e.roots })).raw,
      )
      const notBefore = Date.parse(first.validFrom)
      const notAfter = Date.parse(first.validTo)
      expect((notAfter - notBefore) / 1000).toBe(lifetimeS - 1)
      const renewed = () => e.events.some((ev) => ev.type === 'renewed')
      const served = await handshakeUntil(e, renewed, 60_000)

      expect(e.events.filter((ev) => ev.type === 'renewed')).toHaveLength(1)
      expect(e.events.filter((ev) => ev.type === 'failed')).toEqual([])
      expect(orders).toEqual([
        { status: 201, replaces: undefined, profile: 'shortlived' },
        { status: 201, replaces: ariCertId(first.raw), profile: 'shortlived' },
      ])
      const next = served.find((c) => c.serialNumber !== first.serialNumber) as X509Certificate
      const renewedAt = Date.parse(next.validFrom)
      const life = notAfter - notBefore
      // Not in the first third of the old certificate's life, and before it expired.
      expect(renewedAt).toBeGreaterThanOrEqual(notBefore + life / 3)
      expect(renewedAt).toBeLessThan(notAfter)
    })
  },
)
