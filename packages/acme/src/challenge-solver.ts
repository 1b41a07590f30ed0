import type { Identifier } from '@autotls/crypto'

/** What a solver needs to publish or withdraw one challenge response. */
export interface ChallengeArgs {
  readonly identifier: Identifier
  readonly token: string
  /** token "." thumbprint (RFC 8555 §8.1); dns-01 publishes `dns01TxtValue(keyAuthorization)`. */
  readonly keyAuthorization: string
  readonly signal: AbortSignal
}

/**
 * Publishes challenge responses for one challenge type. `present` must resolve only once the CA
 * can see the response; `cleanup` is called for every successful `present`, whatever happens.
 *
 * @example
 * const http01: ChallengeSolver = {
 *   type: 'http-01',
 *   async present({ token, keyAuthorization }) { responses.set(token, keyAuthorization) },
 *   async cleanup({ token }) { responses.delete(token) },
 * }
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-8
 */
export interface ChallengeSolver {
  readonly type: 'http-01' | 'tls-alpn-01' | 'dns-01'
  present(args: ChallengeArgs): Promise<void>
  cleanup(args: ChallengeArgs): Promise<void>
}
