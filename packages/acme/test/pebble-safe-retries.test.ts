import { certificateInfo, generateKeyPair } from '@autotls/crypto'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AcmeClient, issueCertificate } from '../src/index.js'
import { faultFetch } from './fault-fetch.js'
import { http01Responder, type Responder } from './responders.js'

let pebble: Pebble
let http: Responder

beforeAll(async () => {
  pebble = await startPebble({ nonceRejectPercent: 0 })
  http = await http01Responder(pebble.httpPort)
})
afterAll(async () => {
  await http?.close()
  await pebble?.stop()
})

async function client() {
  const transport = faultFetch(pebble.caPem)
  const acme = new AcmeClient({
    directoryUrl: pebble.directoryUrl,
    accountKey: await generateKeyPair(),
    fetch: transport.fetch,
  })
  await acme.createAccount({ termsOfServiceAgreed: true })
  return { acme, transport, directory: await acme.directory() }
}

describe('retries only where repeating is safe (issue 19 §2, §3) against Pebble', () => {
  it('rfc8555 §6.5: a nonce is used once: two parallel requests after createAccount get no badNonce', async () => {
    for (let round = 0; round < 3; round++) {
      const { acme, transport } = await client()
      await Promise.all([acme.account(), acme.account()])
      const nonces = transport.sent.flatMap((r) => (r.nonce ? [r.nonce] : []))
      expect(new Set(nonces).size).toBe(nonces.length)
      expect(transport.sent.filter((r) => r.problem === 'badNonce')).toEqual([])
    }
  })

  it('rfc8555 §7.3.5: a 500 after the CA accepted a key change: the client asks with the new key and moves on', async () => {
    const { acme, transport, directory } = await client()
    const before = acme.accountUrl
    transport.inject((url) => url === directory.keyChange, '500-after')
    const newKey = await generateKeyPair()
    await acme.rolloverKey(newKey)
    expect(acme.accountKey).toBe(newKey)
    // Later requests are signed with the new key and accepted.
    expect((await acme.account()).url).toBe(before)
    expect(transport.sent.filter((r) => r.url === directory.keyChange)).toHaveLength(1)
  })

  it('rfc8555 §7.3.5: a reset before the CA saw the key change keeps the old key working and retries', async () => {
    const { acme, transport, directory } = await client()
    let dropped = false
    const inner = transport.fetch
    const newKey = await generateKeyPair()
    // A reset on the way out: the CA never sees the first key change.
    const flaky = new AcmeClient({
      directoryUrl: pebble.directoryUrl,
      accountKey: acme.accountKey,
      accountUrl: acme.accountUrl as string,
      fetch: (async (url: string, init: RequestInit) => {
        if (url === directory.keyChange && !dropped) {
          dropped = true
          throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } })
        }
        return inner(url, init)
      }) as typeof fetch,
    })
    await flaky.rolloverKey(newKey)
    expect(flaky.accountKey).toBe(newKey)
    expect((await flaky.account()).url).toBe(acme.accountUrl)
  })

  it('rfc8555 §7.6: alreadyRevoked after a retried revocation is success', async () => {
    const { acme, transport, directory } = await client()
    const { chainPem } = await issueCertificate({
      client: acme,
      identifiers: ['revoke-retry.test'],
      solvers: [http.solver],
    })
    transport.inject((url) => url === directory.revokeCert, '500-after')
    await acme.revokeCertificate(chainPem, { reason: 4 })
    const status = await pebble.certStatus(certificateInfo(chainPem).serialNumber)
    expect(status.Status).toBe('Revoked')
    expect(
      transport.sent.filter((r) => r.url === directory.revokeCert).map((r) => r.problem),
    ).toEqual([undefined, 'alreadyRevoked'])
  })

  it('rfc8555 §7.4: a reset after the CA created an order leaves no second order unaccounted for', async () => {
    const { acme, transport, directory } = await client()
    const ordersBefore = pebble.orderCount()
    transport.inject((url) => url === directory.newOrder, 'reset-after')
    const order = await acme.newOrder({ identifiers: [{ type: 'dns', value: 'order-reset.test' }] })
    expect(pebble.orderCount()).toBe(ordersBefore + 1)
    expect(await acme.listOrders()).toEqual([order.url])
  })

  it('issue 19 §5: a non-canonical IPv6 identifier is ordered in canonical form, and the order is usable', async () => {
    const { acme } = await client()
    const ordersBefore = pebble.orderCount()
    const order = await acme.newOrder({
      identifiers: [{ type: 'ip', value: '2001:DB8:0:0:0:0:0:1' }],
    })
    expect(order.identifiers).toEqual([{ type: 'ip', value: '2001:db8::1' }])
    expect(pebble.orderCount()).toBe(ordersBefore + 1)
    const authz = await acme.getAuthorization(order.authorizations[0] as string)
    expect(authz).toMatchObject({
      status: 'pending',
      identifier: { type: 'ip', value: '2001:db8::1' },
    })
  })
})
