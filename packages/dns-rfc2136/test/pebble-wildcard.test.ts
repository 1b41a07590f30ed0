import { issueCertificate } from '@autotls/acme'
import { certificateInfo } from '@autotls/crypto'
import { type DnsProvider, dns01Solver } from '@autotls/dns'
import type { DnsServer, TsigKey } from '@autotls/dns-servers'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rfc2136Provider } from '../src/index.js'
import { dnsErrorIn, eventually, pebbleClient, recording } from './helpers.js'
import { newTsigKey, SERVERS } from './servers.js'

const zone = 'example.test'
const challenge = '_acme-challenge.example.test'

describe.each(SERVERS)(
  'Pebble issues *.example.test + example.test through RFC 2136 on $name',
  ({ start }) => {
    let server: DnsServer
    let key: TsigKey
    let pebble: Pebble
    let baseline: string[]
    beforeAll(async () => {
      key = newTsigKey()
      server = await start([{ name: zone }], key)
      pebble = await startPebble({ dnsServer: server.address, nonceRejectPercent: 0 })
      baseline = await server.zoneRecords(zone)
    })
    afterAll(async () => {
      await pebble?.stop()
      await server?.stop()
    })

    const solver = (
      provider: DnsProvider,
      more: Parameters<typeof dns01Solver>[0] = { provider },
    ) =>
      dns01Solver({
        resolvers: [server.address],
        nameservers: [server.address],
        propagationIntervalMs: 50,
        ttl: 1,
        ...more,
        provider,
      })

    it('rfc8555 §7.1.3: one order, apex and wildcard, two TXT values at one name; the zone is as before', async () => {
      // Both adds must land before either returns, so the CA validates with both values present.
      let arrived = 0
      let release = (): void => {}
      const bothThere = new Promise<void>((resolve) => {
        release = resolve
      })
      let during: string[] = []
      const provider = rfc2136Provider({ server: server.address, tsig: key })
      const barrier: DnsProvider = {
        async addTxtRecords(z, records, options) {
          await provider.addTxtRecords(z, records, options)
          if (++arrived === 2) {
            during = await server.zoneRecords(zone)
            release()
          }
          await bothThere
        },
        deleteTxtRecords: (z, records, options) => provider.deleteTxtRecords(z, records, options),
      }
      const log = recording(barrier)
      const { chainPem } = await issueCertificate({
        client: await pebbleClient(pebble),
        identifiers: ['*.example.test', 'example.test'],
        solvers: [solver(log)],
      })
      expect([...certificateInfo(chainPem).dnsNames].sort()).toEqual([
        '*.example.test',
        'example.test',
      ])
      expect(during.filter((line) => line.startsWith(`${challenge}. IN TXT`))).toHaveLength(2)
      const adds = log.calls.filter((c) => c.op === 'add')
      expect(adds.map((c) => [c.zone, c.records[0]?.name])).toEqual([
        [zone, challenge],
        [zone, challenge],
      ])
      expect(log.calls.filter((c) => c.op === 'delete')).toHaveLength(2)
      expect(await server.zoneRecords(zone)).toEqual(baseline)
    })

    it('a wrong TSIG key fails with ERR_DNS_UPDATE_REJECTED naming NOTAUTH; no record is left', async () => {
      const provider = rfc2136Provider({
        server: server.address,
        tsig: { name: key.name, secret: newTsigKey().secret },
      })
      const error = await issueCertificate({
        client: await pebbleClient(pebble),
        identifiers: ['*.example.test', 'example.test'],
        solvers: [solver(provider)],
      }).catch((e: unknown) => e)
      expect(dnsErrorIn(error)).toMatchObject({
        code: 'ERR_DNS_UPDATE_REJECTED',
        rcode: 'NOTAUTH (TSIG BADSIG)',
        server: server.address,
        record: challenge,
      })
      expect(await server.zoneRecords(zone)).toEqual(baseline)
    })

    it('after a failed validation (record written where the CA does not look) the zone is as before', async () => {
      const provider = rfc2136Provider({ server: server.address, tsig: key })
      const error = await issueCertificate({
        client: await pebbleClient(pebble),
        identifiers: ['*.example.test', 'example.test'],
        solvers: [
          solver(provider, {
            provider,
            challengeName: () => '_acme-challenge.elsewhere.example.test',
          }),
        ],
      }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(Error)
      expect(dnsErrorIn(error)).toBeUndefined()
      expect(await server.zoneRecords(zone)).toEqual(baseline)
    })

    it('after an abort mid-propagation the records are deleted and the zone is as before', async () => {
      const provider = rfc2136Provider({ server: server.address, tsig: key })
      const abort = new AbortController()
      const silent = '127.0.0.1:9' // discard: nothing answers, so propagation never completes
      const issuing = issueCertificate({
        client: await pebbleClient(pebble),
        identifiers: ['*.example.test', 'example.test'],
        solvers: [solver(provider, { provider, nameservers: [server.address, silent] })],
        signal: abort.signal,
      }).catch((e: unknown) => e)
      await eventually(async () =>
        (await server.zoneRecords(zone)).some((line) => line.startsWith(`${challenge}. IN TXT`)),
      )
      abort.abort(new Error('operator stop'))
      const error = await issuing
      expect(dnsErrorIn(error)).toMatchObject({ code: 'ERR_DNS_ABORTED', record: challenge })
      expect(await server.zoneRecords(zone)).toEqual(baseline)
    })

    it('past the propagation timeout it fails naming the record and the server; the zone is as before', async () => {
      const provider = rfc2136Provider({ server: server.address, tsig: key })
      const silent = '127.0.0.1:9'
      const error = await issueCertificate({
        client: await pebbleClient(pebble),
        identifiers: ['example.test'],
        solvers: [
          solver(provider, {
            provider,
            nameservers: [server.address, silent],
            propagationTimeoutMs: 1000,
            queryTimeoutMs: 300,
          }),
        ],
      }).catch((e: unknown) => e)
      const dnsError = dnsErrorIn(error)
      expect(dnsError).toMatchObject({
        code: 'ERR_DNS_PROPAGATION_TIMEOUT',
        record: challenge,
        server: silent,
      })
      expect(dnsError?.message).toContain(challenge)
      expect(dnsError?.message).toContain(silent)
      expect(await server.zoneRecords(zone)).toEqual(baseline)
    })
  },
)
