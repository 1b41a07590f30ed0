import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BAD_NONCE_RETRIES } from '../src/acme-http.js'
import { type AcmeProblemError, issueCertificate } from '../src/index.js'
import { transcriptClient } from './ca-transcript.js'
import { http01Responder, type Responder } from './responders.js'

describe('badNonce (RFC 8555 §6.5) against Pebble refusing half of the good nonces', () => {
  let pebble: Pebble
  let http: Responder

  beforeAll(async () => {
    pebble = await startPebble({ nonceRejectPercent: 50 })
    http = await http01Responder(pebble.httpPort)
  })
  afterAll(async () => {
    await http?.close()
    await pebble?.stop()
  })

  it('rfc8555 §6.5: a request refused with badNonce is sent again with the nonce that answer carried', async () => {
    const { client, exchanges } = await transcriptClient(pebble)
    await issueCertificate({ client, identifiers: ['nonces.test'], solvers: [http.solver] })
    for (let i = 0; i < 10; i++) await client.account()
    const sent = exchanges((e) => e.method === 'POST')
    const refused = sent.flatMap((e, i) => (e.problem === 'badNonce' ? [i] : []))
    // At 50 %, two dozen signed requests without a single refusal would happen once in millions.
    expect(refused.length).toBeGreaterThan(0)
    for (const i of refused) {
      const answer = sent[i]
      const retry = sent[i + 1]
      expect(retry?.url).toBe(answer?.url)
      expect(retry?.nonce).toBe(answer?.replayNonce)
    }
    const nonces = sent.map((e) => e.nonce)
    expect(new Set(nonces).size).toBe(nonces.length)
  })
})

describe('badNonce (RFC 8555 §6.5) against Pebble refusing every nonce', () => {
  let pebble: Pebble

  beforeAll(async () => {
    pebble = await startPebble({ nonceRejectPercent: 100 })
  })
  afterAll(async () => {
    await pebble?.stop()
  })

  it('rfc8555 §6.5: gives up with the typed badNonce problem after a bounded number of retries', async () => {
    const { client, exchanges } = await transcriptClient(pebble, { register: false })
    const error = (await client
      .createAccount({ termsOfServiceAgreed: true })
      .catch((e: unknown) => e)) as AcmeProblemError
    expect(error.shortType).toBe('badNonce')
    const attempts = exchanges((e) => e.method === 'POST')
    expect(attempts).toHaveLength(BAD_NONCE_RETRIES + 1)
    expect(attempts.every((e) => e.problem === 'badNonce')).toBe(true)
  })
})
