import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { assertValidKey, isValidKey, MAX_KEY_LENGTH } from './valid-key.js'

describe('isValidKey', () => {
  it('accepts /-separated segments of [a-z0-9._+-]', () => {
    for (const key of ['a', 'v1/certs/+.example.com/ec-p256', 'v1/a_b/c-d/e+f/g.h', '0/9']) {
      expect(isValidKey(key), key).toBe(true)
    }
  })

  it('never accepts an empty segment, "." or "..", or a segment starting with "."', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (key) => {
        if (!isValidKey(key)) return
        for (const segment of key.split('/')) {
          expect(segment.length).toBeGreaterThan(0)
          expect(segment.startsWith('.')).toBe(false)
          expect(segment).toMatch(/^[a-z0-9._+-]+$/)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it(`rejects keys longer than ${MAX_KEY_LENGTH} characters`, () => {
    const segment = 'a'.repeat(200)
    const long = Array.from({ length: 6 }, () => segment).join('/')
    expect(long.length).toBeGreaterThan(MAX_KEY_LENGTH)
    expect(isValidKey(long)).toBe(false)
    expect(isValidKey(long.slice(0, MAX_KEY_LENGTH).replace(/\/$/, 'a'))).toBe(true)
  })

  it('assertValidKey throws CacheError ERR_CACHE_INVALID_KEY with a message saying how to build keys', () => {
    expect(() => assertValidKey('../x')).toThrow(/layout functions/)
    try {
      assertValidKey('../x')
    } catch (error) {
      expect(error).toMatchObject({ name: 'CacheError', code: 'ERR_CACHE_INVALID_KEY' })
    }
  })
})
