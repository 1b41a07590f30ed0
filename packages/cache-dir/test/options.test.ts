import { CacheError } from '@autotls/cache'
import { describe, expect, it } from 'vitest'
import { dirCache } from '../src/index.js'

describe('dirCache options', () => {
  it('rejects every malformed factory option with ERR_CACHE_INVALID_OPTION, naming what to fix', () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /needs options/],
      [null, /needs options/],
      [{}, /needs \{ dir \}/],
      [{ dir: '' }, /needs \{ dir \}/],
      [{ dir: 42 }, /needs \{ dir \}/],
      [{ dir: 'a\0b' }, /needs \{ dir \}/],
      [{ dir: '/tmp/x', now: 'soon' }, /now must be a function/],
    ]
    for (const [options, message] of cases) {
      let thrown: unknown
      try {
        dirCache(options as never)
      } catch (error) {
        thrown = error
      }
      expect(thrown, JSON.stringify(options)).toBeInstanceOf(CacheError)
      expect(thrown).toMatchObject({ code: 'ERR_CACHE_INVALID_OPTION', message })
    }
  })
})
