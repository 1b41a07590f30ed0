import { certificateInfo, generateKeyPair } from '@autotls/crypto'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AcmeClient, AcmeProblemError, issueCertificate } from '../src/index.js'
import { pebbleClient } from './pebble-client.js'
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

async function problemOf(promise: Promise<unknown>): Promise<AcmeProblemError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AcmeProblemError)
  return error as AcmeProblemError
}

describe('accounts against Pebble (RFC 8555 §7.3)', () => {
  it('rfc8555 §7.3: creates an account with contacts and finds it again by key', async () => {
    const key = await generateKeyPair('ec-p384')
    const first = new AcmeClient({
      directoryUrl: pebble.directoryUrl,
      accountKey: key,
      caPem: pebble.caPem,
    })
    const created = await first.createAccount({
      termsOfServiceAgreed: true,
      contact: ['mailto:ops@example.test'],
    })
    expect(created.status).toBe('valid')
    expect(created.contact).toEqual(['mailto:ops@example.test'])
    const second = new AcmeClient({
      directoryUrl: pebble.directoryUrl,
      accountKey: key,
      caPem: pebble.caPem,
    })
    const found = await second.findAccount()
    expect(found.url).toBe(created.url)
  })

  it('rfc8555 §7.3.1: onlyReturnExisting for an unknown key → accountDoesNotExist', async () => {
    const client = await pebbleClient(pebble, { register: false })
    expect((await problemOf(client.findAccount())).shortType).toBe('accountDoesNotExist')
  })

  it('rfc8555 §7.3.2: updates the contacts', async () => {
    const client = await pebbleClient(pebble)
    const updated = await client.updateAccount({ contact: ['mailto:new@example.test'] })
    expect(updated.contact).toEqual(['mailto:new@example.test'])
    expect((await client.account()).contact).toEqual(['mailto:new@example.test'])
  })

  it('rfc8555 §6.2: RS256 account keys work end to end', async () => {
    const client = await pebbleClient(pebble, { keyType: 'rsa-2048' })
    const result = await issueCertificate({
      client,
      identifiers: ['rsa.example.test'],
      solvers: [http.solver],
    })
    expect(certificateInfo(result.chainPem).dnsNames).toEqual(['rsa.example.test'])
  })

  it('rfc8555 §7.3.5: key rollover, then an order signed with the new key', async () => {
    const client = await pebbleClient(pebble)
    const oldKey = client.accountKey
    const url = client.accountUrl
    const newKey = await generateKeyPair('ec-p256')
    await client.rolloverKey(newKey)
    expect(client.accountKey).toBe(newKey)
    const result = await issueCertificate({
      client,
      identifiers: ['rolled.example.test'],
      solvers: [http.solver],
    })
    expect(certificateInfo(result.chainPem).dnsNames).toEqual(['rolled.example.test'])
    const viaNew = new AcmeClient({
      directoryUrl: pebble.directoryUrl,
      accountKey: newKey,
      caPem: pebble.caPem,
    })
    expect((await viaNew.findAccount()).url).toBe(url)
    const viaOld = new AcmeClient({
      directoryUrl: pebble.directoryUrl,
      accountKey: oldKey,
      caPem: pebble.caPem,
    })
    expect((await problemOf(viaOld.findAccount())).shortType).toBe('accountDoesNotExist')
  })

  it('rfc8555 §7.3.6: a deactivated account can no longer order', async () => {
    const client = await pebbleClient(pebble)
    const account = await client.deactivateAccount()
    expect(account.status).toBe('deactivated')
    const problem = await problemOf(
      client.newOrder({ identifiers: [{ type: 'dns', value: 'gone.example.test' }] }),
    )
    expect(problem.status).toBe(403)
  })

  it('rfc8555 §7.3.4: External Account Binding with HS256 on an EAB-required Pebble', async () => {
    const eabKeys = { 'kid-1': 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W' }
    const eabPebble = await startPebble({ eabRequired: true, eabKeys, nonceRejectPercent: 0 })
    try {
      const client = await pebbleClient(eabPebble, { register: false })
      expect((await client.directory()).meta.externalAccountRequired).toBe(true)
      const refused = await problemOf(client.createAccount({ termsOfServiceAgreed: true }))
      expect(refused.shortType).toBe('externalAccountRequired')
      const account = await client.createAccount({
        termsOfServiceAgreed: true,
        externalAccountBinding: { kid: 'kid-1', hmacKey: eabKeys['kid-1'] },
      })
      expect(account.status).toBe('valid')
      const wrong = await pebbleClient(eabPebble, { register: false })
      const bad = await problemOf(
        wrong.createAccount({
          termsOfServiceAgreed: true,
          externalAccountBinding: {
            kid: 'kid-1',
            hmacKey: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
          },
        }),
      )
      expect(bad.status).toBeGreaterThanOrEqual(400)
    } finally {
      await eabPebble.stop()
    }
  })
})

describe('revocation against Pebble (RFC 8555 §7.6)', () => {
  it('rfc8555 §7.6: revoked by the account key with a reason; Pebble reports the serial revoked', async () => {
    const client = await pebbleClient(pebble)
    const { chainPem } = await issueCertificate({
      client,
      identifiers: ['revoke.example.test'],
      solvers: [http.solver],
    })
    const serial = certificateInfo(chainPem).serialNumber
    expect((await pebble.certStatus(serial)).Status).toBe('Valid')
    await client.revokeCertificate(chainPem, { reason: 4 })
    const status = await pebble.certStatus(serial)
    expect(status.Status).toBe('Revoked')
    expect(status.Reason).toBe(4)
  })

  it('rfc8555 §7.6: revoked by the certificate key (jwk header), without the account', async () => {
    const client = await pebbleClient(pebble)
    const { chainPem, key } = await issueCertificate({
      client,
      identifiers: ['revoke-by-key.example.test'],
      solvers: [http.solver],
    })
    const stranger = await pebbleClient(pebble, { register: false })
    await stranger.revokeCertificate(chainPem, { certificateKey: key, reason: 1 })
    expect((await pebble.certStatus(certificateInfo(chainPem).serialNumber)).Status).toBe('Revoked')
  })

  it('rfc8555 §7.6: revoking twice → alreadyRevoked', async () => {
    const client = await pebbleClient(pebble)
    const { chainPem } = await issueCertificate({
      client,
      identifiers: ['twice.example.test'],
      solvers: [http.solver],
    })
    await client.revokeCertificate(chainPem)
    expect((await problemOf(client.revokeCertificate(chainPem))).shortType).toBe('alreadyRevoked')
  })
})

describe('orders against Pebble (RFC 8555 §7.4)', () => {
  it('rfc8555 §7.4: the low-level steps: respond, finalize, poll, download', async () => {
    const client = await pebbleClient(pebble)
    const order = await client.newOrder({
      identifiers: [{ type: 'dns', value: 'early.example.test' }],
    })
    const { createCsr } = await import('@autotls/crypto')
    const csr = await createCsr({
      key: await generateKeyPair(),
      identifiers: ['early.example.test'],
    })
    const authz = await client.getAuthorization(order.authorizations[0] as string)
    const challenge = authz.challenges.find((c) => c.type === 'http-01')
    if (!challenge) throw new Error('Pebble offered no http-01')
    const keyAuthorization = await client.keyAuthorization(challenge.token)
    const args = {
      identifier: { type: 'dns', value: 'early.example.test' } as const,
      token: challenge.token,
      keyAuthorization,
      signal: AbortSignal.timeout(10_000),
    }
    await http.solver.present(args)
    try {
      await client.respondToChallenge(challenge)
      const finalized = await client.finalizeOrder(order, csr.der)
      const valid = await client.waitForOrder(finalized)
      expect(valid.status).toBe('valid')
      const chain = await client.downloadCertificate(valid)
      expect(certificateInfo(chain.chainPem).dnsNames).toEqual(['early.example.test'])
    } finally {
      await http.solver.cleanup(args)
    }
  })

  it('rfc8555 §7.4: sends notBefore/notAfter and the order carries them', async () => {
    const client = await pebbleClient(pebble)
    const notBefore = new Date(Date.now() + 3_600_000)
    const notAfter = new Date(Date.now() + 7 * 86_400_000)
    const order = await client.newOrder({
      identifiers: [{ type: 'dns', value: 'dates.example.test' }],
      notBefore,
      notAfter,
    })
    expect(new Date(order.notBefore as string).getTime()).toBe(notBefore.getTime())
    expect(new Date(order.notAfter as string).getTime()).toBe(notAfter.getTime())
  })

  it('rfc8555 §7.1.2.1: lists the account orders', async () => {
    const client = await pebbleClient(pebble)
    const order = await client.newOrder({
      identifiers: [{ type: 'dns', value: 'listed.example.test' }],
    })
    const urls = await client.listOrders()
    expect(urls).toContain(order.url)
  })
})
