import { describe, expect, it } from 'vitest'
import { rotations } from '../src/rotations.js'
import { median, percentile } from '../src/stats.js'

describe('percentile', () => {
  it('takes the nearest rank: the smallest sample with p% of samples at or below it', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i) // 100..1, unsorted on purpose
    expect(percentile(values, 50)).toBe(50)
    expect(percentile(values, 99)).toBe(99)
    expect(percentile(values, 100)).toBe(100)
    expect(percentile([5, 1, 3, 2, 4], 99)).toBe(5)
    expect(percentile([7], 1)).toBe(7)
  })

  it('is NaN without samples rather than a made-up number', () => {
    expect(percentile([], 50)).toBeNaN()
  })
})

describe('median', () => {
  it('is the middle sample of an odd count and the mean of the two middle ones of an even count', () => {
    expect(median([9, 1, 5])).toBe(5)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBeNaN()
  })

  it('does not reorder its input', () => {
    const values = [3, 1, 2]
    median(values)
    expect(values).toEqual([3, 1, 2])
  })
})

describe('rotations', () => {
  it('rotates the order by one per round so no contestant always goes first', () => {
    expect(rotations(['a', 'b', 'c'], 4)).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c', 'a'],
      ['c', 'a', 'b'],
      ['a', 'b', 'c'],
    ])
  })
})
