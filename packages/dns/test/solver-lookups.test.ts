import { type DnsServer, startBind } from '@autotls/dns-servers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DnsError, type DnsProvider, dns01Solver } from '../src/index.js'

/** A provider that must not be reached: these failures happen before any write. */
const untouched: DnsProvider & { calls: number } = {
  calls: 0,
  async addTxtRecords() {
    untouched.calls++
  },
  async deleteTxtRecords() {
    untouched.calls++
  },
}

const args = (value: string) => ({
  identifier: { type: 'dns' as const, value },
  token: 't',
  keyAuthorization: 't.x',
  signal: AbortSignal.timeout(10_000),
})

describe('dns01Solver lookups against BIND', () => {
  let bind: DnsServer
  beforeAll(async () => {
    bind = await startBind({
      zones: [
        {
          name: 'example.test',
          records: [
            '_acme-challenge.loop CNAME _acme-challenge.loop2.example.test.',
            '_acme-challenge.loop2 CNAME _acme-challenge.loop.example.test.',
          ],
        },
      ],
    })
  })
  afterAll(() => bind?.stop())

  it('a CNAME loop is ERR_DNS_CNAME_LOOP naming the record; nothing is written', async () => {
    const solver = dns01Solver({ provider: untouched, resolvers: [bind.address] })
    const error = await solver.present(args('loop.example.test')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DnsError)
    expect(error).toMatchObject({
      code: 'ERR_DNS_CNAME_LOOP',
      record: '_acme-challenge.loop.example.test',
    })
    expect(untouched.calls).toBe(0)
  })

  it('a name no resolver serves fails naming the server and its response code', async () => {
    const solver = dns01Solver({ provider: untouched, resolvers: [bind.address] })
    await expect(solver.present(args('example.invalid'))).rejects.toMatchObject({
      code: 'ERR_DNS_QUERY_FAILED',
      server: bind.address,
      rcode: 'REFUSED',
    })
    expect(untouched.calls).toBe(0)
  })

  it('cleanup of a challenge it never published does nothing', async () => {
    const solver = dns01Solver({ provider: untouched, resolvers: [bind.address] })
    await solver.cleanup(args('example.test'))
    expect(untouched.calls).toBe(0)
  })

  it('options are checked at creation with ERR_DNS_INVALID_ARGUMENT', () => {
    expect(() => dns01Solver({ provider: untouched, resolvers: [] })).toThrow(
      expect.objectContaining({ code: 'ERR_DNS_INVALID_ARGUMENT' }),
    )
    expect(() => dns01Solver({ provider: untouched, resolvers: ['ns1.example.test'] })).toThrow(
      expect.objectContaining({ code: 'ERR_DNS_INVALID_ARGUMENT' }),
    )
    expect(() => dns01Solver({ provider: untouched, resolvers: [bind.address], ttl: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_DNS_INVALID_ARGUMENT' }),
    )
  })
})
