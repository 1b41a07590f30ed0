import { certificateInfo, generateKeyPair } from '@autotls/crypto'
import { startPebble } from '@autotls/pebble'
import { describe, expect, it } from 'vitest'
import { NEW_ORDER_PACE, REQUEST_PACE } from '../src/acme-http.js'
import { AcmeClient, issueCertificate } from '../src/index.js'
import { faultFetch } from './fault-fetch.js'
import { http01Responder } from './responders.js'

/**
 * The budget the README states for a one-name http-01 order (requests about that order): 12 on the
 * schedule alone, plus one woken poll for each validation perspective after the first (Pebble
 * validates from 3, each after its own random delay, and the waker polls after each burst).
 */
const PER_ORDER = 12 + 2

async function twentyAtOnce(validationDelay: boolean) {
  const pebble = await startPebble({ validationDelay })
  const http = await http01Responder(pebble.httpPort)
  try {
    const transport = faultFetch(pebble.caPem)
    const client = new AcmeClient({
      directoryUrl: pebble.directoryUrl,
      accountKey: await generateKeyPair(),
      fetch: transport.fetch,
    })
    const names = Array.from({ length: 20 }, (_, i) => `p${i}.parallel.test`)
    const results = await Promise.all(
      names.map((name) =>
        issueCertificate({
          client,
          identifiers: [name],
          solvers: [http.solver],
          account: { termsOfServiceAgreed: true },
        }),
      ),
    )
    expect(results.map((r) => certificateInfo(r.chainPem).dnsNames)).toEqual(names.map((n) => [n]))
    const sent = [...transport.sent]
    const directory = await client.directory()

    // No nonce twice; one newAccount for the 20 (a repeat after Pebble refused its nonce, which it
    // does to 5 % of good nonces, is the same request sent again: RFC 8555 §6.5).
    const nonces = sent.flatMap((r) => (r.nonce ? [r.nonce] : []))
    expect(new Set(nonces).size).toBe(nonces.length)
    expect(
      sent.filter((r) => r.url === directory.newAccount && r.problem !== 'badNonce'),
    ).toHaveLength(1)

    // Requests per second: never more than the client's pace allows in any one-second window,
    // newOrder on its own (Let's Encrypt counts it on its own too).
    const busiestSecond = (at: number[]): number => {
      const times = [...at].sort((a, b) => a - b)
      let most = 0
      for (let i = 0, j = 0; i < times.length; i++) {
        while ((times[i] as number) - (times[j] as number) >= 1000) j++
        most = Math.max(most, i - j + 1)
      }
      return most
    }
    const isNewOrder = (r: (typeof sent)[number]): boolean => r.url === directory.newOrder
    const busiest = busiestSecond(sent.filter((r) => !isNewOrder(r)).map((r) => r.at))
    expect(busiest).toBeLessThanOrEqual(REQUEST_PACE.burst + REQUEST_PACE.perSecond)
    expect(busiestSecond(sent.filter(isNewOrder).map((r) => r.at))).toBeLessThanOrEqual(
      NEW_ORDER_PACE.burst + NEW_ORDER_PACE.perSecond,
    )

    // Requests per order: each order's own URLs (order, authorization, challenge, finalize, certificate).
    const perOrder: number[] = []
    for (const result of results) {
      const order = await client.getOrder(result.orderUrl)
      const authzs = await Promise.all(order.authorizations.map((u) => client.getAuthorization(u)))
      const own = new Set([
        order.url,
        order.finalize,
        order.certificate,
        ...order.authorizations,
        ...authzs.flatMap((a) => a.challenges.map((c) => c.url)),
      ])
      perOrder.push(sent.filter((r) => own.has(r.url)).length + 1) // + its newOrder
    }
    const newNonces = sent.filter((r) => r.url === directory.newNonce).length
    const total = sent.length
    console.log(
      `20 parallel issuances (validation delays ${validationDelay ? 'on' : 'off'}): ${total} requests, ${newNonces} newNonce, busiest second ${busiest}, per order ${Math.min(...perOrder)}–${Math.max(...perOrder)}`,
    )
    expect(Math.max(...perOrder)).toBeLessThanOrEqual(PER_ORDER)
    // Shared requests (directory, newNonce, newAccount) stay a small share.
    expect(total / 20).toBeLessThanOrEqual(PER_ORDER)
  } finally {
    await http.close()
    await pebble.stop()
  }
}

describe('20 parallel issuances from one client against Pebble (issue 19 acceptance 2)', () => {
  it('with validation delays (as a real CA): no nonce reused, one newAccount, within the request budget', {
    timeout: 120_000,
  }, async () => {
    await twentyAtOnce(true)
  })

  it('without validation delays (the busiest case): the same budget', {
    timeout: 120_000,
  }, async () => {
    await twentyAtOnce(false)
  })
})
