import { randomBytes } from 'node:crypto'
import { dns01Solver } from '@autotls/dns'
import { rfc2136Provider } from '@autotls/dns-rfc2136'
import { type DnsServer, newTsigKey, startBind } from '@autotls/dns-servers'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { createManager, type Manager } from '../src/manager.js'
import type { ManagerEvent } from '../src/manager-event.js'
import { CountingStore, handshake, memoryLogger } from './helpers/env.js'

const zone = 'example.test'
const challenge = `_acme-challenge.${zone}.`

let bind: DnsServer
let tsigKey: ReturnType<typeof newTsigKey>
let pebble: Pebble
let roots: string[]
let baseline: string[]
let manager: Manager
let server: ManagedServer
const store = new CountingStore()
const events: ManagerEvent[] = []

beforeAll(async () => {
  const key = newTsigKey()
  tsigKey = key
  bind = await startBind({ zones: [{ name: zone }], tsigKey: key })
  // Pebble resolves every name through BIND (`* A 127.0.0.1`) and validates dns-01 there.
  pebble = await startPebble({ dnsServer: bind.address, nonceRejectPercent: 0 })
  roots = await pebble.roots()
  baseline = await bind.zoneRecords(zone)
  manager = createManager({
    hosts: ['*.example.test', 'exact.sub.example.test'],
    dns: dns01Solver({
      provider: rfc2136Provider({ server: bind.address, tsig: key }),
      resolvers: [bind.address],
      nameservers: [bind.address],
      propagationIntervalMs: 50,
      ttl: 1,
    }),
    cache: store,
    directoryUrl: pebble.directoryUrl,
    caPem: pebble.caPem,
    acceptTerms: true,
    keyTypes: ['ec-p256'],
    logger: memoryLogger(),
    onEvent: (event) => events.push(event),
  })
  server = manager.createServer((_req, res) => res.end('hello'))
  // On Pebble's tls-alpn-01 port: exact names keep answering over the same port.
  await new Promise<void>((resolve) => server.listen(pebble.tlsPort, '127.0.0.1', resolve))
}, 60_000)

afterAll(async () => {
  await manager?.close()
  await pebble?.stop()
  await bind?.stop()
})

function randomSubdomain(): string {
  return `${randomBytes(6).toString('hex')}.${zone}`
}

describe('DNS-01 in the manager: one wildcard certificate per *.example.test pattern', () => {
  it('rfc8555 §7.1.3: 1,000 handshakes for 1,000 random subdomains cause one order, each served *.example.test + example.test', async () => {
    const orders = pebble.orderCount()
    const names = Array.from({ length: 1000 }, randomSubdomain)
    expect(new Set(names).size).toBe(1000)
    const serials = new Set<string>()
    const sans = new Set<string>()
    let next = 0
    // 25 real TLS clients at a time, each verifying the chain against Pebble's root and its name.
    const client = async (): Promise<void> => {
      for (let name = names[next++]; name; name = names[next++]) {
        const cert = await handshake(pebble.tlsPort, name, { ca: roots })
        serials.add(cert.serialNumber)
        sans.add(cert.subjectaltname ?? '')
      }
    }
    await Promise.all(Array.from({ length: 25 }, client))
    expect(pebble.orderCount()).toBe(orders + 1)
    expect(pebble.logs().split('Added order').length - 1).toBe(orders + 1)
    expect(serials.size).toBe(1)
    expect(sans).toEqual(new Set(['DNS:*.example.test, DNS:example.test']))
    expect(manager.certificates().map((c) => c.name)).toEqual(['*.example.test'])
    // One identity in the cache, under the `+` spelling of the pattern.
    expect(store.puts).toContain('v1/certs/+.example.test/ec-p256')
    expect(events.filter((e) => e.type === 'obtained')).toEqual([
      expect.objectContaining({ name: '*.example.test', keyType: 'ec-p256' }),
    ])
    // The apex is covered by the same certificate and served it.
    const apex = await handshake(pebble.tlsPort, zone, { ca: roots })
    expect(serials.has(apex.serialNumber)).toBe(true)
    expect(pebble.orderCount()).toBe(orders + 1)
    // Both TXT values were withdrawn: the zone is as before.
    const records = await bind.zoneRecords(zone)
    expect(records.filter((line) => line.startsWith(challenge))).toEqual([])
    expect(records).toEqual(baseline)
  }, 180_000)

  it('renews the wildcard certificate like any other: one order, the new one served to every subdomain', async () => {
    const orders = pebble.orderCount()
    const before = await handshake(pebble.tlsPort, randomSubdomain(), { ca: roots })
    await manager.renew('renew-me.example.test')
    expect(pebble.orderCount()).toBe(orders + 1)
    const after = await handshake(pebble.tlsPort, randomSubdomain(), { ca: roots })
    expect(after.serialNumber).not.toBe(before.serialNumber)
    expect(after.subjectaltname).toBe('DNS:*.example.test, DNS:example.test')
    expect((await handshake(pebble.tlsPort, zone, { ca: roots })).serialNumber).toBe(
      after.serialNumber,
    )
    expect(events.filter((e) => e.type === 'renewed').map((e) => e.name)).toEqual([
      '*.example.test',
    ])
    expect(manager.certificates().map((c) => c.name)).toEqual(['*.example.test'])
    expect(await bind.zoneRecords(zone)).toEqual(baseline)
  }, 60_000)

  it('an exact name outside the pattern keeps tls-alpn-01 and gets a certificate of its own', async () => {
    const orders = pebble.orderCount()
    const cert = await handshake(pebble.tlsPort, 'exact.sub.example.test', { ca: roots })
    expect(cert.subjectaltname).toBe('DNS:exact.sub.example.test')
    expect(pebble.orderCount()).toBe(orders + 1)
    // Its tls-alpn-01 answer was published (memory and cache); the zone never changed.
    expect(store.puts).toContain('v1/challenges/tls-alpn-01/exact.sub.example.test')
    expect(await bind.zoneRecords(zone)).toEqual(baseline)
  }, 60_000)

  it('a name two labels under the pattern is outside it: refused before any order', async () => {
    const orders = pebble.orderCount()
    const error = await handshake(pebble.tlsPort, `a.b.${zone}`, { ca: roots }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(Error)
    expect(pebble.orderCount()).toBe(orders)
  })

  it("challenges: ['dns-01'] obtains an exact name over DNS, with no server answering challenges", async () => {
    const orders = pebble.orderCount()
    const dnsOnly = createManager({
      hosts: ['dns-only.other.example.test'],
      dns: dns01Solver({
        provider: rfc2136Provider({ server: bind.address, tsig: tsigKey }),
        resolvers: [bind.address],
        nameservers: [bind.address],
        propagationIntervalMs: 50,
        ttl: 1,
      }),
      challenges: ['dns-01'],
      directoryUrl: pebble.directoryUrl,
      caPem: pebble.caPem,
      acceptTerms: true,
      keyTypes: ['ec-p256'],
      logger: memoryLogger(),
    })
    try {
      await dnsOnly.manage(['dns-only.other.example.test'])
      expect(dnsOnly.certificates().map((c) => c.name)).toEqual(['dns-only.other.example.test'])
      expect(pebble.orderCount()).toBe(orders + 1)
      expect(await bind.zoneRecords(zone)).toEqual(baseline)
    } finally {
      await dnsOnly.close()
    }
  }, 60_000)
})
