/**
 * Anti-replay nonces gathered from every `Replay-Nonce` header, used last-in first-out so the
 * freshest goes first, each handed out once. The pool is bounded, and a nonce older than
 * `maxAgeMs` is dropped instead of handed out: CAs forget nonces (Boulder keeps a bounded window
 * of recent ones), and a stale one costs a badNonce round trip.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-6.5
 */
export class NoncePool {
  readonly #nonces: { nonce: string; at: number }[] = []
  readonly #max: number
  readonly #maxAgeMs: number
  readonly #now: () => number

  constructor(options: { max?: number; maxAgeMs?: number; now?: () => number } = {}) {
    this.#max = options.max ?? 32
    this.#maxAgeMs = options.maxAgeMs ?? 60_000
    this.#now = options.now ?? Date.now
  }

  /** Keeps the nonce if it is well formed (base64url, RFC 8555 §6.5.1); says whether it did. */
  add(nonce: string | null | undefined): boolean {
    if (!nonce || !/^[A-Za-z0-9_-]+$/.test(nonce)) return false
    this.#nonces.push({ nonce, at: this.#now() })
    if (this.#nonces.length > this.#max) this.#nonces.shift()
    return true
  }

  /** The freshest nonce younger than `maxAgeMs`, removed from the pool; `undefined` when none. */
  take(): string | undefined {
    const entry = this.#nonces.pop()
    if (!entry) return undefined
    if (this.#now() - entry.at > this.#maxAgeMs) {
      // The freshest is too old, so all are.
      this.#nonces.length = 0
      return undefined
    }
    return entry.nonce
  }

  /** How many nonces are waiting (expired ones included until the next take). */
  get size(): number {
    return this.#nonces.length
  }
}
