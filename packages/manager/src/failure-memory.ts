/** One remembered failure. */
export interface Failure {
  /** Epoch milliseconds until which handshakes for the certificate fail at once. */
  readonly until: number
  readonly error: Error
}

/**
 * Recent failures per certificate, bounded twice: each entry expires after its TTL, and at most
 * `capacity` entries are held (the oldest is forgotten first). A flood of handshakes for one
 * failing name makes one attempt per TTL, and memory stays flat however many distinct names fail.
 *
 * @example
 * const failures = new FailureMemory(10_000, Date.now)
 * failures.remember('a.example/ec-p256', error, 60_000)
 * failures.recent('a.example/ec-p256') // the failure, until it expires
 */
export class FailureMemory {
  readonly #capacity: number
  readonly #now: () => number
  readonly #entries = new Map<string, Failure>()

  constructor(capacity: number, now: () => number) {
    this.#capacity = capacity
    this.#now = now
  }

  /** Entries held now (expired ones included until they are looked at or pushed out). */
  get size(): number {
    return this.#entries.size
  }

  /** The failure of `key` if it has not expired; an expired one is dropped. */
  recent(key: string): Failure | undefined {
    const failure = this.#entries.get(key)
    if (failure === undefined) return undefined
    if (failure.until > this.#now()) return failure
    this.#entries.delete(key)
    return undefined
  }

  /** Remembers `error` for `ttlMs`, forgetting the oldest entry beyond capacity. */
  remember(key: string, error: Error, ttlMs: number): void {
    this.#entries.delete(key)
    this.#entries.set(key, { until: this.#now() + ttlMs, error })
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next()
      if (!oldest.done) this.#entries.delete(oldest.value)
    }
  }

  /** Forgets `key` (after a success). */
  forget(key: string): void {
    this.#entries.delete(key)
  }

  /** Forgets every entry. */
  clear(): void {
    this.#entries.clear()
  }
}
