import { setTimeout } from 'node:timers/promises'
import {
  ariCertId,
  certificateInfo,
  chainInfo,
  generateKeyPair,
  keyMatchesCertificate,
  verifyChain,
} from '@autotls/crypto'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUTHORIZATION_POLLS, ORDER_POLLS, pollDelay } from '../src/backoff.js'
import { AcmeClient, type AcmeError, issueCertificate } from '../src/index.js'
import { http01Responder, type Responder } from './responders.js'
import { startScriptedServer } from './scripted-acme-server.js'

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

describe('issuance over http-01 against Pebble', () => {
  it('rfc8555 §7.1: issues a certificate for one name and cleans up the challenge', async () => {
    const client = new AcmeClient({
      directoryUrl: pebble.directoryUrl,
      accountKey: await generateKeyPair(),
      caPem: pebble.caPem,
    })
    await client.createAccount({ termsOfServiceAgreed: true })
    const before = { ...http.calls }
    const started = performance.now()
    const result = await issueCertificate({
      client,
      identifiers: ['one.example.test'],
      solvers: [http.solver],
    })
    console.log(`issuance took ${(performance.now() - started).toFixed(0)} ms`)
    const info = certificateInfo(result.chainPem)
    expect(info.dnsNames).toEqual(['one.example.test'])
    expect(await keyMatchesCertificate(result.key, result.chainPem)).toBe(true)
    expect(chainInfo(result.chainPem).length).toBeGreaterThanOrEqual(2)
    expect(await verifyChain(result.chainPem)).toBe(true)
    expect(http.calls.present - before.present).toBe(http.calls.cleanup - before.cleanup)
  })

  it('waits only as long as the CA needs: every pause is a step of the poll schedules or the short wait after the CA fetched the response', {
    timeout: 120_000,
  }, async () => {
    const pauses: number[] = []
    const client = new AcmeClient({
      directoryUrl: pebble.directoryUrl,
      accountKey: await generateKeyPair(),
      caPem: pebble.caPem,
      random: () => 0.5,
      sleep: (ms, signal) => {
        pauses.push(ms)
        return setTimeout(ms, undefined, { signal })
      },
    })
    await client.createAccount({ termsOfServiceAgreed: true })
    const times: number[] = []
    for (let i = 0; i < 20; i++) {
      const started = performance.now()
      const result = await issueCertificate({
        client,
        identifiers: [`t${i}.timing.test`],
        solvers: [http.solver],
      })
      times.push(performance.now() - started)
      expect(certificateInfo(result.chainPem).dnsNames).toEqual([`t${i}.timing.test`])
    }
    times.sort((a, b) => a - b)
    const median = ((times[9] as number) + (times[10] as number)) / 2
    console.log(
      `issuance against Pebble (http-01, VA_NOSLEEP): median ${median.toFixed(0)} ms, min ${(times[0] as number).toFixed(0)} ms, max ${(times[19] as number).toFixed(0)} ms, ${pauses.length} pauses`,
    )
    // Pebble sends no Retry-After: each pause is a step of a schedule (the random draw is fixed
    // here) or, once the responder saw Pebble's request, the short wait before the next poll.
    const steps = Array.from({ length: 12 }, (_, attempt) => [
      pollDelay(attempt, AUTHORIZATION_POLLS, () => 0.5),
      pollDelay(attempt, ORDER_POLLS, () => 0.5),
    ]).flat()
    for (const ms of pauses) {
      if (!steps.includes(ms)) expect(ms).toBeLessThanOrEqual(AUTHORIZATION_POLLS.floorMs)
    }
  })

  it('trusts the ACME API only through caPem: without it the call fails fast with ERR_ACME_TLS', async () => {
    const client = new AcmeClient({
      directoryUrl: pebble.directoryUrl,
      accountKey: await generateKeyPair(),
    })
    const started = performance.now()
    const error = await client.directory().catch((e: unknown) => e as AcmeError)
    expect((error as AcmeError).code).toBe('ERR_ACME_TLS')
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('rfc9773 §4.1: renewalInfo accepts a certificate PEM and asks for its certID', async () => {
    const client = new AcmeClient({
      directoryUrl: pebble.directoryUrl,
      accountKey: await generateKeyPair(),
      caPem: pebble.caPem,
    })
    await client.createAccount({ termsOfServiceAgreed: true })
    const { chainPem } = await issueCertificate({
      client,
      identifiers: ['ari.example.test'],
      solvers: [http.solver],
    })
    const ari = await startScriptedServer({ renewalInfo: true })
    try {
      const window = { start: '2030-01-01T00:00:00Z', end: '2030-01-02T00:00:00Z' }
      ari.setRenewalInfo(ariCertId(chainPem), { suggestedWindow: window })
      const ariClient = new AcmeClient({
        directoryUrl: ari.directoryUrl,
        accountKey: await generateKeyPair(),
      })
      const info = await ariClient.renewalInfo(chainPem)
      expect(info.suggestedWindow.end.toISOString()).toBe('2030-01-02T00:00:00.000Z')
      expect(ari.requests.at(-1)?.path).toBe(`/renewal-info/${ariCertId(chainPem)}`)
    } finally {
      await ari.close()
    }
  })
})
