import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  AUTHORIZATION_POLLS,
  backoffDelay,
  firstPollDelay,
  ORDER_POLLS,
  pollDelay,
} from './backoff.js'

describe('back-off', () => {
  it('jittered exponential back-off stays within [ceiling/2, ceiling] and never passes maxMs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, r) => {
          const delay = backoffDelay(attempt, { baseMs: 250, maxMs: 8000, random: () => r })
          const ceiling = Math.min(8000, 250 * 2 ** attempt)
          return delay >= ceiling / 2 && delay <= ceiling
        },
      ),
    )
  })
})

describe('poll schedule without Retry-After (issue 19 §4)', () => {
  it('authorizations: about 1 s first, growing by half to 5 s, ±20 %', () => {
    const mid = (a: number) => pollDelay(a, AUTHORIZATION_POLLS, () => 0.5)
    expect([0, 1, 2, 3, 4, 5, 30].map(mid)).toEqual([1000, 1500, 2250, 3375, 5000, 5000, 5000])
    expect(pollDelay(0, AUTHORIZATION_POLLS, () => 0)).toBe(800)
    expect(pollDelay(0, AUTHORIZATION_POLLS, () => 0.999999)).toBe(1200)
  })

  it('orders being issued: 5 ms after finalize, then 20 ms, 80 ms, … to 5 s, never two polls within 20 ms', () => {
    expect(firstPollDelay(ORDER_POLLS, () => 0.5)).toBe(5)
    expect(firstPollDelay(ORDER_POLLS, () => 0)).toBe(4)
    const mid = (a: number) => pollDelay(a, ORDER_POLLS, () => 0.5)
    expect([1, 2, 3, 4, 5, 6].map(mid)).toEqual([20, 80, 320, 1280, 5000, 5000])
    expect(pollDelay(0, ORDER_POLLS, () => 0.5)).toBe(20)
  })

  it('never below the floor, never above the cap plus jitter, whatever the draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, r) =>
          [AUTHORIZATION_POLLS, ORDER_POLLS].every((s) => {
            const d = pollDelay(attempt, s, () => r)
            return d >= s.floorMs && d <= s.maxMs * (1 + s.jitter)
          }),
      ),
    )
  })

  it('parallel issuances drift apart: 20 draws of the same step differ', () => {
    let seed = 1
    const random = () => {
      seed = (seed * 16807) % 2147483647
      return seed / 2147483647
    }
    const firsts = Array.from({ length: 20 }, () => pollDelay(0, AUTHORIZATION_POLLS, random))
    expect(new Set(firsts).size).toBeGreaterThan(15)
    expect(Math.max(...firsts) - Math.min(...firsts)).toBeGreaterThan(200)
  })
})
