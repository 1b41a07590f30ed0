import type { AcmeClient } from '@autotls/acme'
import { createCsr, generateKeyPair } from '@autotls/crypto'
import { dnsPersistRecord } from '@autotls/dns'
import { type DnsServer, newTsigKey, startBind, type TsigKey } from '@autotls/dns-servers'
import { findPebbleInstall, type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rfc2136Provider } from '../src/index.js'
import { pebbleClient, recording } from './helpers.js'

const install = await findPebbleInstall()
const zone = 'example.test'

/** One order for the names, every pending authorization answered with dns-persist-01. */
async function orderWithPersist(client: AcmeClient, names: string[]): Promise<string> {
  const identifiers = names.map((value) => ({ type: 'dns' as const, value }))
  const order = await client.newOrder({ identifiers })
  for (const url of order.authorizations) {
    const authz = await client.getAuthorization(url)
    if (authz.status === 'valid') continue
    const challenge = authz.challenges.find((c) => c.type === 'dns-persist-01')
    if (!challenge) throw new Error(`the CA offers ${authz.challenges.map((c) => c.type)}`)
    await client.respondToChallenge(challenge)
    await client.waitForAuthorization(url)
  }
  const key = await generateKeyPair('ec-p256')
  const csr = await createCsr({ key, identifiers })
  const valid = await client.waitForOrder(await client.finalizeOrder(order, csr.der))
  return (await client.downloadCertificate(valid)).chainPem
}

describe(
  `dns-persist-01: one persistent record, no DNS write per order (${install.description})`,
  install.requires('dnsPersist01'),
  () => {
    let key: TsigKey
    let bind: DnsServer
    let pebble: Pebble
    beforeAll(async () => {
      key = newTsigKey()
      bind = await startBind({ zones: [{ name: zone }], tsigKey: key })
      pebble = await startPebble({
        dnsServer: bind.address,
        nonceRejectPercent: 0,
        authzReusePercent: 0,
      })
    })
    afterAll(async () => {
      await pebble?.stop()
      await bind?.stop()
    })

    it('a record with policy=wildcard published once validates two wildcard orders', async () => {
      const client = await pebbleClient(pebble)
      const issuer = (await client.directory()).meta.caaIdentities?.[0]
      expect(issuer).toBeDefined()
      const provider = recording(rfc2136Provider({ server: bind.address, tsig: key }))
      const record = dnsPersistRecord({
        name: zone,
        issuerDomainName: issuer ?? '',
        accountUri: client.accountUrl ?? '',
        wildcard: true,
      })
      await provider.addTxtRecords(zone, [record], { signal: AbortSignal.timeout(5000) })
      for (let i = 0; i < 2; i++) {
        expect(await orderWithPersist(client, ['*.example.test', 'example.test'])).toContain(
          'BEGIN CERTIFICATE',
        )
      }
      expect(provider.calls).toHaveLength(1)
      expect(await bind.zoneRecords(zone)).toContain(
        `_validation-persist.example.test. IN TXT "${record.value}"`,
      )
    })

    it("another account's record does not validate", async () => {
      const owner = await pebbleClient(pebble)
      const other = await pebbleClient(pebble)
      const issuer = (await owner.directory()).meta.caaIdentities?.[0] ?? ''
      const provider = rfc2136Provider({ server: bind.address, tsig: key })
      await provider.addTxtRecords(
        zone,
        [
          dnsPersistRecord({
            name: 'only-owner.example.test',
            issuerDomainName: issuer,
            accountUri: owner.accountUrl ?? '',
          }),
        ],
        { signal: AbortSignal.timeout(5000) },
      )
      await expect(orderWithPersist(other, ['only-owner.example.test'])).rejects.toMatchObject({
        code: 'ERR_ACME_AUTHORIZATION_INVALID',
        message: expect.stringContaining('accounturi mismatch'),
      })
      expect(await orderWithPersist(owner, ['only-owner.example.test'])).toContain(
        'BEGIN CERTIFICATE',
      )
    })
  },
)
