import { describe, expect, it } from 'vitest'
import { RequestPacer } from './request-pacer.js'

describe('RequestPacer', () => {
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
