/**
 * Anti-replay nonces gathered from every `Replay-Nonce` header, used last-in first-out so the
 * freshest goes first. The pool is bounded: old nonces expire at the server anyway.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-6.5
 */
export class NoncePool {
  readonly #nonces: string[] = []
  readonly #max: number

  constructor(max = 32) {
    this.#max = max
  }

  /** Keeps the nonce if it is well formed (base64url, RFC 8555 §6.5.1). */
  add(nonce: string | null | undefined): void {
    if (!nonce || !/^[A-Za-z0-9_-]+$/.test(nonce)) return
    this.#nonces.push(nonce)
    if (this.#nonces.length > this.#max) this.#nonces.shift()
  }

  /** The freshest nonce, removed from the pool; `undefined` when empty. */
  take(): string | undefined {
    return this.#nonces.pop()
  }

  /** How many nonces are waiting. */
  get size(): number {
    return this.#nonces.length
  }
}
