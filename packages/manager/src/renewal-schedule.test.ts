import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nextRenewalCheck, renewalTime, retryDelay } from './renewal-schedule.js'

const DAY = 86_400_000
const t0 = Date.UTC(2026, 0, 1)

describe('renewalTime', () => {
  it('renews a 90-day certificate when one third of its lifetime is left', () => {
    expect(renewalTime({ notBefore: t0, notAfter: t0 + 90 * DAY, random: () => 0 })).toBe(
      t0 + 60 * DAY,
    )
  })

  it('renews a certificate shorter than ten days at half its lifetime (6-day certificates)', () => {
    expect(renewalTime({ notBefore: t0, notAfter: t0 + 6 * DAY, random: () => 0 })).toBe(
      t0 + 3 * DAY,
    )
    expect(renewalTime({ notBefore: t0, notAfter: t0 + 20_000, random: () => 0 })).toBe(t0 + 10_000)
  })

  it('jitter only moves renewal earlier, by at most an hour', () => {
    const latest = renewalTime({ notBefore: t0, notAfter: t0 + 90 * DAY, random: () => 0 })
    const earliest = renewalTime({ notBefore: t0, notAfter: t0 + 90 * DAY, random: () => 0.999999 })
    expect(latest - earliest).toBeGreaterThan(3_599_000)
    expect(latest - earliest).toBeLessThanOrEqual(3_600_000)
  })
})

describe('nextRenewalCheck', () => {
  it('rfc9773 §4.2: picks a uniformly random point in the ARI window', () => {
    const ari = { start: t0 + 3_600_000, end: t0 + 3 * 3_600_000, retryAfterMs: DAY }
    const check = nextRenewalCheck({
      notBefore: t0,
      notAfter: t0 + 90 * DAY,
      now: t0,
      random: () => 0.5,
      ari,
    })
    expect(check).toEqual({ at: t0 + 2 * 3_600_000, reason: 'renew' })
    const far = { start: t0 + 50 * DAY, end: t0 + 52 * DAY, retryAfterMs: 100 * DAY }
    const capped = nextRenewalCheck({
      notBefore: t0,
      notAfter: t0 + 90 * DAY,
      now: t0,
      random: () => 0.5,
      ari: far,
    })
    expect(capped).toEqual({ at: t0 + DAY, reason: 'refresh-ari' })
  })

  it('rfc9773 §4.2: renews now when the window is in the past', () => {
    const ari = { start: t0 - 2 * DAY, end: t0 - DAY, retryAfterMs: 6 * 3_600_000 }
    const check = nextRenewalCheck({
      notBefore: t0 - 80 * DAY,
      notAfter: t0 + 10 * DAY,
      now: t0,
      random: () => 0.3,
      ari,
    })
    expect(check).toEqual({ at: t0, reason: 'renew' })
  })

  it('rfc9773 §4.3: re-fetches the window after Retry-After when that comes first, within [1 min, 1 day]', () => {
    const ari = { start: t0 + 50 * DAY, end: t0 + 52 * DAY, retryAfterMs: 6 * 3_600_000 }
    expect(
      nextRenewalCheck({ notBefore: t0, notAfter: t0 + 90 * DAY, now: t0, random: () => 0, ari }),
    ).toEqual({
      at: t0 + 6 * 3_600_000,
      reason: 'refresh-ari',
    })
    const tiny = { ...ari, retryAfterMs: 0 }
    expect(
      nextRenewalCheck({
        notBefore: t0,
        notAfter: t0 + 90 * DAY,
        now: t0,
        random: () => 0,
        ari: tiny,
      }).at,
    ).toBe(t0 + 60_000)
  })

  it('never schedules in the past', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 400 * DAY }),
        fc.integer({ min: 0, max: 800 * DAY }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (life, elapsed, r) => {
          const check = nextRenewalCheck({
            notBefore: t0,
            notAfter: t0 + life,
            now: t0 + elapsed,
            random: () => r,
          })
          expect(check.at).toBeGreaterThanOrEqual(t0 + elapsed)
        },
      ),
    )
  })
})

describe('retryDelay', () => {
  it('doubles per failure with jitter in [½, 1] of the step, capped', () => {
    expect(retryDelay({ failures: 1, random: () => 1, baseMs: 1000 })).toBe(1000)
    expect(retryDelay({ failures: 3, random: () => 1, baseMs: 1000 })).toBe(4000)
    expect(retryDelay({ failures: 3, random: () => 0, baseMs: 1000 })).toBe(2000)
    expect(retryDelay({ failures: 40, random: () => 1, baseMs: 1000, maxMs: 5000 })).toBe(5000)
  })

  it('rfc8555 §6.6: never retries sooner than Retry-After', () => {
    expect(retryDelay({ failures: 1, random: () => 0, baseMs: 1000, retryAfterMs: 90_000 })).toBe(
      90_000,
    )
  })

  it('retries a soon-expiring certificate often enough to get two more attempts', () => {
    expect(
      retryDelay({ failures: 10, random: () => 1, baseMs: 60_000, now: t0, notAfter: t0 + 30_000 }),
    ).toBe(10_000)
  })
})
