/** One held value and whether it was read since the eviction scan last passed it. */
interface Entry<V> {
  value: V
  used: boolean
}

/**
 * A map with a fixed capacity that evicts an entry not used recently (the CLOCK, or
 * second-chance, approximation of least-recently-used): the manager keeps ready `SecureContext`s
 * here (one per name and key type) so memory stays bounded however many names it manages; an
 * evicted entry is rebuilt on its next handshake. A read only marks its entry (no reordering, no
 * allocation), which keeps the handshake path cheap; eviction scans from the oldest entry, moving
 * each one read since the last pass to the back instead of evicting it.
 *
 * @example
 * const contexts = new SecureContextCache<SecureContext>(10_000)
 * contexts.set('example.com/ec-p256', context)
 * contexts.get('example.com/ec-p256') // marks it used: the next eviction passes it over once
 */
export class SecureContextCache<V> {
  readonly #capacity: number
  readonly #entries = new Map<string, Entry<V>>()

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`)
    }
    this.#capacity = capacity
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
    const entry = this.#entries.get(key)
    if (entry !== undefined) {
      entry.value = value
      entry.used = true
      return
    }
    this.#entries.set(key, { value, used: false })
    if (this.#entries.size <= this.#capacity) return
    // Terminates within two passes: every entry passed over loses its mark.
    for (const [oldest, candidate] of this.#entries) {
      this.#entries.delete(oldest)
      if (!candidate.used) return
      candidate.used = false
      this.#entries.set(oldest, candidate)
    }
  }

  /** Removes `key`; returns whether it was present. */
  delete(key: string): boolean {
    return this.#entries.delete(key)
  }

  /** Removes every entry. */
  clear(): void {
    this.#entries.clear()
  }
}
