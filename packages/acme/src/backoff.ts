/**
 * Exponential back-off with full jitter: attempt 0 waits up to `baseMs`, each later attempt
 * up to twice as long, never more than `maxMs`. `random` returns a number in [0, 1).
 *
 * @example
 * backoffDelay(3, { baseMs: 250, maxMs: 5000, random: Math.random }) // somewhere in [1000, 2000)
 */
export function backoffDelay(
  attempt: number,
  options: { baseMs: number; maxMs: number; random: () => number },
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** attempt)
  return Math.round(ceiling / 2 + (ceiling / 2) * options.random())
}

/** How to space polls of one resource when the server sends no Retry-After. */
export interface PollSchedule {
  /** Nominal wait before the first poll. */
  readonly firstMs: number
  /** Each later wait is this many times the one before… */
  readonly growth: number
  /** …up to this. */
  readonly maxMs: number
  /** Each wait is scaled by a random factor in [1 - jitter, 1 + jitter). */
  readonly jitter: number
  /** Never two polls of one resource closer than this (Retry-After and wake-ups included). */
  readonly floorMs: number
}

/**
 * Authorizations: a CA needs at least a network round trip to validate, Let's Encrypt a few
 * (one per perspective), so the first poll comes after about a second: 1 s, 1.5 s, 2.25 s,
 * 3.4 s, then every 5 s, each ±20 %. Four polls cover the first 8 s.
 */
export const AUTHORIZATION_POLLS: PollSchedule = {
  firstMs: 1000,
  growth: 1.5,
  maxMs: 5000,
  jitter: 0.2,
  floorMs: 500,
}

/**
 * Orders being issued (`processing`): signing takes the CA milliseconds (Boulder usually answers
 * finalize with the certificate ready), so the first poll comes soon after finalize: 5 ms (see
 * {@link firstPollDelay}), then 20 ms, 80 ms, 320 ms, 1.3 s and every 5 s, each ±20 %. Growing
 * fourfold, a CA that signs within a few ms costs one poll and one that takes a second five. Two
 * polls of the order are never closer than 20 ms, a `Retry-After: 0` included.
 */
export const ORDER_POLLS: PollSchedule = {
  firstMs: 5,
  growth: 4,
  maxMs: 5000,
  jitter: 0.2,
  floorMs: 20,
}

/**
 * The wait before poll number `attempt` (0 = the first) when the server sent no Retry-After:
 * `firstMs` growing by `growth` up to `maxMs`, scaled by a random factor so that parallel
 * issuances drift apart instead of polling in lockstep, never below `floorMs`.
 *
 * @example
 * pollDelay(0, AUTHORIZATION_POLLS, Math.random) // 800–1200 ms
 */
export function pollDelay(attempt: number, schedule: PollSchedule, random: () => number): number {
  const nominal = Math.min(schedule.maxMs, schedule.firstMs * schedule.growth ** attempt)
  const scaled = nominal * (1 - schedule.jitter + 2 * schedule.jitter * random())
  return Math.max(schedule.floorMs, Math.round(scaled))
}

/**
 * The wait before the first poll of a resource that the request just before (finalize, a
 * challenge response) answered: `firstMs`, scaled by the jitter, without the floor, which keeps
 * two polls of the same resource apart.
 *
 * @example
 * firstPollDelay(ORDER_POLLS, Math.random) // 4–6 ms
 */
export function firstPollDelay(schedule: PollSchedule, random: () => number): number {
  return Math.max(
    1,
    Math.round(schedule.firstMs * (1 - schedule.jitter + 2 * schedule.jitter * random())),
  )
}
