import { certificateInfo, chainInfo } from '@autotls/crypto'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueCertificate } from '../src/index.js'
import { pebbleClient } from './pebble-client.js'
import { http01Responder, type Responder } from './responders.js'

let pebble: Pebble
let http: Responder

beforeAll(async () => {
  pebble = await startPebble({ nonceRejectPercent: 0, alternateRoots: 2 })
  http = await http01Responder(pebble.httpPort)
})
afterAll(async () => {
  await http?.close()
  await pebble?.stop()
})

function commonName(dn: string): string {
  return /CN=([^,]+)/.exec(dn)?.[1]?.trim() ?? dn
}

describe('alternate chains (RFC 8555 §7.4.2, Link rel="alternate")', () => {
  it('offers two alternates besides the default chain', async () => {
    const client = await pebbleClient(pebble)
    const order = await client.newOrder({
      identifiers: [{ type: 'dns', value: 'alt.example.test' }],
    })
    expect(order.status).toBe('pending')
    const { chainPem } = await issueCertificate({
      client,
      identifiers: ['alt.example.test'],
      solvers: [http.solver],
    })
    const url = (await client.listOrders()).at(-1) as string
    const done = await client.getOrder(url)
    const chain = await client.downloadCertificate(done)
    expect(chain.alternates).toHaveLength(2)
    expect(chainInfo(chainPem).length).toBeGreaterThan(1)
  })

  it('selects each root by its issuer common name', async () => {
    const roots = await pebble.roots()
    expect(roots).toHaveLength(3)
    const client = await pebbleClient(pebble)
    const seenTops = new Set<string>()
    for (const [index, root] of roots.entries()) {
      const rootName = commonName(certificateInfo(root).subject)
      const { chainPem } = await issueCertificate({
        client,
        identifiers: [`chain${index}.example.test`],
        solvers: [http.solver],
        preferredChain: rootName,
      })
      const top = chainInfo(chainPem).at(-1)
      expect(commonName(top?.issuer ?? '')).toBe(rootName)
      seenTops.add(rootName)
    }
    expect(seenTops.size).toBe(3)
  })

  it('an unknown preferred name falls back to the default chain', async () => {
    const client = await pebbleClient(pebble)
    const [defaultRoot] = await pebble.roots()
    const { chainPem } = await issueCertificate({
      client,
      identifiers: ['nochain.example.test'],
      solvers: [http.solver],
      preferredChain: 'No Such Root',
    })
    expect(commonName(chainInfo(chainPem).at(-1)?.issuer ?? '')).toBe(
      commonName(certificateInfo(defaultRoot as string).subject),
    )
  })
})
