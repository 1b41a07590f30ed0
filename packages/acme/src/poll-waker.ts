/**
 * A wake-up for a waiting poll. Whoever serves a challenge response sees the CA's validation
 * requests arrive (an http-01 GET, a tls-alpn-01 handshake); calling {@link PollWaker.wake} then
 * makes {@link AcmeClient.waitForAuthorization} poll shortly after that traffic stops
 * ({@link WAKE_QUIET_MS} without another wake) instead of waiting out its schedule. The schedule
 * stays the fallback, and the poll floor still holds. `issueCertificate` hands each solver a
 * waker as `ChallengeArgs.validationSeen`.
 *
 * @example
 * const waker = new PollWaker()
 * http01Server.on('request', () => waker.wake())
 * await client.waitForAuthorization(url, { waker })
 */
export class PollWaker {
  readonly #listeners = new Set<() => void>()
  #wakes = 0

  /** Says "the CA's validation traffic just happened". Safe to call any number of times. */
  wake(): void {
    this.#wakes++
    for (const listener of [...this.#listeners]) listener()
  }

  /** How many times {@link PollWaker.wake} was called: a poll compares it with what it saw. */
  get wakes(): number {
    return this.#wakes
  }

  /** Calls `listener` on every wake until the returned function is called. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}

/**
 * How long after the last wake-up the poll goes out: validation traffic comes in bursts, and the
 * CA records the outcome a moment after its last exchange ends (Pebble within a millisecond or
 * two; the manager wakes again when its answer has gone out). Tuned on
 * Pebble: against a CA whose perspectives' requests arrive spread over hundreds of ms, a wake-up
 * can send a poll that finds the authorization still pending. The schedule's floor bounds that:
 * after a poll, a wake-up waits until the floor (500 ms for an authorization) has passed since it,
 * so only the first poll follows a wake-up by this wait alone.
 */
export const WAKE_QUIET_MS = 5
