import { createSecureContext, type SecureContext } from 'node:tls'

/** One held value and whether it was read since the eviction scan last passed it. */
interface Entry<V> {
  value: V
  used: boolean
}

/** Options of a {@link SecureContextCache}. */
export interface SecureContextCacheOptions<V> {
  /**
   * Frees what a value that left the cache (evicted, replaced, deleted or cleared) holds, called
   * once `graceMs` passed since it left. Default: {@link releaseHeldSecureContext}.
   */
  readonly release?: (value: V) => void
  /**
   * How long a value that left stays usable before `release`; default 250 ms: a handshake uses
   * its context within the same turn of the event loop, and under a churn of 1,000 rebuilds a
   * second the contexts waiting for release hold about 10 MB.
   */
  readonly graceMs?: number
  /** Milliseconds of a monotonic-enough clock; default `Date.now`. */
  readonly now?: () => number
}

/**
 * Releases done at once at most: freeing a context costs about as much CPU as building one
 * (~0.2 ms on Node 24), so releasing a whole grace period's worth in one go would stall every
 * handshake waiting behind it.
 */
const RELEASE_BATCH = 8

/**
 * A map with a fixed capacity that evicts an entry not used recently (the CLOCK, or
 * second-chance, approximation of least-recently-used): the manager keeps ready `SecureContext`s
 * here (one per name and key type) so memory stays bounded however many names it manages; an
 * evicted entry is rebuilt on its next handshake. A read only marks its entry (no reordering, no
 * allocation), which keeps the handshake path cheap; eviction scans from the oldest entry, moving
 * each one read since the last pass to the back instead of evicting it.
 *
 * A value that leaves is released after a grace period (by default its OpenSSL context is freed
 * unless it was handed out, see {@link releaseHeldSecureContext}): V8 does not see the 30–40 KiB
 * of native memory behind each `SecureContext` and rarely collects one that outlived a
 * young-generation GC, so the contexts evicted under a churn of many names piled up (10,000
 * builds keeping 1,000 in a bare process: RSS +241 MiB on Node 20, +383 MiB on Node 24; +44 and
 * +56 MiB with the evicted ones freed; tools/bench/FINDINGS.md, third session).
 * The grace lets a handshake that took the context just before it left finish with it.
 *
 * @example
 * const contexts = new SecureContextCache<SecureContext>(10_000)
 * contexts.set('example.com/ec-p256', context)
 * contexts.get('example.com/ec-p256') // marks it used: the next eviction passes it over once
 */
export class SecureContextCache<V> {
  readonly #capacity: number
  readonly #entries = new Map<string, Entry<V>>()
  readonly #release: (value: V) => void
  readonly #graceMs: number
  readonly #now: () => number
  /** Values that left, oldest first, with when they left. */
  readonly #leaving = new Map<V, number>()
  #timer: NodeJS.Timeout | undefined

  constructor(capacity: number, options: SecureContextCacheOptions<V> = {}) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`)
    }
    const graceMs = options.graceMs ?? 250
    if (!Number.isFinite(graceMs) || graceMs < 0) {
      throw new RangeError(`graceMs must be a finite number ≥ 0, got ${graceMs}`)
    }
    this.#capacity = capacity
    this.#release = options.release ?? releaseHeldSecureContext
    this.#graceMs = graceMs
    this.#now = options.now ?? Date.now
  }

  /** How many entries are held. */
  get size(): number {
    return this.#entries.size
  }

  /** The value for `key`, marked as used; `undefined` when absent. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    entry.used = true
    return entry.value
  }

  /** Stores `value` (a replaced key counts as used), evicting one entry beyond capacity. */
  set(key: string, value: V): void {
    // A value set again after it left is held again: it must not be released.
    if (this.#leaving.size > 0) this.#leaving.delete(value)
    const entry = this.#entries.get(key)
    if (entry !== undefined) {
      if (entry.value !== value) this.#leave(entry.value)
      entry.value = value
      entry.used = true
      return
    }
    this.#entries.set(key, { value, used: false })
    if (this.#entries.size <= this.#capacity) return
    // Terminates within two passes: every entry passed over loses its mark.
    for (const [oldest, candidate] of this.#entries) {
      this.#entries.delete(oldest)
      if (!candidate.used) {
        this.#leave(candidate.value)
        return
      }
      candidate.used = false
      this.#entries.set(oldest, candidate)
    }
  }

  /** Removes `key`; returns whether it was present. */
  delete(key: string): boolean {
    const entry = this.#entries.get(key)
    if (entry === undefined) return false
    this.#entries.delete(key)
    this.#leave(entry.value)
    return true
  }

  /** Removes every entry. */
  clear(): void {
    for (const entry of this.#entries.values()) this.#leave(entry.value)
    this.#entries.clear()
  }

  /** Queues `value` for release; under churn each departure releases up to two that are due. */
  #leave(value: V): void {
    this.#leaving.set(value, this.#now())
    this.#releaseDue(2)
    this.#arm()
  }

  #releaseDue(most: number): void {
    const due = this.#now() - this.#graceMs
    let released = 0
    for (const [value, leftAt] of this.#leaving) {
      if (leftAt > due || released === most) return
      this.#leaving.delete(value)
      this.#release(value)
      released++
    }
  }

  /** A timer for what is left when no departure comes to release it, a batch at a time. */
  #arm(): void {
    if (this.#timer !== undefined) return
    const oldest = this.#leaving.values().next()
    if (oldest.done) return
    const wait = Math.max(0, oldest.value + this.#graceMs - this.#now())
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#releaseDue(RELEASE_BATCH)
      this.#arm()
    }, wait)
    this.#timer.unref()
  }
}

/** A cache entry that holds a context: the manager's ready entries. */
interface HeldContext {
  readonly context?: unknown
  /** The context left the manager through its public API: never freed here. */
  readonly handedOut?: boolean
}

/** Stands in for every released context: a context without a certificate, so never a crash. */
let placeholder: SecureContext | undefined

/**
 * Frees the OpenSSL context of `value` when it is a `SecureContext` or holds one as `context`
 * (the manager's ready entries); anything else is left alone, and so is an entry marked
 * `handedOut: true`: its context went to a server that is not the manager's (through
 * `manager.secureContext()` or `tlsOptions()`), which may use it any time later (an OCSP
 * listener answers asynchronously, a user may keep it), so only GC may take it. Only the
 * manager's own servers, which use a context in the turn their SNI callback answers with it,
 * have their contexts freed. The object keeps working as a context without a certificate: a
 * handshake that still uses it fails with an alert instead of crashing the process (Node's own
 * `close()` alone leaves a context that segfaults when used).
 *
 * @example
 * releaseHeldSecureContext({ context: tls.createSecureContext({ key, cert }), cert })
 */
export function releaseHeldSecureContext(value: unknown): void {
  placeholder ??= createSecureContext()
  const Context = placeholder.constructor as new () => SecureContext
  const held = typeof value === 'object' && value !== null ? (value as HeldContext) : undefined
  const context =
    value instanceof Context
      ? value
      : held?.context instanceof Context && held.handedOut !== true
        ? held.context
        : undefined
  if (context === undefined || context === placeholder) return
  const native = context.context as { close?: () => void } | undefined
  if (native === placeholder.context) return
  context.context = placeholder.context
  native?.close?.()
}
