import { setMaxListeners } from 'node:events'
import type { SecureContext, TlsOptions } from 'node:tls'
import { type CacheStore, memoryCache } from '@autotls/cache'
import { AcmeAccount } from './acme-account.js'
import { certificateNamer } from './certificate-name.js'
import { ChallengeAnswers } from './challenge-answers.js'
import type { ServedKeyType } from './client-key-type.js'
import { ManagerError } from './errors.js'
import { FailureMemory } from './failure-memory.js'
import { Handshakes } from './handshakes.js'
import { createHostCheck } from './host-policy.js'
import { createHttpHandler, type RequestListener } from './http-handler.js'
import { IssuanceBudget } from './issuance-budget.js'
import { IssuanceQueue } from './issuance-queue.js'
import { manageNames } from './manage-names.js'
import { type CreateServerOptions, ManagedServer } from './managed-server.js'
import { type ManagerCounters, zeroCounters } from './manager-counters.js'
import type { ManagerEvent } from './manager-event.js'
import type { ManagedChallenge, ManagerOptions } from './manager-options.js'
import { Obtainer } from './obtainer.js'
import { RefusalReporter } from './refusal-reporter.js'
import { renewNow } from './renew-now.js'
import { Renewer } from './renewer.js'
import { type ResolvedOptions, resolveOptions } from './resolve-options.js'

export type { CreateServerOptions } from './managed-server.js'

/** A certificate the manager holds, as {@link Manager.certificates} lists it. */
export interface ManagedCertificateInfo {
  readonly name: string
  readonly keyType: ServedKeyType
  readonly notAfter: Date
}

/**
 * Automatic certificates for Node TLS servers, in the manner of Go's `autocert.Manager`: the first
 * handshake for an allowed name obtains its certificate from an ACME CA (tls-alpn-01 on the same
 * port, http-01 on port 80, or dns-01 with the `dns` option, which also serves each
 * `*.example.com` pattern one wildcard certificate), concurrent handshakes and processes sharing
 * the cache share one issuance, certificates are renewed in the background, and cached
 * certificates keep being served while the CA is unreachable. This class is the facade; the README's "How it works" names the
 * files behind it in the order a handshake meets them.
 *
 * @example
 * const manager = createManager({
 *   hosts: ['example.com', 'www.example.com'],
 *   cache: dirCache({ dir: '/var/lib/autotls' }),
 *   email: 'ops@example.com',
 *   acceptTerms: true,
 * })
 * const server = manager.createServer((req, res) => res.end('hello')).listen(443)
 * process.on('SIGTERM', () => server.close(() => manager.close()))
 * @see https://www.rfc-editor.org/rfc/rfc8555
 * @see https://www.rfc-editor.org/rfc/rfc8737
 */
export class Manager {
  readonly #options: ResolvedOptions
  readonly #store: CacheStore
  readonly #closed = new AbortController()
  #closing: Promise<void> | undefined
  readonly #counters = zeroCounters()
  readonly #usedChallenges = new Set<ManagedChallenge>()
  readonly #answers: ChallengeAnswers
  readonly #failures: FailureMemory
  readonly #obtainer: Obtainer
  readonly #renewer: Renewer
  readonly #handshakes: Handshakes
  readonly #refusals: RefusalReporter
  readonly #servers = new Set<ManagedServer>()

