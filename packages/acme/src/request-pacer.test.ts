import { describe, expect, it } from 'vitest'
import { NEW_NONCE_PACE, NEW_ORDER_PACE, REQUEST_PACE } from './acme-http.js'
import { RequestPacer } from './request-pacer.js'

/** Let's Encrypt's per-IP "Overall Requests" limits: https://letsencrypt.org/docs/rate-limits/ */
const LETS_ENCRYPT = {
  acme: { perSecond: 250, burst: 125 },
  newNonce: { perSecond: 20, burst: 10 },
  newOrder: { perSecond: 300, burst: 200 },
}

describe("the client pace (issue 19: well under Let's Encrypt)", () => {
  it('sustains at most a third of the /acme/ rate, and its busiest second at most half of that bucket', () => {
    expect(REQUEST_PACE.perSecond).toBeLessThanOrEqual(LETS_ENCRYPT.acme.perSecond / 3)
    expect(REQUEST_PACE.burst + REQUEST_PACE.perSecond).toBeLessThanOrEqual(
      (LETS_ENCRYPT.acme.burst + LETS_ENCRYPT.acme.perSecond) / 2,
    )
  })

  it("newOrder, counted on its own as Let's Encrypt does, at most a tenth of its rate and a quarter of its burst", () => {
    expect(NEW_ORDER_PACE.perSecond).toBeLessThanOrEqual(LETS_ENCRYPT.newOrder.perSecond / 10)
    expect(NEW_ORDER_PACE.burst).toBeLessThanOrEqual(LETS_ENCRYPT.newOrder.burst / 4)
  })

  it('newNonce at most half its own limit', () => {
    expect(NEW_NONCE_PACE.perSecond).toBeLessThanOrEqual(LETS_ENCRYPT.newNonce.perSecond / 2)
    expect(NEW_NONCE_PACE.burst).toBeLessThanOrEqual(LETS_ENCRYPT.newNonce.burst / 2)
  })
})

describe('RequestPacer', () => {
  it('urgent requests go first: while one waits, others leave it the next token', () => {
    let time = 0
    const pacer = new RequestPacer({ perSecond: 10, burst: 2, now: () => time })
    expect([pacer.reserve(), pacer.reserve()]).toEqual([0, 0])
    expect(pacer.reserve(true)).toBe(100)
    const done = pacer.waitUrgent()
    time = 100
    expect(pacer.reserve()).toBe(100)
    expect(pacer.reserve(true)).toBe(0)
    done()
    time = 200
    expect(pacer.reserve()).toBe(0)
  })

  it('with more urgent requests waiting than the burst, another one goes once the bucket is full', () => {
    let time = 0
    const pacer = new RequestPacer({ perSecond: 10, burst: 2, now: () => time })
    expect([pacer.reserve(), pacer.reserve()]).toEqual([0, 0])
    const waiting = [pacer.waitUrgent(), pacer.waitUrgent(), pacer.waitUrgent()]
    expect(pacer.reserve()).toBe(200)
    time = 200
    expect(pacer.reserve()).toBe(0)
    expect(pacer.reserve(true)).toBe(0)
    for (const done of waiting) done()
  })

  it('lets a burst through, then one request per 1/perSecond', () => {
    let time = 0
    const pacer = new RequestPacer({ perSecond: 10, burst: 3, now: () => time })
    expect([pacer.reserve(), pacer.reserve(), pacer.reserve()]).toEqual([0, 0, 0])
    expect(pacer.reserve()).toBe(100)
    time = 50
    expect(pacer.reserve()).toBe(50)
    time = 100
    expect(pacer.reserve()).toBe(0)
    time = 10_000
    expect([pacer.reserve(), pacer.reserve(), pacer.reserve(), pacer.reserve() > 0]).toEqual([
      0,
      0,
      0,
      true,
    ])
  })
})
