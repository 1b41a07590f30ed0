import type { SecureContext } from 'node:tls'
import { asManagerError, type CertificateSource } from './certificate-source.js'
import type { ChallengeAnswers } from './challenge-answers.js'
import type { ServedKeyType } from './client-key-type.js'
import type { TlsAlert } from './connection-router.js'
import { ManagerError } from './errors.js'
import type { SniCallback } from './managed-server.js'
import type { RefusalReporter } from './refusal-reporter.js'

/** Node hands SNI bytes over as latin1; a client that sent raw UTF-8 gets its name back. */
function fromLatin1(servername: string): string {
  return /[\x80-\xff]/.test(servername)
    ? Buffer.from(servername, 'latin1').toString('utf8')
    : servername
}

/** The alert a refused handshake gets: the name is not ours, or we have no certificate for it. */
function alertFor(error: ManagerError): TlsAlert {
  return error.code === 'ERR_MANAGER_INVALID_NAME' || error.code === 'ERR_MANAGER_HOST_NOT_ALLOWED'
    ? 'unrecognized_name'
    : 'internal_error'
}

/**
 * The manager's side of a handshake, as the servers call it: before TLS starts (on
 * `createServer()` servers) the certificate is made ready or the connection refused with a TLS
 * alert, `unrecognized_name` for a name that is invalid or outside the policy, `internal_error`
 * when no certificate can be had; then the SNI callbacks answer from memory. Every refusal goes
 * to the {@link RefusalReporter} (counted, emitted, logged at a bounded rate).
 *
 * @example
 * const handshakes = new Handshakes(source, answers, refusals, lifetime)
 * tls.createServer({ SNICallback: handshakes.sniCallback('ec-p256') })
 * @see https://www.rfc-editor.org/rfc/rfc6066#section-3
 */
export class Handshakes {
  readonly #source: CertificateSource
  readonly #answers: ChallengeAnswers
  readonly #refusals: RefusalReporter
  readonly #lifetime: AbortSignal

  constructor(
    source: CertificateSource,
    answers: ChallengeAnswers,
    refusals: RefusalReporter,
    lifetime: AbortSignal,
  ) {
    this.#source = source
    this.#answers = answers
    this.#refusals = refusals
    this.#lifetime = lifetime
  }

  /** Before TLS: the certificate is made ready (null), or the refusal is reported (its alert). */
  async prepare(serverName: string | null, keyType: ServedKeyType): Promise<TlsAlert | null> {
    if (serverName === null) {
      this.#refusals.report(
        null,
        new ManagerError('ERR_MANAGER_INVALID_NAME', 'the client sent no server name'),
      )
      return 'unrecognized_name'
    }
    try {
      await this.#source.secureContext(serverName, keyType, undefined)
      return null
    } catch (error) {
      const refusal = asManagerError(error, undefined, 'the handshake')
      if (refusal.code === 'ERR_MANAGER_CLOSED') return 'internal_error'
      this.#refusals.report(serverName, refusal)
      return alertFor(refusal)
    }
  }

  /** Before TLS, for a tls-alpn-01 validation connection: the name must pass the policy. */
  async prepareChallenge(serverName: string | null): Promise<TlsAlert | null> {
    if (serverName === null) return 'unrecognized_name'
    try {
      await this.#source.allowedName(serverName, undefined)
      return null
    } catch {
      return 'unrecognized_name'
    }
  }

  /**
   * The SNI callback of the application servers for `keyType`. With `prepared`, the connection's
   * hello went through {@link prepare} already: the context is taken from memory without asking
   * the host policy a second time (a function policy runs once per handshake).
   */
  sniCallback(keyType: ServedKeyType, prepared = false): SniCallback {
    return (servername, callback) => {
      const name = fromLatin1(servername)
      const ready = prepared ? this.#source.held(name, keyType) : undefined
      if (ready) {
        callback(null, ready)
        return
      }
      this.#source.secureContext(name, keyType, undefined).then(
        (context) => callback(null, context),
        (error: unknown) => {
          const refusal = asManagerError(error, undefined, 'the handshake')
          if (refusal.code !== 'ERR_MANAGER_CLOSED') this.#refusals.report(name, refusal)
          callback(refusal)
        },
      )
    }
  }

  /** The SNI callback of the challenge server: the RFC 8737 certificate of a pending challenge. */
  challengeSniCallback(): SniCallback {
    return (servername, callback) => {
      this.#challengeContext(fromLatin1(servername)).then(
        (context) => callback(null, context),
        (error: Error) => callback(error),
      )
    }
  }

  async #challengeContext(servername: string): Promise<SecureContext> {
    const name = await this.#source.allowedName(servername, undefined)
    const context = await this.#answers.alpnContext(name, this.#lifetime)
    if (!context) {
      throw new ManagerError(
        'ERR_MANAGER_NO_CHALLENGE',
        `no tls-alpn-01 challenge is pending for ${name}`,
      )
    }
    return context
  }
}
