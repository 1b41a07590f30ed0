import { DnsError } from '@autotls/dns'
import { type PowerDnsServer, startPowerDns } from '@autotls/dns-servers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { powerDnsProvider } from '../src/index.js'

const zone = 'example.test'
const name = '_acme-challenge.example.test'
const signal = (): AbortSignal => AbortSignal.timeout(10_000)

describe('powerDnsProvider against pdns-server', () => {
  let pdns: PowerDnsServer
  let baseline: string[]
  beforeAll(async () => {
    pdns = await startPowerDns({ zones: [{ name: zone }] })
    baseline = await pdns.zoneRecords(zone)
  })
  afterAll(() => pdns?.stop())

  it('concurrent adds append to one RRset; a delete removes exactly one value; absent is fine', async () => {
    const provider = powerDnsProvider({ apiUrl: pdns.apiUrl, apiKey: pdns.apiKey })
    await Promise.all(
      ['first', 'second', 'third'].map((value) =>
        provider.addTxtRecords(zone, [{ name, value, ttl: 60 }], { signal: signal() }),
      ),
    )
    expect(await pdns.zoneRecords(zone)).toEqual(
      [
        ...baseline,
        `${name}. IN TXT "first"`,
        `${name}. IN TXT "second"`,
        `${name}. IN TXT "third"`,
      ].sort(),
    )
    await Promise.all(
      ['first', 'third', 'never-there'].map((value) =>
        provider.deleteTxtRecords(zone, [{ name, value, ttl: 60 }], { signal: signal() }),
      ),
    )
    expect(await pdns.zoneRecords(zone)).toEqual([...baseline, `${name}. IN TXT "second"`].sort())
    await provider.deleteTxtRecords(zone, [{ name, value: 'second', ttl: 60 }], {
      signal: signal(),
    })
    expect(await pdns.zoneRecords(zone)).toEqual(baseline)
  })

  it('a wrong API key is ERR_DNS_PROVIDER_FAILED naming the status, the record and the API', async () => {
    const provider = powerDnsProvider({ apiUrl: pdns.apiUrl, apiKey: 'wrong' })
    const error = await provider
      .addTxtRecords(zone, [{ name, value: 'nope', ttl: 60 }], { signal: signal() })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DnsError)
    expect(error).toMatchObject({
      code: 'ERR_DNS_PROVIDER_FAILED',
      record: name,
      server: pdns.apiUrl,
    })
    expect((error as Error).message).toMatch(/401.*check apiKey/)
    expect(await pdns.zoneRecords(zone)).toEqual(baseline)
  })

  it('a zone PowerDNS does not serve is ERR_DNS_PROVIDER_FAILED', async () => {
    const provider = powerDnsProvider({ apiUrl: pdns.apiUrl, apiKey: pdns.apiKey })
    await expect(
      provider.addTxtRecords(
        'other.test',
        [{ name: '_acme-challenge.other.test', value: 'x', ttl: 60 }],
        {
          signal: signal(),
        },
      ),
    ).rejects.toMatchObject({ code: 'ERR_DNS_PROVIDER_FAILED' })
  })

  it('an answer to its GET that breaks off or lists no rrsets leaves the record set alone (it is rewritten whole)', async () => {
    const real = powerDnsProvider({ apiUrl: pdns.apiUrl, apiKey: pdns.apiKey })
    await real.addTxtRecords(zone, [{ name, value: 'other-replica', ttl: 60 }], {
      signal: signal(),
    })
    const before = await pdns.zoneRecords(zone)
    const broken: Record<string, () => Response> = {
      'no rrsets': () => new Response('{}', { status: 200 }),
      'cut short': () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"rrsets": ['))
              controller.error(new Error('connection reset'))
            },
          }),
          { status: 200 },
        ),
    }
    for (const [what, answer] of Object.entries(broken)) {
      let patches = 0
      const provider = powerDnsProvider({
        apiUrl: pdns.apiUrl,
        apiKey: pdns.apiKey,
        fetch: (url, init) => {
          if (init?.method === 'PATCH') patches++
          return init?.method === 'GET' ? Promise.resolve(answer()) : fetch(url, init)
        },
      })
      await expect(
        provider.deleteTxtRecords(zone, [{ name, value: 'mine', ttl: 60 }], { signal: signal() }),
        what,
      ).rejects.toBeInstanceOf(DnsError)
      expect(patches, what).toBe(0)
    }
    expect(await pdns.zoneRecords(zone)).toEqual(before)
    await real.deleteTxtRecords(zone, [{ name, value: 'other-replica', ttl: 60 }], {
      signal: signal(),
    })
  })
})
