import { describe, expect, it } from 'vitest'
import { NoncePool } from './nonce-pool.js'

describe('NoncePool (RFC 8555 §6.5)', () => {
  it('hands out the freshest nonce first, each once', () => {
    const pool = new NoncePool()
    pool.add('old')
    pool.add('new')
    expect(pool.take()).toBe('new')
    expect(pool.take()).toBe('old')
    expect(pool.take()).toBeUndefined()
  })

  it('rfc8555 §6.5.1: drops values that are not base64url', () => {
    const pool = new NoncePool()
    pool.add('has space')
    pool.add('a+b/c=')
    pool.add('')
    pool.add(null)
    expect(pool.size).toBe(0)
  })

  it('stays bounded', () => {
    const pool = new NoncePool({ max: 3 })
    for (const n of ['a', 'b', 'c', 'd', 'e']) pool.add(n)
    expect(pool.size).toBe(3)
    expect([pool.take(), pool.take(), pool.take()]).toEqual(['e', 'd', 'c'])
  })

  it('issue 19 §5: pooled nonces expire after maxAgeMs', () => {
    let time = 0
    const pool = new NoncePool({ maxAgeMs: 60_000, now: () => time })
    pool.add('a')
    time = 30_000
    pool.add('b')
    time = 60_001
    expect(pool.take()).toBe('b')
    expect(pool.take()).toBeUndefined()
    time = 100_000
    pool.add('c')
    time = 160_001
    expect(pool.take()).toBeUndefined()
    expect(pool.size).toBe(0)
  })
})
