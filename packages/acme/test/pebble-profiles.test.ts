import { certificateInfo } from '@autotls/crypto'
import { findPebbleInstall, type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AcmeProblemError, issueCertificate } from '../src/index.js'
import { transcriptClient } from './ca-transcript.js'
import { http01Responder, type Responder } from './responders.js'

const install = await findPebbleInstall()
const SIX_DAYS = 6 * 86_400

describe(
  `profiles (draft-ietf-acme-profiles) against ${install.description}`,
  install.requires('profiles'),
  () => {
    let pebble: Pebble
    let http: Responder

    beforeAll(async () => {
      pebble = await startPebble({
        nonceRejectPercent: 0,
        profiles: {
          classic: { description: 'The usual 90 days', validityPeriod: 90 * 86_400 },
          shortlived: { description: 'Six days, no revocation', validityPeriod: SIX_DAYS },
        },
      })
      http = await http01Responder(pebble.httpPort)
    })
    afterAll(async () => {
      await http?.close()
      await pebble?.stop()
    })

    it('lists the profiles of the directory meta with their descriptions', async () => {
      const { client } = await transcriptClient(pebble)
      expect(await client.profiles()).toEqual({
        classic: 'The usual 90 days',
        shortlived: 'Six days, no revocation',
      })
    })

    it('orders a profile by name, the order carries it, and the certificate has its lifetime', async () => {
      const { client, exchanges } = await transcriptClient(pebble)
      const { chainPem, orderUrl } = await issueCertificate({
        client,
        identifiers: ['short.profiles.test'],
        solvers: [http.solver],
        profile: 'shortlived',
      })
      const sent = exchanges((e) => e.url.endsWith('/order-plz'))
      expect(sent.map((e) => e.payload?.profile)).toEqual(['shortlived'])
      expect((await client.getOrder(orderUrl)).profile).toBe('shortlived')
      const { notBefore, notAfter } = certificateInfo(chainPem)
      // Pebble's notAfter is the last second of the validity period.
      expect((notAfter.getTime() - notBefore.getTime()) / 1000).toBe(SIX_DAYS - 1)
    })

    it('the other profile gives the other lifetime', async () => {
      const { client } = await transcriptClient(pebble)
      const { chainPem } = await issueCertificate({
        client,
        identifiers: ['classic.profiles.test'],
        solvers: [http.solver],
        profile: 'classic',
      })
      const { notBefore, notAfter } = certificateInfo(chainPem)
      expect((notAfter.getTime() - notBefore.getTime()) / 1000).toBe(90 * 86_400 - 1)
    })

    it(
      'an unknown profile is refused with the typed invalidProfile problem, not retried',
      install.requires('profiles', 'invalidProfile'),
      async () => {
        const { client, exchanges } = await transcriptClient(pebble)
        const error = (await client
          .newOrder({
            identifiers: [{ type: 'dns', value: 'nope.profiles.test' }],
            profile: 'nope',
          })
          .catch((e: unknown) => e)) as AcmeProblemError
        expect(error).toBeInstanceOf(AcmeProblemError)
        expect(error.shortType).toBe('invalidProfile')
        expect(error.status).toBe(400)
        expect(exchanges((e) => e.url.endsWith('/order-plz'))).toHaveLength(1)
      },
    )
  },
)
