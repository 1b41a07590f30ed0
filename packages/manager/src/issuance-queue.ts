/**
 * Runs at most `limit` jobs at once, first come first served. The manager puts each order through
 * it (`maxConcurrentIssuances`), so a flood of new names cannot start an unbounded number of
 * orders at once.
 *
 * @example
 * const queue = new IssuanceQueue(100)
 * await queue.run(() => issueCertificate(...), signal)
 */
export class IssuanceQueue {
  readonly #limit: number
  #running = 0
  readonly #waiting: Array<() => void> = []

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`limit must be a positive integer, got ${limit}`)
    }
    this.#limit = limit
  }

  /** Jobs running now. */
  get running(): number {
    return this.#running
  }

  /** Jobs waiting for a turn. */
  get waiting(): number {
    return this.#waiting.length
  }

  /** Waits for a turn (or rejects when `signal` aborts first), runs `job`, frees the turn. */
  async run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#running >= this.#limit) await this.#turn(signal)
    else this.#running++
    try {
      return await job()
    } finally {
      const next = this.#waiting.shift()
      if (next) next()
      else this.#running--
    }
  }

  /** Resolves when a finishing job hands its turn over (the count stays the same). */
  #turn(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(wake)
        if (index !== -1) this.#waiting.splice(index, 1)
        reject(signal?.reason)
      }
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#waiting.push(wake)
    })
  }
}
