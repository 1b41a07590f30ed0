import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { backoffDelay, pollDelay } from './backoff.js'

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

  it('polls start at firstMs and grow by half to the cap', () => {
    const delays = Array.from({ length: 12 }, (_, i) => pollDelay(i, { firstMs: 100, maxMs: 3000 }))
    expect(delays.slice(0, 4)).toEqual([100, 150, 225, 338])
    expect(delays.at(-1)).toBe(3000)
  })
})
