import { createSecureContext, type SecureContext } from 'node:tls'
import { normalizeHostname } from '@autotls/crypto'
import { eitherSignal } from './abortable.js'
import { type CertificateId, certificateId } from './certificate-id.js'
import type { ChallengeAnswers } from './challenge-answers.js'
import type { ServedKeyType } from './client-key-type.js'
import type { TlsAlert } from './connection-router.js'
import { asManagerError, ManagerError } from './errors.js'
import type { FailureMemory } from './failure-memory.js'
import { withinHandshakeTimeout } from './handshake-timeout.js'
import type { HostCheck } from './host-policy.js'
import type { ManagerCounters } from './manager-counters.js'
import type { Obtainer } from './obtainer.js'
import { fromLatin1, RawNameMemory } from './raw-name-memory.js'
import type { RefusalReporter } from './refusal-reporter.js'
import type { Renewer } from './renewer.js'
import type { ResolvedOptions } from './resolve-options.js'
import { SecureContextCache } from './secure-context-cache.js'
import type { StoredCertificate } from './stored-certificate.js'

/** The asynchronous SNI callback shape of `tls.Server`. */
export type SniCallback = (
  servername: string,
  callback: (error: Error | null, context?: SecureContext) => void,
) => void

/** A context ready to serve, with the certificate it was built from. */
export interface Ready {
  readonly context: SecureContext
  readonly cert: StoredCertificate
  /** `cert`'s notAfter in epoch milliseconds. */
  readonly notAfterMs: number
  /** The {@link CertificateId} key of the certificate. */
  readonly key: string
  /** `context` went to a server of the user's (`secureContext()`, `tlsOptions()`): never freed. */
  handedOut: boolean
}

/**
 * A server of the manager's own (`createServer()`'s): every hello went through
 * {@link Handshakes.prepare}, and before each connection is handed to TLS the server makes the
 * first certificate it serves its own context (and a renewal of it, when one comes).
 */
export interface OwnServer {
  /** The certificate the server's own context holds, once it holds one (a rebuilt Ready: same). */
  readonly adopted: Pick<Ready, 'key' | 'cert'> | undefined
}

/** What {@link Handshakes} works with. */
export interface HandshakesDeps {
  readonly options: ResolvedOptions
  readonly hostCheck: HostCheck
  /** The certificate that serves an allowed name: itself, or its pattern's wildcard certificate. */
  readonly certificateName: (name: string) => string
  readonly obtainer: Obtainer
  readonly renewer: Renewer
  readonly failures: FailureMemory
  readonly counters: ManagerCounters
  readonly answers: ChallengeAnswers
  readonly refusals: RefusalReporter
  readonly lifetime: AbortSignal
}

/** The alert a refused handshake gets: the name is not ours, or we have no certificate for it. */
function alertFor(error: ManagerError): TlsAlert {
  return error.code === 'ERR_MANAGER_INVALID_NAME' || error.code === 'ERR_MANAGER_HOST_NOT_ALLOWED'
    ? 'unrecognized_name'
    : 'internal_error'
}

/**
 * The handshake path after the router, in the order a handshake meets it. Before TLS starts (on
 * `createServer()` servers) the certificate is made ready, or the connection refused with a TLS
 * alert (`unrecognized_name` for a name invalid or outside the policy, `internal_error` when no
 * certificate can be had) and the refusal reported. Getting it ready: normalise the name and ask
 * the host policy (before any cache or network access), then memory (an LRU of ready contexts,
 * else the validated certificate the renewer holds), then the failure memory, then one shared
 * job per certificate, the {@link Obtainer}'s, under the manager's lifetime (each caller races
 * its own signal and `handshakeTimeoutMs` against it). The SNI callbacks then answer from memory.
 *
 * A name in memory is answered synchronously by the raw name the client sent: with a list policy
 * (whose verdict cannot change) before TLS too; a function policy is asked once per handshake.
 *
 * @example
 * const context = await handshakes.secureContext('example.com', 'ec-p256', signal)
 * tls.createServer({ SNICallback: handshakes.sniCallback('ec-p256') })
 * @see https://www.rfc-editor.org/rfc/rfc6066#section-3
 */
export class Handshakes {
  readonly #deps: HandshakesDeps
  readonly #contexts: SecureContextCache<Ready>
  readonly #inflight = new Map<string, Promise<Ready>>()
  readonly #known: RawNameMemory
  readonly #fixedPolicy: boolean // a list: a raw name allowed once stays allowed

  constructor(deps: HandshakesDeps) {
    const { maxContexts, keyTypes, hosts } = deps.options
    this.#deps = deps
    this.#contexts = new SecureContextCache(maxContexts)
    this.#known = new RawNameMemory(keyTypes, Math.max(2 * maxContexts, 20_000))
    this.#fixedPolicy = Array.isArray(hosts)
  }

