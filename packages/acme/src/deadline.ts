import { AcmeError } from './errors.js'
import { timeoutSignal } from './timeout-signal.js'

/**
 * A point in (injectable) time after which a high-level call gives up, plus an AbortSignal
 * that fires at that moment or when the caller aborts, whichever comes first.
 */
export class Deadline {
  readonly expiresAt: number
  readonly signal: AbortSignal
  readonly #caller: AbortSignal | undefined
  readonly #now: () => number

  constructor(now: () => number, timeoutMs: number, caller?: AbortSignal) {
    this.#now = now
    this.#caller = caller
    this.expiresAt = now() + timeoutMs
    const timer = timeoutSignal(timeoutMs)
    this.signal = caller ? AbortSignal.any([caller, timer]) : timer
  }

  /** Milliseconds left, never negative. */
  remaining(): number {
    return Math.max(0, this.expiresAt - this.#now())
  }

  /** The error to throw once the signal fired or time is up: aborted by the caller, or timed out. */
  error(what: string, cause?: unknown): AcmeError {
    if (this.#caller?.aborted) {
      return new AcmeError('ERR_ACME_ABORTED', `${what}: aborted by the caller`, {
        cause: cause ?? this.#caller.reason,
      })
    }
    return new AcmeError(
      'ERR_ACME_TIMEOUT',
      `${what}: gave up at the deadline; raise timeoutMs or pass a longer-lived signal`,
      { cause },
    )
  }

  /**
   * Waits for shared work (a memo that runs under its owner's lifetime) but gives up on this
   * caller's own signal: the work goes on for the other callers.
   */
  race<T>(work: Promise<T>, what: string): Promise<T> {
    if (this.signal.aborted) return Promise.reject(this.error(what))
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(this.error(what))
      this.signal.addEventListener('abort', onAbort, { once: true })
      work.then(
        (value) => {
          this.signal.removeEventListener('abort', onAbort)
          resolve(value)
        },
        (error: unknown) => {
          this.signal.removeEventListener('abort', onAbort)
          reject(error)
        },
      )
    })
  }

  /** Throws `error(what)` when the caller aborted or the time is up. */
  check(what: string): void {
    if (this.signal.aborted || this.remaining() === 0) throw this.error(what)
  }
}
