import { startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AcmeClient, issueCertificate } from '../src/index.js'
import { pebbleClient } from './pebble-client.js'
import { http01Responder, type Responder } from './responders.js'

// Pebble is told to reuse every valid authorization it holds (PEBBLE_AUTHZREUSE=100 is exact;
// 0 is not: Pebble still reuses about one time in a hundred). Whether the second order needs a
// challenge is then decided by the state of the first authorization alone.
let pebble: Awaited<ReturnType<typeof startPebble>>
let http: Responder

beforeAll(async () => {
  pebble = await startPebble({ nonceRejectPercent: 0, authzReusePercent: 100 })
  http = await http01Responder(pebble.httpPort)
})
afterAll(async () => {
  await http?.close()
  await pebble?.stop()
})

async function issueTwice(
  name: string,
  between: (client: AcmeClient, orderUrl: string) => Promise<void>,
): Promise<number> {
  const client = await pebbleClient(pebble)
  const before = http.calls.present
  const first = await issueCertificate({ client, identifiers: [name], solvers: [http.solver] })
  expect(http.calls.present - before).toBe(1)
  await between(client, first.orderUrl)
  await issueCertificate({ client, identifiers: [name], solvers: [http.solver] })
  expect(http.calls.cleanup).toBe(http.calls.present)
  return http.calls.present - before
}

describe('authorization reuse (RFC 8555 §7.1.4)', () => {
  it('a second order whose authorization the CA reuses as valid solves no challenge', async () => {
    expect(await issueTwice('reuse.example.test', async () => {})).toBe(1)
  })

  it('rfc8555 §7.5.2: after the valid authorization is deactivated, the second order solves its challenge again', async () => {
    const presents = await issueTwice('deactivated.example.test', async (client, orderUrl) => {
      const order = await client.getOrder(orderUrl)
      expect(order.authorizations).toHaveLength(1)
      const url = order.authorizations[0] as string
      const authz = await client.deactivateAuthorization(url)
      expect(authz.status).toBe('deactivated')
      expect((await client.getAuthorization(url)).status).toBe('deactivated')
    })
    expect(presents).toBe(2)
  })
})
