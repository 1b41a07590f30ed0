/**
 * A least-recently-used map with a fixed capacity: the manager keeps ready `SecureContext`s here
 * (one per name and key type) so memory stays bounded however many names it manages; an evicted
 * entry is rebuilt from the cache on its next handshake.
 *
 * @example
 * const contexts = new SecureContextCache<SecureContext>(10_000)
 * contexts.set('example.com/ec-p256', context)
 * contexts.get('example.com/ec-p256') // marks it most recently used
 */
export class SecureContextCache<V> {
  readonly #capacity: number
  readonly #entries = new Map<string, V>()

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

  /** The value for `key`, which becomes the most recently used; `undefined` when absent. */
  get(key: string): V | undefined {
    const value = this.#entries.get(key)
    if (value === undefined) return undefined
    this.#entries.delete(key)
    this.#entries.set(key, value)
    return value
  }

  /** Stores `value` as the most recently used entry, evicting the least recently used beyond capacity. */
  set(key: string, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, value)
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next()
      if (!oldest.done) this.#entries.delete(oldest.value)
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
