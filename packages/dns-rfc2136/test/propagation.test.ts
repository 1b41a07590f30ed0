import { randomBytes } from 'node:crypto'
import { issueCertificate } from '@autotls/acme'
import { type DnsProvider, dns01Solver } from '@autotls/dns'
import { type DnsServer, newTsigKey, startBind, type TsigKey } from '@autotls/dns-servers'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { rfc2136Provider } from '../src/index.js'
import { dnsErrorIn, pebbleClient } from './helpers.js'

const zone = 'example.test'
const challenge = '_acme-challenge.example.test'

/** A primary and a secondary that asks it for changes every `refresh` seconds (no NOTIFY). */
async function primaryAndSecondary(
  key: TsigKey,
  refresh: number,
): Promise<{ primary: DnsServer; secondary: DnsServer }> {
  const primary = await startBind({
    zones: [{ name: zone, refresh }],
    tsigKey: key,
  })
  try {
    const secondary = await startBind({
      zones: [{ name: zone }],
      primary,
    })
    return { primary, secondary }
  } catch (error) {
    await primary.stop()
    throw error
  }
}

describe('propagation: a secondary that transfers the zone only every 2 s', () => {
  let key: TsigKey
  let servers: { primary: DnsServer; secondary: DnsServer }
  let pebble: Pebble
  beforeAll(async () => {
    key = newTsigKey()
    servers = await primaryAndSecondary(key, 2)
    // The CA asks the late server.
    pebble = await startPebble({ dnsServer: servers.secondary.address, nonceRejectPercent: 0 })
  })
  afterAll(async () => {
    await pebble?.stop()
    await servers?.secondary.stop()
    await servers?.primary.stop()
  })

  it('the solver waits until every authoritative server answers; then the order succeeds', async () => {
    const provider = rfc2136Provider({ server: servers.primary.address, tsig: key })
    const seenBySecondaryAtAdd: boolean[] = []
    const watching: DnsProvider = {
      async addTxtRecords(z, records, options) {
        await provider.addTxtRecords(z, records, options)
        const lines = await servers.secondary.zoneRecords(zone)
        seenBySecondaryAtAdd.push(lines.some((line) => line.includes(records[0]?.value ?? '-')))
      },
      deleteTxtRecords: (z, records, options) => provider.deleteTxtRecords(z, records, options),
    }
    const { chainPem } = await issueCertificate({
      client: await pebbleClient(pebble),
      identifiers: ['example.test'],
      solvers: [
        dns01Solver({
          provider: watching,
          resolvers: [servers.primary.address],
          nameservers: [servers.primary.address, servers.secondary.address],
          propagationIntervalMs: 100,
          propagationTimeoutMs: 20_000,
          ttl: 1,
        }),
      ],
    })
    expect(chainPem).toContain('BEGIN CERTIFICATE')
    expect(seenBySecondaryAtAdd).toEqual([false])
  })
})

describe('propagation timeout: a secondary that does not transfer within the timeout', () => {
  let key: TsigKey
  let servers: { primary: DnsServer; secondary: DnsServer }
  afterEach(async () => {
    await servers?.secondary.stop()
    await servers?.primary.stop()
  })

  it('fails with ERR_DNS_PROPAGATION_TIMEOUT naming the record and the secondary; no record is left', async () => {
    key = newTsigKey()
    servers = await primaryAndSecondary(key, 3600)
    const baseline = await servers.primary.zoneRecords(zone)
    const solver = dns01Solver({
      provider: rfc2136Provider({ server: servers.primary.address, tsig: key }),
      resolvers: [servers.primary.address],
      nameservers: [servers.primary.address, servers.secondary.address],
      propagationIntervalMs: 100,
      propagationTimeoutMs: 1500,
    })
    const error = await solver
      .present({
        identifier: { type: 'dns', value: 'example.test' },
        token: 'token',
        keyAuthorization: `token.${randomBytes(16).toString('hex')}`,
        signal: AbortSignal.timeout(10_000),
      })
      .catch((e: unknown) => e)
    expect(dnsErrorIn(error)).toMatchObject({
      code: 'ERR_DNS_PROPAGATION_TIMEOUT',
      record: challenge,
      server: servers.secondary.address,
    })
    expect((error as Error).message).toMatch(/answered 0 other TXT value|NXDOMAIN/)
    expect(await servers.primary.zoneRecords(zone)).toEqual(baseline)
  })
})
