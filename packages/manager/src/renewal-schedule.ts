/** A renewal window the CA suggested through ARI, as epoch milliseconds. */
export interface AriWindow {
  readonly start: number
  readonly end: number
  /** When the CA wants the window re-fetched, from its Retry-After (ms from the fetch). */
  readonly retryAfterMs: number
}

/** When the next look at a certificate is due, and why. */
export interface RenewalCheck {
  /** Epoch milliseconds. */
  readonly at: number
  /** `renew`: replace the certificate then; `refresh-ari`: fetch the ARI window again first. */
  readonly reason: 'renew' | 'refresh-ari'
}

const DAY = 86_400_000
const HOUR = 3_600_000
/** RFC 9773 §4.3 lets clients bound Retry-After; this keeps a broken header from stalling renewal. */
const ARI_REFRESH_MIN = 60_000
const ARI_REFRESH_MAX = DAY

/**
 * The moment a certificate should be renewed without ARI: when one third of its lifetime is left,
 * or half for certificates that live under ten days, moved earlier by a random jitter of up to
 * 5 % of the lifetime (at most an hour) so replicas and names do not renew in lockstep.
 *
 * @example
 * renewalTime({ notBefore, notAfter, random: Math.random }) // ~day 60 of a 90-day certificate
 */
export function renewalTime(args: {
  notBefore: number
  notAfter: number
  random: () => number
}): number {
  const lifetime = Math.max(0, args.notAfter - args.notBefore)
  const fraction = lifetime < 10 * DAY ? 1 / 2 : 1 / 3
  const jitter = args.random() * Math.min(lifetime * 0.05, HOUR)
  return args.notAfter - lifetime * fraction - jitter
}

/**
 * Decides when to look at a certificate next. With an ARI window the renewal time is a uniform
 * random point inside it (now, if the window has begun or passed), and the window is re-fetched
 * after Retry-After if that comes first; without one, {@link renewalTime} applies.
 *
 * @example
 * const check = nextRenewalCheck({ notBefore, notAfter, now: Date.now(), random: Math.random })
 * setTimeout(check.reason === 'renew' ? renew : refreshAri, check.at - Date.now())
 * @see https://www.rfc-editor.org/rfc/rfc9773#section-4.2
 */
export function nextRenewalCheck(args: {
  notBefore: number
  notAfter: number
  now: number
  random: () => number
  ari?: AriWindow | null
}): RenewalCheck {
  const { now, ari } = args
  if (ari) {
    const renewAt = ari.start + args.random() * Math.max(0, ari.end - ari.start)
    if (renewAt <= now) return { at: now, reason: 'renew' }
    const refresh = now + Math.min(ARI_REFRESH_MAX, Math.max(ARI_REFRESH_MIN, ari.retryAfterMs))
    return refresh < renewAt
      ? { at: refresh, reason: 'refresh-ari' }
      : { at: renewAt, reason: 'renew' }
  }
  return { at: Math.max(now, renewalTime(args)), reason: 'renew' }
}

/**
 * Delay before retrying a failed renewal: exponential from `baseMs` (doubling per failure, at most
 * `maxMs`), with jitter in [½, 1] of the step, never shorter than the CA's Retry-After, and never
 * so long that the certificate expires before two more attempts (when `notAfter` is known).
 *
 * @example
 * retryDelay({ failures: 3, random: Math.random, retryAfterMs: 120_000 }) // ≥ 2 min
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-6.6
 */
export function retryDelay(args: {
  failures: number
  random: () => number
  retryAfterMs?: number | undefined
  baseMs?: number
  maxMs?: number
  now?: number
  notAfter?: number
}): number {
  const base = args.baseMs ?? 60_000
  const max = args.maxMs ?? 6 * HOUR
  const step = Math.min(max, base * 2 ** Math.max(0, Math.min(args.failures - 1, 30)))
  let delay = step * (0.5 + args.random() * 0.5)
  if (args.now !== undefined && args.notAfter !== undefined) {
    delay = Math.min(delay, Math.max(1000, (args.notAfter - args.now) / 3))
  }
  return Math.max(delay, args.retryAfterMs ?? 0)
}
