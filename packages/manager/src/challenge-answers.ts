import { createSecureContext, type SecureContext } from 'node:tls'
import type { ChallengeArgs, ChallengeSolver } from '@autotls/acme'
import type { Cache, Lease } from '@autotls/cache'
import { challengeKey } from '@autotls/cache'
import { createTlsAlpnCertificate, generateKeyPair, type KeyPair, splitPem } from '@autotls/crypto'
import type { Logger } from './logger.js'
import { encodeStoredCertificate, splitKeyAndChain } from './stored-certificate.js'

interface AlpnAnswer {
  readonly token: string
  readonly context: SecureContext
  /** Wakes the authorization poll of the issuance that published this answer. */
  readonly seen: (() => void) | undefined
}

interface HttpAnswer {
  readonly keyAuthorization: string
  readonly seen: (() => void) | undefined
}

const decoder = new TextDecoder()
const encoder = new TextEncoder()

/**
 * The answers to pending challenges, kept in memory and also written to the shared cache, so any
 * process sharing the cache can answer the CA's validation request — whichever replica the CA
 * reaches. Builds the http-01 and tls-alpn-01 solvers handed to `issueCertificate`.
 *
 * Validation-aware polling: an answer served from this process's memory is the CA's validation
 * request arriving, so it calls the challenge's `validationSeen`, and the issuance polls its
 * authorization right after that traffic stops instead of waiting out the poll schedule. An
 * answer another process published (read from the cache) wakes nobody here; that process polls
 * on its schedule.
 *
 * @example
 * const answers = new ChallengeAnswers(cache, logger)
 * await issueCertificate({ client, identifiers, solvers: [answers.solver('tls-alpn-01', lease)] })
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-8.3
 * @see https://www.rfc-editor.org/rfc/rfc8737#section-3
 */
export class ChallengeAnswers {
  readonly #cache: Cache
  readonly #logger: Logger
  readonly #http = new Map<string, HttpAnswer>()
  readonly #alpn = new Map<string, AlpnAnswer>()
  /**
   * One key for every tls-alpn-01 certificate of this process: RFC 8737 binds the challenge to the
   * key authorization inside the certificate, not to its key, and a fresh key per challenge would
   * cost the cold path about 3 ms.
   */
  #alpnKey: Promise<KeyPair> | undefined

  constructor(cache: Cache, logger: Logger) {
    this.#cache = cache
    this.#logger = logger
  }

  /**
   * A solver that publishes answers of `type` here and in the cache, each cache write fenced by
   * `lease` (the lock of the issuance it serves).
   */
  solver(type: 'http-01' | 'tls-alpn-01', lease: Lease): ChallengeSolver {
    return type === 'http-01'
      ? {
          type,
          present: (args) => this.#presentHttp(args, lease),
          cleanup: (args) => this.#cleanupHttp(args, lease),
        }
      : {
          type,
          present: (args) => this.#presentAlpn(args, lease),
          cleanup: (args) => this.#cleanupAlpn(args, lease),
        }
  }

  /**
   * The http-01 key authorization for `token` on `name` (normalised), or null. Call it only to
   * answer a request: a local answer tells the issuance its validation request arrived.
   */
  async httpAnswer(name: string, token: string, signal: AbortSignal): Promise<string | null> {
    const local = this.#http.get(`${name} ${token}`)
    if (local !== undefined) {
      local.seen?.()
      return local.keyAuthorization
    }
    const shared = await this.#cache.get(challengeKey('http-01', name, token), { signal })
    return shared === null ? null : decoder.decode(shared)
  }

  /**
   * The http-01 answer for `token` on `name` (normalised) was sent in full: wakes the issuance
   * again, so that its poll follows the end of the exchange, not only the request's arrival.
   */
  httpAnswered(name: string, token: string): void {
    this.#http.get(`${name} ${token}`)?.seen?.()
  }

  /**
   * A tls-alpn-01 validation connection for `name` (normalised) finished its handshake: the CA has
   * checked the certificate, so its verdict is moments away. Wakes the issuance again, so that its
   * poll follows the end of the validation, not only its first byte (a TLS handshake with the
   * validator can outlast the poll's quiet wait on a busy machine).
   */
  alpnValidated(name: string): void {
    this.#alpn.get(name)?.seen?.()
  }

  /**
   * The RFC 8737 certificate for a pending tls-alpn-01 challenge on `name`, or null. Call it only
   * to answer a handshake: a local answer tells the issuance its validation request arrived.
   */
  async alpnContext(name: string, signal: AbortSignal): Promise<SecureContext | null> {
    const local = this.#alpn.get(name)
    if (local) {
      local.seen?.()
      return local.context
    }
    const shared = await this.#cache.get(challengeKey('tls-alpn-01', name), { signal })
    if (shared === null) return null
    const { keys, chainPem } = splitKeyAndChain(splitPem(decoder.decode(shared)))
    if (keys.length !== 1 || chainPem === '') return null
    return createSecureContext({ key: keys[0], cert: chainPem })
  }

  async #presentHttp(
    { identifier, token, keyAuthorization, signal, validationSeen }: ChallengeArgs,
    lease: Lease,
  ): Promise<void> {
    this.#http.set(`${identifier.value} ${token}`, { keyAuthorization, seen: validationSeen })
    await this.#cache.put(
      challengeKey('http-01', identifier.value, token),
      encoder.encode(keyAuthorization),
      { signal, lease },
    )
    this.#logger.debug({ name: identifier.value }, 'http-01 challenge published')
  }

  async #cleanupHttp({ identifier, token, signal }: ChallengeArgs, lease: Lease): Promise<void> {
    this.#http.delete(`${identifier.value} ${token}`)
    await this.#cache.delete(challengeKey('http-01', identifier.value, token), { signal, lease })
  }

  async #presentAlpn(
    { identifier, token, keyAuthorization, signal, validationSeen }: ChallengeArgs,
    lease: Lease,
  ): Promise<void> {
    const { certPem, keyPem } = await createTlsAlpnCertificate({
      identifier,
      keyAuthorization,
      key: await this.#alpnKeyPair(),
    })
    this.#alpn.set(identifier.value, {
      token,
      context: createSecureContext({ key: keyPem, cert: certPem }),
      seen: validationSeen,
    })
    await this.#cache.put(
      challengeKey('tls-alpn-01', identifier.value),
      encodeStoredCertificate(keyPem, certPem),
      { signal, lease },
    )
    this.#logger.debug({ name: identifier.value }, 'tls-alpn-01 challenge published')
  }

  #alpnKeyPair(): Promise<KeyPair> {
    if (!this.#alpnKey) {
      const key = generateKeyPair()
      key.catch(() => {
        if (this.#alpnKey === key) this.#alpnKey = undefined
      })
      this.#alpnKey = key
    }
    return this.#alpnKey
  }

  async #cleanupAlpn({ identifier, token, signal }: ChallengeArgs, lease: Lease): Promise<void> {
    if (this.#alpn.get(identifier.value)?.token !== token) return
    this.#alpn.delete(identifier.value)
    await this.#cache.delete(challengeKey('tls-alpn-01', identifier.value), { signal, lease })
  }
}
