import { ariCertId, certificateInfo } from '@autotls/crypto'
import { findPebbleInstall, type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AcmeError, issueCertificate } from '../src/index.js'
import { transcriptClient } from './ca-transcript.js'
import { http01Responder, type Responder } from './responders.js'

const install = await findPebbleInstall()
const DAY = 86_400_000

describe(`ARI (RFC 9773) against ${install.description}`, install.requires('ari'), () => {
  let pebble: Pebble
  let http: Responder

  beforeAll(async () => {
    pebble = await startPebble({ nonceRejectPercent: 0, certificateValidityPeriod: 90 * 86_400 })
    http = await http01Responder(pebble.httpPort)
  })
  afterAll(async () => {
    await http?.close()
    await pebble?.stop()
  })

  const issue = async (
    client: Awaited<ReturnType<typeof transcriptClient>>['client'],
    name: string,
    replaces?: string,
  ) =>
    issueCertificate({
      client,
      identifiers: [name],
      solvers: [http.solver],
      ...(replaces === undefined ? {} : { replaces }),
    })

  /**
   * A certificate to replace whose serial has no leading zero byte in its DER encoding. RFC 9773
   * §4.1 puts the DER bytes in the CertID (a serial whose top bit is set gains a 0x00), but Pebble
   * 2.10.1 keys its orders by the serial's shortest bytes, so it answers 500 "could not find an
   * order" for such a CertID (about 1 certificate in 256 with its serials).
   */
  const issueReplaceable = async (
    client: Awaited<ReturnType<typeof transcriptClient>>['client'],
    name: string,
  ) => {
    for (let attempt = 1; ; attempt++) {
      const issued = await issue(client, name)
      const serial = Buffer.from(ariCertId(issued.chainPem).split('.')[1] ?? '', 'base64url')
      if (serial[0] !== 0 || attempt === 5) return issued
    }
  }

  it('rfc9773 §4.2: a fresh certificate’s window lies in its last third', async () => {
    const { client, exchanges } = await transcriptClient(pebble)
    const { chainPem } = await issue(client, 'fresh.ari.test')
    const { notBefore, notAfter } = certificateInfo(chainPem)
    const info = await client.renewalInfo(chainPem)
    const lifetime = notAfter.getTime() - notBefore.getTime()
    const { start, end } = info.suggestedWindow
    expect(start.getTime()).toBeGreaterThan(notBefore.getTime() + lifetime / 2)
    expect(end.getTime()).toBeLessThanOrEqual(notAfter.getTime())
    expect(end.getTime() - start.getTime()).toBe(2 * DAY)
    const { renewalInfo } = await client.directory()
    const ask = exchanges((e) => e.url === `${renewalInfo}/${ariCertId(chainPem)}`)
    expect(ask.map((e) => [e.method, e.status])).toEqual([['GET', 200]])
  })

  it(
    'rfc9773 §4.3: the CA’s Retry-After on renewalInfo (6 hours) says when to ask again',
    install.requires('ari', 'ariRetryAfter'),
    async () => {
      const { client, exchanges } = await transcriptClient(pebble)
      const { chainPem } = await issue(client, 'again.ari.test')
      const info = await client.renewalInfo(chainPem)
      expect(exchanges((e) => e.method === 'GET').at(-1)?.retryAfter).toBe('21600')
      expect(info.retryAfterMs).toBe(6 * 3_600_000)
    },
  )

  it('rfc9773 §4.2: reads the window and explanationURL the CA sets for a certificate', async () => {
    const { client } = await transcriptClient(pebble)
    const { chainPem } = await issue(client, 'moved.ari.test')
    const window = { start: '2026-01-01T00:00:00Z', end: '2026-01-01T12:00:00Z' }
    await pebble.setRenewalInfo(chainPem, {
      suggestedWindow: window,
      explanationURL: 'https://ca.example/incident',
    })
    const info = await client.renewalInfo(chainPem)
    expect(info.suggestedWindow.start.toISOString()).toBe('2026-01-01T00:00:00.000Z')
    expect(info.suggestedWindow.end.toISOString()).toBe('2026-01-01T12:00:00.000Z')
    expect(info.explanationUrl).toBe('https://ca.example/incident')
  })

  it('rfc9773 §4.2: a window whose end is not after its start is refused with ERR_ACME_RESPONSE', async () => {
    const { client } = await transcriptClient(pebble)
    const { chainPem } = await issue(client, 'flat.ari.test')
    const at = '2026-03-01T00:00:00Z'
    await pebble.setRenewalInfo(chainPem, { suggestedWindow: { start: at, end: at } })
    const error = (await client.renewalInfo(chainPem).catch((e: unknown) => e)) as AcmeError
    expect(error.code).toBe('ERR_ACME_RESPONSE')
  })

  it('rfc9773 §5: a renewal ordered with replaces is accepted as the replacement of the old certificate', async () => {
    const { client, exchanges } = await transcriptClient(pebble)
    const old = await issueReplaceable(client, 'replace.ari.test')
    const certId = ariCertId(old.chainPem)
    const renewed = await issue(client, 'replace.ari.test', certId)
    // The last two: issueReplaceable may have ordered more than once.
    const orders = exchanges((e) => e.url.endsWith('/order-plz')).slice(-2)
    expect(orders.map((e) => [e.status, e.payload?.replaces])).toEqual([
      [201, undefined],
      [201, certId],
    ])
    expect((await client.getOrder(renewed.orderUrl)).replaces).toBe(certId)
    expect(pebble.logs()).toMatch(/ARI: order "[^"]+" is a replacement of/)
  })

  it('rfc9773 §5: replacing a certificate a second time gets alreadyReplaced, and the client orders again without replaces', async () => {
    const { client, exchanges } = await transcriptClient(pebble)
    const old = await issueReplaceable(client, 'twice.ari.test')
    const certId = ariCertId(old.chainPem)
    await issue(client, 'twice.ari.test', certId)
    const again = await issue(client, 'twice.ari.test', certId)
    const orders = exchanges((e) => e.url.endsWith('/order-plz')).slice(-4)
    expect(orders.map((e) => [e.status, e.problem, e.payload?.replaces])).toEqual([
      [201, undefined, undefined],
      [201, undefined, certId],
      [409, 'alreadyReplaced', certId],
      [201, undefined, undefined],
    ])
    expect((await client.getOrder(again.orderUrl)).replaces).toBeUndefined()
    expect(certificateInfo(again.chainPem).dnsNames).toEqual(['twice.ari.test'])
  })
})