  /** The key type served for a request of `keyType` (the first configured when not served). */
  served(keyType: ServedKeyType | undefined): ServedKeyType {
    const types = this.#deps.options.keyTypes
    return keyType && types.includes(keyType) ? keyType : (types[0] as ServedKeyType)
  }

  /** The normalised, allowed name for `rawName`; every failure is a `ManagerError`. */
  async allowedName(rawName: string, signal: AbortSignal | undefined): Promise<string> {
    const { hostCheck, lifetime } = this.#deps
    const either = signal ? eitherSignal(signal, lifetime) : null
    try {
      return await hostCheck(rawName, either?.signal ?? lifetime)
    } catch (error) {
      if (lifetime.aborted) throw lifetime.reason
      if (error instanceof ManagerError || signal?.aborted) {
        throw asManagerError(error, signal, 'asking the host policy')
      }
      throw new ManagerError(
        'ERR_MANAGER_HOST_NOT_ALLOWED',
        `the host policy failed for ${JSON.stringify(rawName.slice(0, 253))}: ${(error as Error).message}`,
        { cause: error },
      )
    } finally {
      either?.dispose()
    }
  }

  /** The identity of the certificate serving `rawName` once the policy allows it. */
  async certificateId(
    rawName: string,
    keyType: ServedKeyType,
    signal: AbortSignal | undefined,
  ): Promise<CertificateId> {
    const name = await this.allowedName(rawName, signal)
    const id = certificateId(this.#deps.certificateName(name), keyType)
    this.#known.remember(keyType, rawName, id)
    return id
  }

  /** Before TLS: the certificate made ready, or the refusal reported (its alert). */
  prepare(
    serverName: string | null,
    keyType: ServedKeyType,
  ): Ready | TlsAlert | Promise<Ready | TlsAlert> {
    if (serverName === null) {
      const noName = new ManagerError('ERR_MANAGER_INVALID_NAME', 'the client sent no server name')
      this.#deps.refusals.report(null, noName)
      return 'unrecognized_name'
    }
    const held = this.#fixedPolicy ? this.#held(serverName, keyType) : undefined
    if (held) {
      this.#deps.counters.servedFromMemory++
      return held
    }
    return this.#prepare(serverName, keyType)
  }

  async #prepare(serverName: string, keyType: ServedKeyType): Promise<Ready | TlsAlert> {
    try {
      return await this.#readyFor(serverName, keyType, undefined)
    } catch (error) {
      const refusal = asManagerError(error, undefined, 'the handshake')
      if (refusal.code === 'ERR_MANAGER_CLOSED') return 'internal_error'
      this.#deps.refusals.report(serverName, refusal)
      return alertFor(refusal)
    }
  }

  /** Before TLS, for a tls-alpn-01 validation connection: the name must pass the policy. */
  async prepareChallenge(serverName: string | null): Promise<TlsAlert | null> {
    if (serverName === null) return 'unrecognized_name'
    try {
      await this.allowedName(serverName, undefined)
      return null
    } catch {
      return 'unrecognized_name'
    }
  }

  /**
   * The SNI callback of the application servers for `keyType`. On an {@link OwnServer} a context
   * in memory is answered without asking the policy again, and the certificate the server's own
   * context holds with no context at all: the handshake keeps the SSL_CTX it started with (a
   * switch costs 1–2 % of a handshake). On a server of your own, a list policy's name seen
   * before is answered from memory too, and every context it gets is marked handed out.
   */
  sniCallback(keyType: ServedKeyType, own?: OwnServer): SniCallback {
    const fromMemory = own !== undefined || this.#fixedPolicy
    return (servername, callback) => {
      if (fromMemory) {
        const ready = this.#held(servername, keyType)
        if (ready) {
          if (own === undefined) {
            this.#deps.counters.servedFromMemory++
            ready.handedOut = true
          }
          if (ready.cert === own?.adopted?.cert) callback(null)
          else callback(null, ready.context)
          return
        }
      }
      const name = fromLatin1(servername)
      this.secureContext(name, keyType, undefined).then(
        (context) => callback(null, context),
        (error: unknown) => {
          const refusal = asManagerError(error, undefined, 'the handshake')
          if (refusal.code !== 'ERR_MANAGER_CLOSED') this.#deps.refusals.report(name, refusal)
          callback(refusal)
        },
      )
    }
  }

