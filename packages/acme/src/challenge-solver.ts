import type { Identifier } from '@autotls/crypto'

/** What a solver needs to publish or withdraw one challenge response. */
export interface ChallengeArgs {
  readonly identifier: Identifier
  readonly token: string
  /** token "." thumbprint (RFC 8555 §8.1); dns-01 publishes `dns01TxtValue(keyAuthorization)`. */
  readonly keyAuthorization: string
  readonly signal: AbortSignal
  /**
   * Call when the CA's validation request for this challenge arrived (an http-01 GET of the
   * token, a tls-alpn-01 handshake for the name): the client then polls the authorization
   * shortly after that traffic stops instead of waiting out its schedule. Optional to call, safe
   * to call often; absent when the caller polls on the schedule alone.
   */
  readonly validationSeen?: () => void
}

/**
 * Publishes challenge responses for one challenge type. `present` must resolve only once the CA
 * can see the response; `cleanup` is called for every successful `present`, whatever happens.
 * A solver that serves the response itself should call `args.validationSeen()` when the CA
 * fetches it: that saves most of the wait between validation and the next poll.
 *
 * @example
 * const http01: ChallengeSolver = {
 *   type: 'http-01',
 *   async present({ token, keyAuthorization, validationSeen }) {
 *     responses.set(token, { keyAuthorization, validationSeen })
 *   },
 *   async cleanup({ token }) { responses.delete(token) },
 * }
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-8
 */
export interface ChallengeSolver {
  readonly type: 'http-01' | 'tls-alpn-01' | 'dns-01'
  present(args: ChallengeArgs): Promise<void>
  cleanup(args: ChallengeArgs): Promise<void>
}
