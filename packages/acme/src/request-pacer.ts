/**
 * A token bucket: up to `burst` requests at once, then `perSecond` on average. One per client
 * keeps every issuance of that client together under a CA's per-IP request limits (Let's Encrypt
 * counts requests per IP and endpoint with token buckets of the same kind).
 *
 * @example
 * const pacer = new RequestPacer({ perSecond: 10, burst: 5, now: Date.now })
 * const wait = pacer.reserve() // 0: go now; otherwise come back in `wait` ms
 * @see https://letsencrypt.org/docs/rate-limits/#overall-requests-limit
 */
export class RequestPacer {
  readonly #perMs: number
  readonly #burst: number
  readonly #now: () => number
  #tokens: number
  #at: number
  #urgentWaiting = 0

  constructor(options: { perSecond: number; burst: number; now: () => number }) {
    this.#perMs = options.perSecond / 1000
    this.#burst = options.burst
    this.#now = options.now
    this.#tokens = options.burst
    this.#at = options.now()
  }

  /**
   * Takes a token and returns 0, or returns how many ms until one is there (taking none). An
   * `urgent` request goes first: while urgent ones wait (see {@link RequestPacer.waitUrgent}),
   * others leave them a token each, as many as the bucket holds besides their own: with more
   * urgent ones waiting than that, another request goes when the bucket is full.
   */
  reserve(urgent = false): number {
    const now = this.#now()
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#perMs)
    this.#at = now
    const needed = urgent ? 1 : Math.min(this.#burst, 1 + this.#urgentWaiting)
    if (this.#tokens >= needed) {
      this.#tokens -= 1
      return 0
    }
    return Math.ceil((needed - this.#tokens) / this.#perMs)
  }

  /** Counts an urgent request as waiting until the returned function is called. */
  waitUrgent(): () => void {
    this.#urgentWaiting++
    let done = false
    return () => {
      if (!done) this.#urgentWaiting--
      done = true
    }
  }
}
