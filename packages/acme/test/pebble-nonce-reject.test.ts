import { certificateInfo, generateKeyPair } from '@autotls/crypto'
import { startPebble } from '@autotls/pebble'
import { describe, expect, it } from 'vitest'
import { AcmeClient, createHttpsFetch, issueCertificate } from '../src/index.js'
import { http01Responder } from './responders.js'

describe('badNonce recovery (RFC 8555 §6.5) against Pebble', () => {
  it('rfc8555 §6.5: 20 issuances in a row with PEBBLE_WFE_NONCEREJECT=50 all succeed', {
    timeout: 120_000,
  }, async () => {
    const pebble = await startPebble({ nonceRejectPercent: 50 })
    const http = await http01Responder(pebble.httpPort)
    try {
      let rejected = 0
      const transport = createHttpsFetch({ caPem: pebble.caPem })
      const client = new AcmeClient({
        directoryUrl: pebble.directoryUrl,
        accountKey: await generateKeyPair(),
        fetch: (async (url: string, init: RequestInit) => {
          const response = await transport(url, init)
          if (response.status === 400) {
            const body = await response.clone().text()
            if (body.includes('badNonce')) rejected++
          }
          return response
        }) as typeof fetch,
      })
      await client.createAccount({ termsOfServiceAgreed: true })
      for (let i = 0; i < 20; i++) {
        const { chainPem } = await issueCertificate({
          client,
          identifiers: [`n${i}.nonce.test`],
          solvers: [http.solver],
        })
        expect(certificateInfo(chainPem).dnsNames).toEqual([`n${i}.nonce.test`])
      }
      // Half of the good nonces were refused: many badNonce answers were recovered from.
      expect(rejected).toBeGreaterThan(20)
    } finally {
      await http.close()
      await pebble.stop()
    }
  })
})
