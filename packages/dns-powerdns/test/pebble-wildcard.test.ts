import { AcmeClient, generateKeyPair, issueCertificate } from '@autotls/acme'
import { certificateInfo } from '@autotls/crypto'
import { dns01Solver } from '@autotls/dns'
import { type PowerDnsServer, startPowerDns } from '@autotls/dns-servers'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { powerDnsProvider } from '../src/index.js'

const zone = 'example.test'

describe('Pebble issues *.example.test + example.test through the PowerDNS API', () => {
  let pdns: PowerDnsServer
  let pebble: Pebble
  let baseline: string[]
  beforeAll(async () => {
    pdns = await startPowerDns({ zones: [{ name: zone }] })
    pebble = await startPebble({ dnsServer: pdns.address, nonceRejectPercent: 0 })
    baseline = await pdns.zoneRecords(zone)
  })
  afterAll(async () => {
    await pebble?.stop()
    await pdns?.stop()
  })

  it('rfc8555 §7.1.3: one certificate for the apex and its wildcard; the zone is as before', async () => {
    const client = new AcmeClient({
      directoryUrl: pebble.directoryUrl,
      accountKey: await generateKeyPair('ec-p256'),
      caPem: pebble.caPem,
    })
    await client.createAccount({ termsOfServiceAgreed: true })
    const { chainPem } = await issueCertificate({
      client,
      identifiers: ['*.example.test', 'example.test'],
      solvers: [
        dns01Solver({
          provider: powerDnsProvider({ apiUrl: pdns.apiUrl, apiKey: pdns.apiKey }),
          resolvers: [pdns.address],
          nameservers: [pdns.address],
          propagationIntervalMs: 50,
          ttl: 1,
        }),
      ],
    })
    expect([...certificateInfo(chainPem).dnsNames].sort()).toEqual([
      '*.example.test',
      'example.test',
    ])
    expect(await pdns.zoneRecords(zone)).toEqual(baseline)
  })
})
