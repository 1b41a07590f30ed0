import { DnsError } from '@autotls/dns'
import type { DnsServer, TsigKey } from '@autotls/dns-servers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rfc2136Provider } from '../src/index.js'
import { newTsigKey, SERVERS } from './servers.js'

const zone = 'example.test'
const name = '_acme-challenge.example.test'
const signal = (): AbortSignal => AbortSignal.timeout(10_000)

describe.each(SERVERS)('rfc2136Provider against $name', ({ start }) => {
  let server: DnsServer
  let key: TsigKey
  let baseline: string[]
  beforeAll(async () => {
    key = newTsigKey()
    server = await start([{ name: zone }], key)
    baseline = await server.zoneRecords(zone)
  })
  afterAll(() => server?.stop())

  it('rfc2136 §2.5.1: an add appends a second value at a name; §2.5.4: a delete removes exactly one', async () => {
    const provider = rfc2136Provider({ server: server.address, tsig: key })
    await Promise.all([
      provider.addTxtRecords(zone, [{ name, value: 'first', ttl: 60 }], { signal: signal() }),
      provider.addTxtRecords(zone, [{ name, value: 'second', ttl: 60 }], { signal: signal() }),
    ])
    expect(await server.zoneRecords(zone)).toEqual(
      [...baseline, `${name}. IN TXT "first"`, `${name}. IN TXT "second"`].sort(),
    )
    await provider.deleteTxtRecords(zone, [{ name, value: 'first', ttl: 60 }], { signal: signal() })
    expect(await server.zoneRecords(zone)).toEqual([...baseline, `${name}. IN TXT "second"`].sort())
    // Absent records are fine; over TCP too.
    const overTcp = rfc2136Provider({ server: server.address, tsig: key, tcp: true })
    await overTcp.deleteTxtRecords(
      zone,
      [
        { name, value: 'first', ttl: 60 },
        { name, value: 'second', ttl: 60 },
      ],
      { signal: signal() },
    )
    expect(await server.zoneRecords(zone)).toEqual(baseline)
  })

  it('rfc8945 §5.2: a wrong TSIG secret is ERR_DNS_UPDATE_REJECTED naming NOTAUTH and BADSIG; nothing is written', async () => {
    const provider = rfc2136Provider({
      server: server.address,
      tsig: { name: key.name, secret: newTsigKey().secret },
    })
    const error = await provider
      .addTxtRecords(zone, [{ name, value: 'nope', ttl: 60 }], { signal: signal() })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DnsError)
    expect(error).toMatchObject({
      code: 'ERR_DNS_UPDATE_REJECTED',
      rcode: 'NOTAUTH (TSIG BADSIG)',
      server: server.address,
      record: name,
    })
    expect((error as Error).message).toContain('NOTAUTH')
    expect(await server.zoneRecords(zone)).toEqual(baseline)
  })

  it('an unknown key name is rejected with BADKEY', async () => {
    const provider = rfc2136Provider({ server: server.address, tsig: newTsigKey('stranger') })
    await expect(
      provider.addTxtRecords(zone, [{ name, value: 'nope', ttl: 60 }], { signal: signal() }),
    ).rejects.toMatchObject({ code: 'ERR_DNS_UPDATE_REJECTED', rcode: 'NOTAUTH (TSIG BADKEY)' })
    expect(await server.zoneRecords(zone)).toEqual(baseline)
  })

  it('an unsigned update is refused (BIND: REFUSED, Knot: NOTAUTH)', async () => {
    const provider = rfc2136Provider({ server: server.address })
    await expect(
      provider.addTxtRecords(zone, [{ name, value: 'nope', ttl: 60 }], { signal: signal() }),
    ).rejects.toMatchObject({
      code: 'ERR_DNS_UPDATE_REJECTED',
      rcode: expect.stringMatching(/^(REFUSED|NOTAUTH)$/),
    })
    expect(await server.zoneRecords(zone)).toEqual(baseline)
  })
})