  /**
   * The SNI callback of the challenge server: the RFC 8737 certificate of a pending challenge.
   * Its connections passed {@link prepareChallenge}: the name is normalised, not asked again.
   */
  challengeSniCallback(): SniCallback {
    return (servername, callback) => {
      this.#challengeContext(fromLatin1(servername)).then(
        (context) => callback(null, context),
        (error: Error) => callback(error),
      )
    }
  }

  /** A challenge connection finished its handshake: wake its issuance (`alpnValidated`). */
  challengeValidated(servername: string): void {
    const { options, answers } = this.#deps
    try {
      answers.alpnValidated(normalizeHostname(fromLatin1(servername), { allowIp: options.allowIp }))
    } catch {
      // Not a name a challenge can be pending for: nothing to wake.
    }
  }

  async #challengeContext(servername: string): Promise<SecureContext> {
    const { options, answers, lifetime } = this.#deps
    const name = normalizeHostname(servername, { allowIp: options.allowIp })
    const context = await answers.alpnContext(name, lifetime)
    if (!context) {
      throw new ManagerError(
        'ERR_MANAGER_NO_CHALLENGE',
        `no tls-alpn-01 challenge is pending for ${name}`,
      )
    }
    return context
  }

  /** The context for `rawName` and `keyType` (memory, else cache, else the CA), handed out. */
  async secureContext(
    rawName: string,
    keyType: ServedKeyType | undefined,
    signal: AbortSignal | undefined,
  ): Promise<SecureContext> {
    const ready = await this.#readyFor(rawName, keyType, signal)
    ready.handedOut = true
    return ready.context
  }

  async #readyFor(
    rawName: string,
    keyType: ServedKeyType | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Ready> {
    const { failures, counters, lifetime } = this.#deps
    if (lifetime.aborted) throw lifetime.reason
    const id = await this.certificateId(rawName, this.served(keyType), signal)
    const ready = this.#ready(id)
    if (ready) {
      counters.servedFromMemory++
      return ready
    }
    const failure = failures.recent(id.key)
    if (failure) {
      throw new ManagerError(
        'ERR_MANAGER_RECENT_FAILURE',
        `obtaining a certificate for ${id.name} failed recently (${failure.error.message}); next attempt after ${new Date(failure.until).toISOString()}`,
        { cause: failure.error },
      )
    }
    const either = signal ? eitherSignal(signal, lifetime) : null
    try {
      return await withinHandshakeTimeout(
        this.shared(id),
        id,
        this.#deps.options,
        either?.signal ?? lifetime,
      )
    } catch (error) {
      if (lifetime.aborted) throw lifetime.reason
      throw asManagerError(error, signal, `obtaining a certificate for ${id.name}`)
    } finally {
      either?.dispose()
    }
  }

  /** The one in-flight load or issuance for `id`, started when there is none. */
  shared(id: CertificateId): Promise<Ready> {
    let job = this.#inflight.get(id.key)
    if (!job) {
      job = this.#deps.obtainer
        .obtain(id, (cert) => this.install(id, cert))
        .finally(() => this.#inflight.delete(id.key))
      job.catch(() => {})
      this.#inflight.set(id.key, job)
    }
    return job
  }

  /** Serves `cert` for `id` from now on, and has the renewer track it. */
  install(id: CertificateId, cert: StoredCertificate): Ready {
    const ready: Ready = {
      context: createSecureContext({ key: cert.keyPem, cert: cert.chainPem }),
      cert,
      notAfterMs: cert.leaf.notAfter.getTime(),
      key: id.key,
      handedOut: false,
    }
    this.#contexts.set(id.key, ready)
    this.#deps.renewer.track(id, cert)
    return ready
  }

  /** Drops what is kept for `id` here (its context and its failure). */
  forget(id: CertificateId): void {
    this.#contexts.delete(id.key)
    this.#deps.failures.forget(id.key)
  }

  /** Drops every context; in-flight jobs end with the manager's lifetime. */
  close(): Promise<unknown>[] {
    this.#contexts.clear()
    this.#known.clear()
    return [...this.#inflight.values()]
  }

  /** The valid context for a raw name allowed before, synchronously; undefined on any miss. */
  #held(rawName: string, keyType: ServedKeyType): Ready | undefined {
    const id = this.#known.get(keyType, rawName)
    return id && !this.#deps.lifetime.aborted ? this.#ready(id) : undefined
  }

  /**
   * The valid context for `id` from memory: the LRU, else (evicted) rebuilt from the certificate
   * the renewer holds, validated already, in about a millisecond with no cache read.
   */
  #ready(id: CertificateId): Ready | undefined {
    const now = this.#deps.options.now()
    const ready = this.#contexts.get(id.key)
    if (ready && ready.notAfterMs > now) return ready
    const held = this.#deps.renewer.get(id.key)?.cert
    if (held && held.leaf.notAfter.getTime() > now) return this.install(id, held)
    return undefined
  }
}
