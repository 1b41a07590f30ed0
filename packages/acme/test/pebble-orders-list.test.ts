import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { transcriptClient } from './ca-transcript.js'

describe('the account orders list (RFC 8555 §7.1.2.1) against Pebble', () => {
  let pebble: Pebble

  beforeAll(async () => {
    pebble = await startPebble({ nonceRejectPercent: 0, ordersPerPage: 2 })
  })
  afterAll(async () => {
    await pebble?.stop()
  })

  it('rfc8555 §7.1.2.1: lists the account orders across Link rel="next" pages', async () => {
    const { client, exchanges } = await transcriptClient(pebble)
    const made: string[] = []
    for (let i = 0; i < 5; i++) {
      const order = await client.newOrder({
        identifiers: [{ type: 'dns', value: `${i}.list.test` }],
      })
      made.push(order.url)
    }
    expect([...(await client.listOrders())].sort()).toEqual([...made].sort())
    const { orders } = await client.account()
    const pages = exchanges((e) => e.url.startsWith(orders as string) && e.method === 'POST')
    // Two orders a page: three pages, the second and third reached through Link rel="next".
    expect(pages.map((e) => e.status)).toEqual([200, 200, 200])
  })
})
