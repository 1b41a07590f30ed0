import { describe, expect, it } from 'vitest'
import { compareFencingTokens } from './compare-fencing-tokens.js'

describe('compareFencingTokens', () => {
  it('orders tokens as integers of any size, not as strings', () => {
    expect(compareFencingTokens('9', '10')).toBe(-1)
    expect(compareFencingTokens('1770000000000001', '1770000000000000')).toBe(1)
    expect(
      compareFencingTokens('123456789012345678901234567890', '123456789012345678901234567890'),
    ).toBe(0)
  })

  it('rejects what is not a token with ERR_CACHE_INVALID_OPTION', () => {
    for (const token of ['', 'abc', '-1', '1.5', ' 1']) {
      expect(() => compareFencingTokens(token, '1'), token).toThrow(
        expect.objectContaining({ name: 'CacheError', code: 'ERR_CACHE_INVALID_OPTION' }),
      )
    }
  })
})
