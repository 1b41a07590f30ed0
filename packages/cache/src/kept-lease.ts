import type { Lease } from './cache.js'
import { CacheError } from './cache-error.js'

/** What a backend tells {@link KeptLease} about its lock. */
export interface KeptLeaseOptions {
  /** The lock name, as passed to `lock()`. */
  name: string
  /** The fencing token the backend issued for this hold. */
  token: string
  /** The lease's time to live, as passed to `lock()`. */
  ttlMs: number
  /** When the backend's record of this hold expires, on the `now` clock. */
  expiresAt: number
  /**
   * Extends the hold by `ttlMs`. Resolves the new expiry, or `null` when the lock now belongs to
   * someone else (the lease is then lost at once). Rejects on a transient failure: the lease
   * retries until its expiry passes, then it is lost.
   */
  renew(): Promise<number | null>
  /** Gives the hold up in the store; must leave another holder's lock untouched. */
  release(): Promise<void>
  /** The clock `expiresAt` is measured on. Default `Date.now`. */
  now?: () => number
}

let suspend: (lease: KeptLease) => void

/**
 * Stops `lease`'s renewals without releasing it, as if its holder froze: the `suspendRenewal`
 * of `@autotls/cache/testing`. Not part of the backend API.
 */
export function suspendKeptLease(lease: KeptLease): void {
  suspend(lease)
}

/**
 * A {@link Lease} that keeps itself alive: it renews every `ttlMs / 3`, and aborts `lost` as soon
 * as the backend reports another holder, or when its expiry is near (a tenth of the TTL, at most
 * one second, before it) without a successful renewal — so a holder learns it lost the lock
 * before another caller can take it over. Backends
 * build one per acquired lock, so every backend loses leases by the same rule.
 *
 * @example
 * ```ts
 * return new KeptLease({
 *   name,
 *   token: String(fence),
 *   ttlMs,
 *   expiresAt: now() + ttlMs,
 *   renew: () => extendInStore(name, id, ttlMs),
 *   release: () => deleteIfStillMine(name, id),
 * })
 * ```
 */
export class KeptLease implements Lease {
  static {
    suspend = (lease) => {
      lease.#suspended = true
      clearTimeout(lease.#heartbeat)
    }
  }

  readonly name: string
  readonly token: string
  readonly lost: AbortSignal

  readonly #options: KeptLeaseOptions
  readonly #now: () => number
  readonly #controller = new AbortController()
  #expiresAt: number
  #heartbeat: NodeJS.Timeout | undefined
  #deadline: NodeJS.Timeout | undefined
  #inflight: Promise<void> | undefined
  #lastError: unknown
  #done = false
  #suspended = false
  #released: Promise<void> | undefined
  /** The lease counts as lost this long before its expiry, so it is lost before anyone takes over. */
  readonly #margin: number

  constructor(options: KeptLeaseOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
    this.name = options.name
    this.token = options.token
    this.lost = this.#controller.signal
    this.#expiresAt = options.expiresAt
    this.#margin = Math.min(options.ttlMs / 10, 1000)
    this.#scheduleHeartbeat(options.ttlMs / 3)
    this.#scheduleDeadline()
  }

  release(): Promise<void> {
    this.#released ??= this.#release()
    return this.#released
  }

  async #release(): Promise<void> {
    const wasLost = this.#done
    this.#stop()
    await this.#inflight
    if (wasLost || this.lost.aborted) return
    try {
      await this.#options.release()
    } catch (cause) {
      if (cause instanceof CacheError) throw cause
      throw new CacheError('ERR_CACHE_IO', 'could not release the lock; it expires on its own', {
        cause,
      })
    }
  }

  #stop(): void {
    this.#done = true
    clearTimeout(this.#heartbeat)
    clearTimeout(this.#deadline)
  }

  #lose(reason: string): void {
    if (this.#done) return
    this.#stop()
    this.#controller.abort(
      new CacheError('ERR_CACHE_LOCK_LOST', `${reason}: stop the work this lock guards`, {
        cause: this.#lastError,
      }),
    )
  }

  #scheduleHeartbeat(delayMs: number): void {
    if (this.#done || this.#suspended) return
    this.#heartbeat = setTimeout(() => this.#beat(), Math.max(1, delayMs))
    this.#heartbeat.unref()
  }

  #scheduleDeadline(): void {
    clearTimeout(this.#deadline)
    if (this.#done) return
    const remaining = this.#expiresAt - this.#margin - this.#now()
    if (remaining <= 0) {
      this.#lose('the lease expired before it could be renewed')
      return
    }
    this.#deadline = setTimeout(() => this.#scheduleDeadline(), remaining)
    this.#deadline.unref()
  }

  #beat(): void {
    if (this.#done || this.#suspended) return
    this.#inflight = this.#options.renew().then(
      (expiresAt) => {
        this.#inflight = undefined
        if (this.#done) return
        if (expiresAt === null) {
          this.#lose('another holder took the lock over')
          return
        }
        this.#expiresAt = expiresAt
        this.#scheduleDeadline()
        this.#scheduleHeartbeat(this.#options.ttlMs / 3)
      },
      (error: unknown) => {
        this.#inflight = undefined
        this.#lastError = error
        this.#scheduleHeartbeat(this.#options.ttlMs / 6)
      },
    )
  }
}
