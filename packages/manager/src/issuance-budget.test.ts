import { describe, expect, it } from 'vitest'
import { IssuanceBudget } from './issuance-budget.js'

const limits = { maxOrders: 3, windowMs: 1000, maxOrdersPerDomain: 2, domainWindowMs: 5000 }

describe('IssuanceBudget', () => {
  it('refuses new names beyond the per-domain bound, counting subdomains of one registered domain together', () => {
    let now = 0
    const budget = new IssuanceBudget(limits, () => now)
    expect(budget.take('a.example.com', false)).toBe(true)
    expect(budget.take('b.example.com', false)).toBe(true)
    expect(budget.refusal('c.example.com')).toMatch(
      /example\.com is spent: raise issuanceBudget\.maxOrdersPerDomain/,
    )
    expect(budget.take('c.example.com', false)).toBe(false)
    expect(budget.take('a.example.net', false)).toBe(true)
    now = 5001
    expect(budget.take('c.example.com', false)).toBe(true)
  })

  it('refuses new names beyond the total bound until the window slides', () => {
    let now = 0
    const budget = new IssuanceBudget(limits, () => now)
    for (const name of ['a.one.test', 'a.two.test', 'a.three.test']) {
      expect(budget.take(name, false)).toBe(true)
    }
    expect(budget.refusal('a.four.test')).toMatch(/3 new orders per 1 s is spent/)
    now = 1001
    expect(budget.take('a.four.test', false)).toBe(true)
  })

  it('renewals always get their order (and count), so new names never starve them', () => {
    const budget = new IssuanceBudget(limits, () => 0)
    for (let i = 0; i < 5; i++) expect(budget.take('held.example.com', true)).toBe(true)
    expect(budget.take('new.example.org', false)).toBe(false)
  })

  it('false turns the budget off', () => {
    const budget = new IssuanceBudget(null, () => 0)
    for (let i = 0; i < 1000; i++) expect(budget.take(`n${i}.example.com`, false)).toBe(true)
  })
})
