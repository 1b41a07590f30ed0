import {
  certificateInfo,
  generateKeyPair,
  keyMatchesCertificate,
  verifyChain,
} from '@autotls/crypto'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AcmeClient, type AcmeError, createHttpsFetch, issueCertificate } from '../src/index.js'
import { pebbleClient } from './pebble-client.js'
import { dns01Responder, http01Responder, type Responder, tlsAlpnResponder } from './responders.js'

let pebble: Pebble
let http: Responder
let tls: Responder
let dns: Responder

beforeAll(async () => {
  pebble = await startPebble({ nonceRejectPercent: 0, authzReusePercent: 0 })
  http = await http01Responder(pebble.httpPort)
  tls = await tlsAlpnResponder(pebble.tlsPort)
  dns = dns01Responder(pebble)
})
afterAll(async () => {
  await http?.close()
  await tls?.close()
  await pebble?.stop()
})

function delta(responder: Responder) {
  const before = { ...responder.calls }
  return () => ({
    present: responder.calls.present - before.present,
    cleanup: responder.calls.cleanup - before.cleanup,
  })
}

describe('each challenge type against Pebble', () => {
  it('rfc8737 §3: issues over tls-alpn-01 with the acme-tls/1 responder', async () => {
    const client = await pebbleClient(pebble)
    const calls = delta(tls)
    const result = await issueCertificate({
      client,
      identifiers: ['alpn.example.test'],
      solvers: [tls.solver],
    })
    expect(certificateInfo(result.chainPem).dnsNames).toEqual(['alpn.example.test'])
    expect(calls()).toEqual({ present: 1, cleanup: 1 })
  })

  it('rfc8555 §8.4: issues over dns-01 with a TXT record at _acme-challenge', async () => {
    const client = await pebbleClient(pebble)
    const calls = delta(dns)
    const result = await issueCertificate({
      client,
      identifiers: ['dns.example.test'],
      solvers: [dns.solver],
    })
    expect(certificateInfo(result.chainPem).dnsNames).toEqual(['dns.example.test'])
    expect(calls()).toEqual({ present: 1, cleanup: 1 })
  })

  it('rfc8555 §7.1.3: one certificate for three names, authorizations in parallel', async () => {
    const client = await pebbleClient(pebble)
    const calls = delta(http)
    const names = ['a.multi.test', 'b.multi.test', 'c.multi.test']
    const result = await issueCertificate({ client, identifiers: names, solvers: [http.solver] })
    expect([...certificateInfo(result.chainPem).dnsNames].sort()).toEqual(names)
    expect(calls()).toEqual({ present: 3, cleanup: 3 })
    expect(await keyMatchesCertificate(result.key, result.chainPem)).toBe(true)
    expect(await verifyChain(result.chainPem)).toBe(true)
  })

  it('rfc8738 §3: issues for an IP address identifier over http-01', async () => {
    const client = await pebbleClient(pebble)
    const result = await issueCertificate({
      client,
      identifiers: ['127.0.0.1'],
      solvers: [http.solver],
    })
    const info = certificateInfo(result.chainPem)
    expect(info.ipAddresses).toEqual(['127.0.0.1'])
    expect(info.dnsNames).toEqual([])
  })

  it('rfc8555 §7.1.3: a wildcard and its base name over dns-01', async () => {
    const client = await pebbleClient(pebble)
    const result = await issueCertificate({
      client,
      identifiers: ['*.wild.test', 'wild.test'],
      solvers: [dns.solver],
    })
    expect([...certificateInfo(result.chainPem).dnsNames].sort()).toEqual([
      '*.wild.test',
      'wild.test',
    ])
  })

  it('the first solver the CA offers wins, in the order given', async () => {
    const client = await pebbleClient(pebble)
    const httpCalls = delta(http)
    const tlsCalls = delta(tls)
    await issueCertificate({
      client,
      identifiers: ['order.example.test'],
      solvers: [tls.solver, http.solver],
    })
    expect(tlsCalls().present).toBe(1)
    expect(httpCalls().present).toBe(0)
  })

  it('rfc8555 §7.5.2: a failed challenge cleans up and deactivates the other pending authorizations', async () => {
    const deactivated: string[] = []
    const transport = createHttpsFetch({ caPem: pebble.caPem })
    const client = new AcmeClient({
      directoryUrl: pebble.directoryUrl,
      accountKey: await generateKeyPair(),
      caPem: pebble.caPem,
      fetch: (async (url: string, init: RequestInit) => {
        const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined
        if (body?.payload) {
          const payload = JSON.parse(Buffer.from(body.payload, 'base64url').toString('utf8'))
          if (payload.status === 'deactivated') deactivated.push(url)
        }
        return transport(url, init)
      }) as typeof fetch,
    })
    await client.createAccount({ termsOfServiceAgreed: true })
    const calls = delta(http)
    const solver = {
      ...http.solver,
      // bad.*: serves a wrong key authorization; slow.*: never ready until the flow gives up.
      present: async (args: Parameters<typeof http.solver.present>[0]) => {
        if (args.identifier.value.startsWith('slow')) {
          await new Promise((_, reject) =>
            args.signal.addEventListener('abort', () => reject(args.signal.reason)),
          )
        }
        const bad = args.identifier.value.startsWith('bad')
        await http.solver.present({
          ...args,
          keyAuthorization: bad ? 'nope' : args.keyAuthorization,
        })
      },
    }
    const error = await issueCertificate({
      client,
      identifiers: ['bad.fail.test', 'good.fail.test', 'slow.fail.test'],
      solvers: [solver],
    }).catch((e: unknown) => e as AcmeError)
    expect((error as AcmeError).code).toBe('ERR_ACME_AUTHORIZATION_INVALID')
    const made = calls()
    // bad.* (and good.*, unless the failure came first) presented; each present was cleaned up.
    expect(made.present).toBeGreaterThanOrEqual(1)
    expect(made.cleanup).toBe(made.present)
    // slow.* was never answered, so it was pending; good.* may have been validated already.
    const after = await Promise.all(deactivated.map((url) => client.getAuthorization(url)))
    expect(after.map((a) => a.identifier.value)).toContain('slow.fail.test')
    expect(after.every((a) => a.status === 'deactivated')).toBe(true)
  })

  it('has no solver for what the CA offers → ERR_ACME_NO_SOLVER (wildcards need dns-01)', async () => {
    const client = await pebbleClient(pebble)
    const error = await issueCertificate({
      client,
      identifiers: ['*.nosolver.test'],
      solvers: [http.solver],
    }).catch((e: unknown) => e as AcmeError)
    expect((error as AcmeError).code).toBe('ERR_ACME_NO_SOLVER')
  })
})
