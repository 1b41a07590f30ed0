import { describe, expect, it } from 'vitest'
import { SecureContextCache } from './secure-context-cache.js'

describe('SecureContextCache', () => {
  it('evicts the least recently used entry beyond capacity', () => {
    const lru = new SecureContextCache<number>(2)
    lru.set('a', 1)
    lru.set('b', 2)
    expect(lru.get('a')).toBe(1)
    lru.set('c', 3)
    expect(lru.get('b')).toBeUndefined()
    expect(lru.get('a')).toBe(1)
    expect(lru.get('c')).toBe(3)
    expect(lru.size).toBe(2)
  })

  it('holds tens of thousands of names within its bound', () => {
    const lru = new SecureContextCache<string>(1000)
    for (let i = 0; i < 50_000; i++) lru.set(`host${i}.example/ec-p256`, `ctx${i}`)
    expect(lru.size).toBe(1000)
    expect(lru.get('host49999.example/ec-p256')).toBe('ctx49999')
    expect(lru.get('host0.example/ec-p256')).toBeUndefined()
  })

  it('replacing a key refreshes it without growing', () => {
    const lru = new SecureContextCache<number>(2)
    lru.set('a', 1)
    lru.set('b', 2)
    lru.set('a', 3)
    lru.set('c', 4)
    expect(lru.get('a')).toBe(3)
    expect(lru.get('b')).toBeUndefined()
    expect(lru.delete('a')).toBe(true)
    lru.clear()
    expect(lru.size).toBe(0)
  })

  it('an entry read since the last eviction scan is passed over once; an unread one goes first', () => {
    const lru = new SecureContextCache<number>(3)
    lru.set('a', 1)
    lru.set('b', 2)
    lru.set('c', 3)
    lru.get('a')
    lru.get('b')
    lru.set('d', 4)
    expect(lru.get('c')).toBeUndefined()
    lru.set('e', 5)
    expect(lru.get('d')).toBeUndefined()
    expect([lru.get('a'), lru.get('b'), lru.get('e')]).toEqual([1, 2, 5])
    expect(lru.size).toBe(3)
  })

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new SecureContextCache(0)).toThrow(RangeError)
  })
})
