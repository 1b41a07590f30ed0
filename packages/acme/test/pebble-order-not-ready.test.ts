import { certificateInfo, createCsr, generateKeyPair } from '@autotls/crypto'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { transcriptClient } from './ca-transcript.js'
import { type HeldHttp01, heldHttp01, until } from './held-http01.js'

describe('finalize before the order is ready (RFC 8555 §7.4) against Pebble', () => {
  let pebble: Pebble
  let http: HeldHttp01

  beforeAll(async () => {
    pebble = await startPebble({ nonceRejectPercent: 0, authzReusePercent: 0 })
    http = await heldHttp01(pebble.httpPort)
  })
  afterAll(async () => {
    await http?.close()
    await pebble?.stop()
  })

  it('rfc8555 §7.4: finalize on an order that is not ready → orderNotReady, then waits and finalizes', async () => {
    const { client, exchanges } = await transcriptClient(pebble)
    const name = 'not-ready.test'
    const order = await client.newOrder({ identifiers: [{ type: 'dns', value: name }] })
    const authz = await client.getAuthorization(order.authorizations[0] as string)
    const challenge = authz.challenges.find((c) => c.type === 'http-01')
    if (!challenge) throw new Error('Pebble offered no http-01 challenge')
    // Pebble's validation waits until the client has been told the order is not ready.
    const refused = () => exchanges((e) => e.problem === 'orderNotReady').length > 0
    http.set(challenge.token, await client.keyAuthorization(challenge.token), until(refused))
    await client.respondToChallenge(challenge)
    const csr = await createCsr({ key: await generateKeyPair(), identifiers: [name] })
    const finalized = await client.finalizeOrder(order, csr.der)

    const finalizes = exchanges((e) => e.url === order.finalize)
    expect(finalizes.map((e) => [e.status, e.problem])).toEqual([
      [403, 'orderNotReady'],
      [200, undefined],
    ])
    const done = await client.waitForOrder(finalized)
    expect(done.status).toBe('valid')
    const { chainPem } = await client.downloadCertificate(done)
    expect(certificateInfo(chainPem).dnsNames).toEqual([name])
  })
})
