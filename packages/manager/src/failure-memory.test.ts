import { describe, expect, it } from 'vitest'
import { FailureMemory } from './failure-memory.js'

describe('FailureMemory', () => {
  it('remembers a failure for its TTL only', () => {
    let now = 0
    const memory = new FailureMemory(10, () => now)
    memory.remember('a/ec-p256', new Error('boom'), 100)
    expect(memory.recent('a/ec-p256')?.error.message).toBe('boom')
    now = 100
    expect(memory.recent('a/ec-p256')).toBeUndefined()
    expect(memory.size).toBe(0)
  })

  it('stays at its capacity however many distinct names fail, forgetting the oldest first', () => {
    const memory = new FailureMemory(100, () => 0)
    for (let i = 0; i < 100_000; i++) memory.remember(`n${i}.test/ec-p256`, new Error('x'), 60_000)
    expect(memory.size).toBe(100)
    expect(memory.recent('n0.test/ec-p256')).toBeUndefined()
    expect(memory.recent('n99999.test/ec-p256')).toBeDefined()
  })
})