  constructor(options: ManagerOptions) {
    const o = resolveOptions(options)
    this.#options = o
    const wildcardCertificates = o.dns !== undefined
    const hostCheck = createHostCheck(o.hosts, { allowIp: o.allowIp, wildcardCertificates })
    if (o.cache) {
      this.#store = o.cache
    } else {
      this.#store = memoryCache()
      o.logger.warn(
        {},
        'no cache configured: certificates live in memory only and are lost on restart; pass cache: dirCache({ dir }) to keep them',
      )
    }
    const lifetime = this.#closed.signal
    // Every waiting handshake listens for close(); thousands may wait at once.
    setMaxListeners(0, lifetime)
    const emit = (event: ManagerEvent): void => this.#emit(event)
    const account = new AcmeAccount(this.#store, o, lifetime)
    this.#answers = new ChallengeAnswers(this.#store, o.logger)
    this.#failures = new FailureMemory(o.maxFailures, o.now)
    this.#obtainer = new Obtainer({
      store: this.#store,
      options: o,
      account,
      answers: this.#answers,
      queue: new IssuanceQueue(o.maxConcurrentIssuances),
      budget: new IssuanceBudget(o.budget, o.now),
      counters: this.#counters,
      failures: this.#failures,
      emit,
      usedChallenges: this.#usedChallenges,
      lifetime,
    })
    this.#renewer = new Renewer({
      options: o,
      obtainer: this.#obtainer,
      account,
      hostCheck,
      counters: this.#counters,
      emit,
      installed: (id, cert) => this.#handshakes.install(id, cert),
      dropped: (id) => this.#handshakes.forget(id),
      lifetime,
    })
    this.#refusals = new RefusalReporter({
      logger: o.logger,
      intervalMs: o.refusalLogIntervalMs,
      now: o.now,
      counters: this.#counters,
      emit,
    })
    this.#handshakes = new Handshakes({
      options: o,
      hostCheck,
      certificateName: certificateNamer(o.hosts, wildcardCertificates),
      obtainer: this.#obtainer,
      renewer: this.#renewer,
      failures: this.#failures,
      counters: this.#counters,
      answers: this.#answers,
      refusals: this.#refusals,
      lifetime,
    })
  }

  /**
   * The TLS context for `name` with the given key type: from memory, else from the cache (checked
   * before use), else obtained from the CA. The name is normalised and checked against the host
   * policy before any cache or network access. Waits at most `handshakeTimeoutMs`; `signal` stops
   * this wait only (the issuance goes on for other callers).
   *
   * The context stays valid as long as you hold it (an `OCSPRequest` listener may answer late, a
   * cache may keep it): the manager never frees a context it handed out. Ask again after a renewal.
   *
   * @example
   * tls.createServer({ SNICallback: (name, cb) => manager.secureContext(name).then((c) => cb(null, c), cb) })
   */
  async secureContext(
    name: string,
    keyType?: ServedKeyType,
    options: { signal?: AbortSignal } = {},
  ): Promise<SecureContext> {
    this.#checkOpen()
    return this.#handshakes.secureContext(name, keyType, options.signal)
  }

  /**
   * An HTTPS server (a `net.Server` with the usual `listen` / `close` / `address`) that answers
   * tls-alpn-01 itself, serves each client the key type it supports, and refuses a name it will
   * not serve with a TLS alert; `requestListener` gets every request, as with
   * `https.createServer`. Pass `{ http2: true }` for HTTP/2 next to HTTP/1.1.
   *
   * @example
   * const server = manager.createServer(app).listen(443)   // Express, or any (req, res) handler
   * process.on('SIGTERM', () => server.close(() => manager.close()))
   * @see https://www.rfc-editor.org/rfc/rfc8737#section-3
   */
  createServer(
    optionsOrListener?: CreateServerOptions | RequestListener,
    requestListener?: RequestListener,
  ): ManagedServer {
    this.#checkOpen()
    const o = this.#options
    const options = typeof optionsOrListener === 'function' ? {} : (optionsOrListener ?? {})
    const listener = typeof optionsOrListener === 'function' ? optionsOrListener : requestListener
    this.#usedChallenges.add('tls-alpn-01')
    const server = new ManagedServer(
      {
        keyTypes: o.keyTypes,
        handshakes: this.#handshakes,
        ...(options.http2 === undefined ? {} : { http2: options.http2 }),
        ...(options.serverOptions ? { serverOptions: options.serverOptions } : {}),
        helloTimeoutMs: o.helloTimeoutMs,
        handshakeTimeoutMs: o.tlsHandshakeTimeoutMs,
        onReject: (error, serverName) => this.#refusals.dropped(serverName, error),
      },
      listener,
    )
    this.#servers.add(server)
    server.once('close', () => this.#servers.delete(server))
    return server
  }

  /**
   * Options for a `tls.Server` / `https.Server` you create yourself: an `SNICallback` serving the
   * first configured key type. Such a server cannot answer tls-alpn-01 (it never sees the
   * `acme-tls/1` hello) nor send a TLS alert for a refused name, so prefer `createServer()`, or
   * serve `httpHandler()` on port 80. Its contexts stay valid as long as the server holds them.
   *
   * @example
   * https.createServer(manager.tlsOptions(), app).listen(443)
   * http.createServer(manager.httpHandler()).listen(80)
   */
  tlsOptions(): TlsOptions {
    return { SNICallback: this.#handshakes.sniCallback(this.#handshakes.served(undefined)) }
  }

  /**
   * The port-80 request listener: answers http-01 challenges (also those published by other
   * processes sharing the cache) and redirects everything else to HTTPS for allowed hosts, or
   * hands it to `fallback`. Calling it enables http-01 for issuance.
   *
   * @example
   * http.createServer(manager.httpHandler()).listen(80)
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-8.3
   */
  httpHandler(fallback?: RequestListener): RequestListener {
    this.#checkOpen()
    this.#usedChallenges.add('http-01')
    const logger = this.#options.logger
    return createHttpHandler({
      allowedHost: (host, signal) => this.#handshakes.allowedName(host, signal).catch(() => null),
      challengeAnswer: (host, token, signal) =>
        this.#answers.httpAnswer(host, token, AbortSignal.any([signal, this.#closed.signal])),
      answerSent: (host, token) => this.#answers.httpAnswered(host, token),
      fallback,
      httpsPort: this.#options.httpsPort,
      onError: (error) =>
        logger.error(
          { error: error instanceof Error ? error : String(error) },
          'http-01 handler failed',
        ),
    })
  }

  /**
   * Obtains (or loads) certificates for `names` ahead of traffic, every configured key type, and
   * schedules their renewal. Rejects with `ERR_MANAGER_ISSUANCE_FAILED` (cause: an
   * `AggregateError` of `ManagerError`s) when some failed; the others are ready regardless.
   *
   * @example
   * await manager.manage(['example.com', 'www.example.com'])
   */
  async manage(names: readonly string[], options: { signal?: AbortSignal } = {}): Promise<void> {
    this.#checkOpen()
    await manageNames(this.#handshakes, names, this.#options.keyTypes, options.signal)
  }

  /**
   * Renews the certificate of `name` now, ahead of its schedule (after a key compromise, or to
   * test a deployment). Resolves once the new certificate is served; `signal` stops the waiting,
   * not the renewal.
   *
   * @example
   * await manager.renew('example.com')
   */
  async renew(
    name: string,
    keyType?: ServedKeyType,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    this.#checkOpen()
    const deps = { handshakes: this.#handshakes, obtainer: this.#obtainer, renewer: this.#renewer }
    await renewNow({ ...deps, lifetime: this.#closed.signal }, name, keyType, options.signal)
  }

  /**
   * What the manager has done so far (a snapshot): certificates obtained, renewed, failed,
   * handshakes refused, orders placed, handshakes served from memory and loads from the cache.
   *
   * @example
   * const { refused, failed } = manager.counters()
   */
  counters(): Readonly<ManagerCounters> {
    return { ...this.#counters }
  }

  /**
   * The certificates held now, with their expiry.
   *
   * @example
   * for (const c of manager.certificates()) console.log(c.name, c.keyType, c.notAfter)
   */
  certificates(): ManagedCertificateInfo[] {
    return [...this.#renewer.all()].map(({ id, cert }) => ({
      name: id.name,
      keyType: id.keyType,
      notAfter: cert.leaf.notAfter,
    }))
  }

  /**
   * The full stop: stops every timer and in-flight issuance and closes the servers it created
   * (cutting their connections); afterwards nothing of the manager keeps the process alive. Its
   * timers never do anyway: closing your servers alone lets the process exit. Safe to call twice: every call resolves once
   * the stop is complete.
   *
   * @example
   * process.on('SIGTERM', () => server.close(() => manager.close()))
   */
  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    this.#closed.abort(new ManagerError('ERR_MANAGER_CLOSED', 'the manager was closed'))
    this.#renewer.stop()
    this.#failures.clear()
    const inflight = this.#handshakes.close()
    const serversClosed = [...this.#servers].map((server) => {
      const closed = new Promise((resolve) => server.close(resolve))
      server.closeAllConnections()
      return closed
    })
    await Promise.all(serversClosed)
    await Promise.allSettled([...inflight, ...this.#obtainer.pending()])
    if (!this.#options.cache) await (this.#store as { close?: () => Promise<void> }).close?.()
  }

  #checkOpen(): void {
    if (this.#closed.signal.aborted) {
      throw new ManagerError('ERR_MANAGER_CLOSED', 'the manager was closed: create a new one')
    }
  }

  #emit(event: ManagerEvent): void {
    try {
      this.#options.onEvent?.(event)
    } catch (error) {
      this.#options.logger.error(
        { error: error instanceof Error ? error : String(error) },
        'onEvent threw',
      )
    }
  }
}

/**
 * Creates a {@link Manager}. Only `hosts` is required; see {@link ManagerOptions} for the rest.
 * Every option is checked here: a wrong one throws `ERR_MANAGER_INVALID_OPTION`.
 *
 * @example
 * const manager = createManager({ hosts: ['example.com'], cache: dirCache({ dir: './certs' }), acceptTerms: true })
 */
export function createManager(options: ManagerOptions): Manager {
  return new Manager(options)
}
