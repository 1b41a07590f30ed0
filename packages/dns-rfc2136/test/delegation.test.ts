import { issueCertificate } from '@autotls/acme'
import { certificateInfo } from '@autotls/crypto'
import { dns01Solver } from '@autotls/dns'
import {
  type DnsServer,
  newTsigKey,
  startBind,
  startUnbound,
  type TsigKey,
} from '@autotls/dns-servers'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rfc2136Provider } from '../src/index.js'
import { pebbleClient, recording } from './helpers.js'

const target = 'example-test.delegated.test'

describe('_acme-challenge delegated by CNAME into another zone, validated through unbound', () => {
  let key: TsigKey
  let bind: DnsServer
  let resolver: DnsServer
  let pebble: Pebble
  const baseline: Record<string, string[]> = {}
  const zonesNow = async (): Promise<Record<string, string[]>> => ({
    'example.test': await bind.zoneRecords('example.test'),
    'delegated.test': await bind.zoneRecords('delegated.test'),
  })
  beforeAll(async () => {
    key = newTsigKey()
    bind = await startBind({
      zones: [
        { name: 'example.test', records: [`_acme-challenge CNAME ${target}.`] },
        { name: 'delegated.test' },
      ],
      tsigKey: key,
    })
    resolver = await startUnbound({
      stubs: ['example.test', 'delegated.test'].map((zone) => ({
        zone,
        host: bind.host,
        port: bind.port,
      })),
    })
    pebble = await startPebble({ dnsServer: resolver.address, nonceRejectPercent: 0 })
    Object.assign(baseline, await zonesNow())
  })
  afterAll(async () => {
    await pebble?.stop()
    await resolver?.stop()
    await bind?.stop()
  })

  it('rfc8555 §8.4: the solver follows the CNAME, writes in delegated.test, and finds its servers by NS', async () => {
    const provider = recording(rfc2136Provider({ server: bind.address, tsig: key }))
    const { chainPem } = await issueCertificate({
      client: await pebbleClient(pebble),
      identifiers: ['*.example.test', 'example.test'],
      solvers: [
        dns01Solver({
          provider,
          resolvers: [resolver.address],
          nameserverPort: bind.port, // ns1.delegated.test is 127.0.0.1, on the test server's port
          propagationIntervalMs: 50,
          ttl: 1,
        }),
      ],
    })
    expect([...certificateInfo(chainPem).dnsNames].sort()).toEqual([
      '*.example.test',
      'example.test',
    ])
    expect(provider.calls.map((c) => [c.op, c.zone, c.records[0]?.name]).sort()).toEqual([
      ['add', 'delegated.test', target],
      ['add', 'delegated.test', target],
      ['delete', 'delegated.test', target],
      ['delete', 'delegated.test', target],
    ])
    expect(await zonesNow()).toEqual(baseline)
  })

  it('challengeName overrides the lookup: it works with resolvers that cannot see the CNAME', async () => {
    // This resolver knows only delegated.test: following the CNAME through it would fail.
    const blind = await startUnbound({
      stubs: [{ zone: 'delegated.test', host: bind.host, port: bind.port }],
    })
    try {
      const provider = recording(rfc2136Provider({ server: bind.address, tsig: key }))
      await issueCertificate({
        client: await pebbleClient(pebble),
        identifiers: ['example.test'],
        solvers: [
          dns01Solver({
            provider,
            resolvers: [blind.address],
            nameservers: [resolver.address], // a resolver: asked to recurse, it follows the CNAME
            challengeName: (name) => (name === '_acme-challenge.example.test' ? target : undefined),
            propagationIntervalMs: 50,
            ttl: 1,
          }),
        ],
      })
      expect(provider.calls[0]).toMatchObject({ op: 'add', zone: 'delegated.test' })
      expect(await zonesNow()).toEqual(baseline)
    } finally {
      await blind.stop()
    }
  })
})
