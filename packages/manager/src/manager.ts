import { setMaxListeners } from 'node:events'
import type { ServerOptions } from 'node:https'
import { createSecureContext, type SecureContext, type TlsOptions } from 'node:tls'
import {
  AcmeClient,
  AcmeError,
  AcmeProblemError,
  type ChallengeSolver,
  issueCertificate,
  LETS_ENCRYPT_PRODUCTION,
} from '@autotls/acme'
import {
  accountKey,
  type CacheStore,
  certificateKey,
  type Lease,
  lockName,
  memoryCache,
} from '@autotls/cache'
import {
  ariCertId,
  exportPrivateKeyPem,
  generateKeyPair,
  importPrivateKeyPem,
} from '@autotls/crypto'
import { ChallengeAnswers } from './challenge-answers.js'
import type { ServedKeyType } from './client-key-type.js'
import { ManagerError } from './errors.js'
import { createHostCheck, type HostCheck } from './host-policy.js'
import { createHttpHandler, type RequestListener } from './http-handler.js'
import { IssuanceQueue } from './issuance-queue.js'
import { consoleLogger, type Logger } from './logger.js'
import { ManagedServer, type SniCallback } from './managed-server.js'
import type { ManagerEvent } from './manager-event.js'
import type { ManagedChallenge, ManagerOptions } from './manager-options.js'
import { type AriWindow, nextRenewalCheck, renewalTime, retryDelay } from './renewal-schedule.js'
import { SecureContextCache } from './secure-context-cache.js'
import {
  decodeStoredCertificate,
  encodeStoredCertificate,
  type StoredCertificate,
} from './stored-certificate.js'

/** Options of {@link Manager.createServer}. */
export interface CreateServerOptions {
  /** Serve HTTP/2 (ALPN `h2`) next to HTTP/1.1. Default false. */
  http2?: boolean
  /** Passed to the underlying `https` / `http2` servers (timeouts, limits, `minVersion`…). */
  serverOptions?: ServerOptions
}

interface Ready {
  readonly context: SecureContext
  readonly cert: StoredCertificate
}

interface Renewal {
  cert: StoredCertificate
  timer: NodeJS.Timeout | undefined
  /** Failed renewals in a row. */
  failures: number
  /** The CA's last renewal window for `cert` (RFC 9773), when it offers ARI. */
  ari: AriWindow | null
  /** Failed asks for that window in a row. */
  ariFailures: number
  /** This certificate's random draw in [0, 1): its jitter and its point in the ARI window. */
  fraction: number
  running: boolean
}

const LONGEST_TIMER = 24 * 3_600_000
/** With ARI, a new certificate's first window fetch happens within this long after install. */
const ARI_FIRST_CHECK_MS = 10 * 60_000
const MANAGE_CONCURRENCY = 4
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** `value` if it is an integer ≥ `min`, `fallback` when undefined; else ERR_INVALID_OPTION. */
function integerOption(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < min) {
    throw new ManagerError(
      'ERR_INVALID_OPTION',
      `${name} must be an integer ≥ ${min}, got ${value}`,
    )
  }
  return value
}

/** Attempts of a first issuance when failures are transient (see `isTransient`). */
const TRANSIENT_ATTEMPTS = 3

/** Failures that pass on their own: worth another attempt before a handshake is refused. */
function isTransient(error: unknown): boolean {
  if (error instanceof AcmeProblemError)
    return error.shortType === 'badNonce' || error.status >= 500
  return error instanceof AcmeError && error.code === 'ERR_ACME_NETWORK'
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** How long a failure caused by an unreachable cache store is remembered. */
const STORE_DOWN_FAILURE_TTL_MS = 1000

/** Whether `error` or any error in its `cause` chain carries `code`. */
function hasCode(error: unknown, code: string): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === code) return true
  }
  return false
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value))
}

/** Node hands SNI bytes over as latin1; a client that sent raw UTF-8 gets its name back. */
function fromLatin1(servername: string): string {
  return /[\x80-\xff]/.test(servername)
    ? Buffer.from(servername, 'latin1').toString('utf8')
    : servername
}

/**
 * Automatic certificates for Node TLS servers, in the manner of Go's `autocert.Manager`: the first
 * handshake for an allowed name obtains its certificate from an ACME CA (tls-alpn-01 on the same
 * port, or http-01 on port 80), concurrent handshakes and processes sharing the cache share one
 * issuance, certificates are renewed in the background, and cached certificates keep being served
 * while the CA is unreachable.
 *
 * @example
 * const manager = createManager({
 *   hosts: ['example.com', 'www.example.com'],
 *   cache: dirCache({ dir: '/var/lib/autotls' }),
 *   email: 'ops@example.com',
 *   acceptTerms: true,
 * })
 * manager.createServer((req, res) => res.end('hello')).listen(443)
 * http.createServer(manager.httpHandler()).listen(80)
 * @see https://www.rfc-editor.org/rfc/rfc8555
 * @see https://www.rfc-editor.org/rfc/rfc8737
 */
export class Manager {
  readonly #store: CacheStore
  readonly #hostCheck: HostCheck
  readonly #logger: Logger
  readonly #onEvent: ((event: ManagerEvent) => void) | undefined
  readonly #now: () => number
  readonly #random: () => number
  readonly #options: ManagerOptions
  readonly #directoryUrl: string
  readonly #keyTypes: readonly ServedKeyType[]
  readonly #contexts: SecureContextCache<Ready>
  readonly #inflight = new Map<string, Promise<Ready>>()
  readonly #failures = new Map<string, { until: number; error: Error }>()
  readonly #queue: IssuanceQueue
  readonly #lockTtlMs: number
  readonly #renewals = new Map<string, Renewal>()
  readonly #perName = new Map<string, Promise<unknown>>()
  readonly #invalidLogged = new Set<string>()
  readonly #answers: ChallengeAnswers
  readonly #usedChallenges = new Set<ManagedChallenge>()
  readonly #closed = new AbortController()
  readonly #servers = new Set<ManagedServer>()
  #client: Promise<AcmeClient> | undefined
  /** Whether the CA offers ARI (RFC 9773); unknown until the directory was read. */
  #ariOffered: boolean | undefined

  constructor(options: ManagerOptions) {
    this.#options = options
    this.#logger = options.logger ?? consoleLogger
    this.#onEvent = options.onEvent
    this.#now = options.now ?? Date.now
    this.#random = options.random ?? Math.random
    this.#directoryUrl = options.directoryUrl ?? LETS_ENCRYPT_PRODUCTION
    this.#hostCheck = createHostCheck(options.hosts, { allowIp: options.allowIp ?? false })
    const keyTypes = options.keyTypes ?? ['ec-p256', 'rsa-2048']
    if (keyTypes.length === 0 || keyTypes.some((t) => t !== 'ec-p256' && t !== 'rsa-2048')) {
      throw new ManagerError('ERR_INVALID_OPTION', "keyTypes must list 'ec-p256' and/or 'rsa-2048'")
    }
    this.#keyTypes = [...new Set(keyTypes)]
    this.#contexts = new SecureContextCache(
      integerOption('maxContexts', options.maxContexts, 1000, 1),
    )
    this.#queue = new IssuanceQueue(
      integerOption('maxConcurrentIssuances', options.maxConcurrentIssuances, 8, 1),
    )
    this.#lockTtlMs = integerOption('lockTtlMs', options.lockTtlMs, 60_000, 3000)
    if (options.cache) {
      this.#store = options.cache
    } else {
      this.#store = memoryCache()
      this.#logger.warn(
        {},
        'no cache configured: certificates live in memory only and are lost on restart; pass cache: dirCache({ dir }) to keep them',
      )
    }
    this.#answers = new ChallengeAnswers(this.#store, this.#logger)
    // Every waiting handshake listens for close(); thousands may wait at once.
    setMaxListeners(0, this.#closed.signal)
  }

  /**
   * The TLS context for `name` with the given key type: from memory, else from the cache (checked
   * before use), else obtained from the CA. The name is normalised and checked against the host
   * policy before any cache or network access. Waits at most `handshakeTimeoutMs`.
   *
   * @example
   * tls.createServer({ SNICallback: (name, cb) => manager.secureContext(name).then((c) => cb(null, c), cb) })
   */
  async secureContext(
    name: string,
    keyType: ServedKeyType = this.#keyTypes[0] as ServedKeyType,
    options: { signal?: AbortSignal } = {},
  ): Promise<SecureContext> {
    this.#checkOpen()
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.#closed.signal])
      : this.#closed.signal
    const normalised = await this.#hostCheck(name, signal)
    const served = this.#keyTypes.includes(keyType) ? keyType : (this.#keyTypes[0] as ServedKeyType)
    const id = `${normalised}/${served}`
    const ready = this.#contexts.get(id)
    if (ready && ready.cert.leaf.notAfter.getTime() > this.#now()) return ready.context
    // Evicted from the LRU but known (validated, renewal scheduled): rebuilding the context from
    // the PEMs in memory takes about a millisecond, with no cache read and no re-validation.
    const known = this.#renewals.get(id)?.cert
    if (known && known.leaf.notAfter.getTime() > this.#now()) {
      return this.#install(normalised, served, known).context
    }
    const failure = this.#failures.get(id)
    if (failure && failure.until > this.#now()) {
      throw new ManagerError(
        'ERR_RECENT_FAILURE',
        `obtaining a certificate for ${normalised} failed recently (${failure.error.message}); next attempt after ${new Date(failure.until).toISOString()}`,
        { cause: failure.error },
      )
    }
    return (await this.#bounded(this.#shared(normalised, served), normalised, signal)).context
  }

  /** The one in-flight load or issuance for a name and key type, started when there is none. */
  #shared(name: string, keyType: ServedKeyType): Promise<Ready> {
    const id = `${name}/${keyType}`
    let job = this.#inflight.get(id)
    if (!job) {
      job = this.#loadOrObtain(name, keyType).finally(() => this.#inflight.delete(id))
      job.catch(() => {})
      this.#inflight.set(id, job)
    }
    return job
  }

  /**
   * An HTTPS server (a `net.Server` with the usual `listen` / `close` / `address`) that answers
   * tls-alpn-01 itself and serves each client the key type it supports; `requestListener` gets
   * every request, as with `https.createServer`. Pass `{ http2: true }` for HTTP/2 next to
   * HTTP/1.1.
   *
   * @example
   * manager.createServer(app).listen(443)                      // Express, or any (req, res) handler
   * manager.createServer({ http2: true }, handler).listen(443)
   * @see https://www.rfc-editor.org/rfc/rfc8737#section-3
   */
  createServer(
    optionsOrListener?: CreateServerOptions | RequestListener,
    requestListener?: RequestListener,
  ): ManagedServer {
    this.#checkOpen()
    const options = typeof optionsOrListener === 'function' ? {} : (optionsOrListener ?? {})
    const listener = typeof optionsOrListener === 'function' ? optionsOrListener : requestListener
    this.#usedChallenges.add('tls-alpn-01')
    const server = new ManagedServer(
      {
        keyTypes: this.#keyTypes,
        sniCallback: (keyType) => this.#sniCallback(keyType),
        challengeSniCallback: (servername, callback) => {
          this.#challengeContext(fromLatin1(servername)).then(
            (context) => callback(null, context),
            (error: Error) => callback(error),
          )
        },
        ...(options.http2 === undefined ? {} : { http2: options.http2 }),
        ...(options.serverOptions ? { serverOptions: options.serverOptions } : {}),
        ...(this.#options.helloTimeoutMs === undefined
          ? {}
          : { helloTimeoutMs: this.#options.helloTimeoutMs }),
        onReject: (error) => this.#logger.debug({ code: error.code }, error.message),
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
   * `acme-tls/1` hello), so serve `httpHandler()` on port 80 or use `createServer()` instead.
   *
   * @example
   * https.createServer(manager.tlsOptions(), app).listen(443)
   * http.createServer(manager.httpHandler()).listen(80)
   */
  tlsOptions(): TlsOptions {
    return { SNICallback: this.#sniCallback(this.#keyTypes[0] as ServedKeyType) }
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
    return createHttpHandler({
      allowedHost: async (host, signal) => {
        try {
          return await this.#hostCheck(host, AbortSignal.any([signal, this.#closed.signal]))
        } catch (error) {
          if (error instanceof ManagerError) return null
          throw error
        }
      },
      challengeAnswer: (host, token, signal) =>
        this.#answers.httpAnswer(host, token, AbortSignal.any([signal, this.#closed.signal])),
      fallback,
      ...(this.#options.httpsPort === undefined ? {} : { httpsPort: this.#options.httpsPort }),
      onError: (error) => this.#logger.error({ error: toError(error) }, 'http-01 handler failed'),
    })
  }

  /**
   * Obtains (or loads) certificates for `names` ahead of traffic, every configured key type, and
   * schedules their renewal. Rejects with `ERR_ISSUANCE_FAILED` (cause: an `AggregateError`)
   * when some failed; the others are ready regardless.
   *
   * @example
   * await manager.manage(['example.com', 'www.example.com'])
   */
  async manage(names: readonly string[], options: { signal?: AbortSignal } = {}): Promise<void> {
    this.#checkOpen()
    const jobs = names.flatMap((name) => this.#keyTypes.map((keyType) => ({ name, keyType })))
    const errors: Error[] = []
    let next = 0
    const worker = async (): Promise<void> => {
      for (let job = jobs[next++]; job; job = jobs[next++]) {
        const { name, keyType } = job
        try {
          const normalised = await this.#hostCheck(name, this.#closed.signal)
          const shared = this.#shared(normalised, keyType)
          await (options.signal ? this.#abortable(shared, options.signal) : shared)
        } catch (error) {
          errors.push(toError(error))
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(MANAGE_CONCURRENCY, jobs.length) }, worker))
    if (errors.length > 0) {
      throw new ManagerError(
        'ERR_ISSUANCE_FAILED',
        `${errors.length} of ${jobs.length} certificates could not be obtained: ${errors[0]?.message}`,
        { cause: new AggregateError(errors) },
      )
    }
  }

  /**
   * Renews the certificate of `name` now, ahead of its schedule (after a key compromise, or to
   * test a deployment). Resolves once the new certificate is served.
   *
   * `signal` stops the waiting, not the renewal.
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
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.#closed.signal])
      : this.#closed.signal
    const normalised = await this.#hostCheck(name, signal)
    const served =
      keyType && this.#keyTypes.includes(keyType) ? keyType : (this.#keyTypes[0] as ServedKeyType)
    const id = `${normalised}/${served}`
    const current =
      this.#renewals.get(id)?.cert ?? (await this.#readCache(normalised, served, signal))
    if (!current) {
      await this.secureContext(normalised, served, { signal })
      return
    }
    await this.#abortable(this.#renewNow(normalised, served, current, true), signal)
  }

  /**
   * Stops every timer and in-flight issuance and closes the servers it created; afterwards
   * nothing of the manager keeps the process alive. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.#closed.signal.aborted) return
    this.#closed.abort(new ManagerError('ERR_CLOSED', 'the manager was closed'))
    for (const renewal of this.#renewals.values()) clearTimeout(renewal.timer)
    this.#renewals.clear()
    this.#contexts.clear()
    await Promise.all(
      [...this.#servers].map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve())
            server.closeAllConnections()
          }),
      ),
    )
    await Promise.allSettled([...this.#inflight.values(), ...this.#perName.values()])
    if (!this.#options.cache) await (this.#store as { close?: () => Promise<void> }).close?.()
  }

  #checkOpen(): void {
    if (this.#closed.signal.aborted) {
      throw new ManagerError('ERR_CLOSED', 'the manager was closed: create a new one')
    }
  }

  #sniCallback(keyType: ServedKeyType): SniCallback {
    return (servername, callback) => {
      this.secureContext(fromLatin1(servername), keyType).then(
        (context) => callback(null, context),
        (error: Error) => {
          this.#logger.debug(
            { name: servername.slice(0, 80), code: (error as ManagerError).code },
            `handshake refused: ${error.message}`,
          )
          callback(error)
        },
      )
    }
  }

  async #challengeContext(servername: string): Promise<SecureContext> {
    const name = await this.#hostCheck(servername, this.#closed.signal)
    const context = await this.#answers.alpnContext(name, this.#closed.signal)
    if (!context) {
      throw new ManagerError('ERR_NO_CHALLENGE', `no tls-alpn-01 challenge is pending for ${name}`)
    }
    return context
  }

  async #bounded<T>(job: Promise<T>, name: string, signal: AbortSignal): Promise<T> {
    const ms = this.#options.handshakeTimeoutMs ?? 30_000
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#logger.warn(
          { name, waitedMs: ms },
          `certificate for ${name} not ready within ${ms} ms: this handshake fails, the issuance continues`,
        )
        reject(
          new ManagerError(
            'ERR_HANDSHAKE_TIMEOUT',
            `certificate for ${name} not ready within ${ms} ms; retry shortly`,
          ),
        )
      }, ms)
    })
    try {
      return await Promise.race([this.#abortable(job, signal), timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  #abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason)
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    })
  }

  #emit(event: ManagerEvent): void {
    try {
      this.#onEvent?.(event)
    } catch (error) {
      this.#logger.error({ error: toError(error) }, 'onEvent threw')
    }
  }

  /** Cache, else CA; records failures so that handshakes do not turn into a flood of orders. */
  async #loadOrObtain(name: string, keyType: ServedKeyType): Promise<Ready> {
    const id = `${name}/${keyType}`
    try {
      const cached = await this.#readCache(name, keyType)
      if (cached) return this.#install(name, keyType, cached)
      const { cert, adopted } = await this.#issueRetryingTransient(name, keyType)
      const ready = this.#install(name, keyType, cert)
      this.#failures.delete(id)
      this.#logger.info(
        { name, keyType, notAfter: cert.leaf.notAfter.toISOString(), adopted },
        `certificate obtained for ${name}`,
      )
      this.#emit({ type: 'obtained', name, keyType, notAfter: cert.leaf.notAfter, adopted })
      return ready
    } catch (cause) {
      const error = toError(cause)
      if (this.#closed.signal.aborted) throw error
      // The memory stops a flood of orders. While the shared store is away no order can be
      // placed (the lock comes first), so such a failure is kept only for a moment: the name
      // works again as soon as the store is back.
      const failureTtl = this.#options.failureTtlMs ?? 60_000
      const ttl = hasCode(error, 'ERR_CACHE_UNAVAILABLE')
        ? Math.min(failureTtl, STORE_DOWN_FAILURE_TTL_MS)
        : failureTtl
      this.#failures.set(id, { until: this.#now() + ttl, error })
      this.#logger.error(
        { name, keyType, code: (error as { code?: string }).code, retryInMs: ttl },
        `obtaining a certificate for ${name} failed: ${error.message}`,
      )
      this.#emit({ type: 'failed', name, keyType, renewing: false, error })
      throw error
    }
  }

  /**
   * A first issuance, repeated (at most {@link TRANSIENT_ATTEMPTS} times in all, with jittered
   * back-off honouring Retry-After) when it failed for a reason that passes on its own: a network
   * failure, a server error, or a run of badNonce answers longer than the client's own retries.
   */
  async #issueRetryingTransient(
    name: string,
    keyType: ServedKeyType,
  ): Promise<{ cert: StoredCertificate; adopted: boolean }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#issue(name, keyType, null)
      } catch (error) {
        if (attempt >= TRANSIENT_ATTEMPTS || !isTransient(error)) throw error
        const delay = retryDelay({
          failures: attempt,
          random: this.#random,
          retryAfterMs: (error as AcmeProblemError).retryAfterMs,
          baseMs: 1000,
          maxMs: 10_000,
        })
        this.#logger.warn(
          { name, keyType, attempt, retryInMs: Math.round(delay) },
          `obtaining a certificate for ${name} failed (${(error as Error).message}); retrying`,
        )
        await sleep(delay, this.#closed.signal)
      }
    }
  }

  /** The cached certificate if it passes every check; an invalid one is logged once and ignored. */
  async #readCache(
    name: string,
    keyType: ServedKeyType,
    signal: AbortSignal = this.#closed.signal,
  ): Promise<StoredCertificate | null> {
    const bytes = await this.#store.get(certificateKey(name, keyType), { signal })
    if (bytes === null) return null
    try {
      const cert = await decodeStoredCertificate(bytes, { name, keyType, now: this.#now() })
      this.#invalidLogged.delete(`${name}/${keyType}`)
      return cert
    } catch (error) {
      if (!(error instanceof ManagerError)) throw error
      if (!this.#invalidLogged.has(`${name}/${keyType}`)) {
        this.#invalidLogged.add(`${name}/${keyType}`)
        this.#logger.warn({ name, keyType, code: error.code }, error.message)
      }
      return null
    }
  }

  #install(name: string, keyType: ServedKeyType, cert: StoredCertificate): Ready {
    const ready: Ready = {
      context: createSecureContext({ key: cert.keyPem, cert: cert.chainPem }),
      cert,
    }
    const id = `${name}/${keyType}`
    this.#contexts.set(id, ready)
    const renewal = this.#renewals.get(id)
    if (renewal) {
      if (renewal.cert.leaf.serialNumber !== cert.leaf.serialNumber) {
        renewal.cert = cert
        renewal.failures = 0
        renewal.ari = null
        renewal.ariFailures = 0
        renewal.fraction = this.#random()
        if (!renewal.running) this.#schedule(name, keyType, renewal)
      }
    } else if (!this.#closed.signal.aborted) {
      const fresh = this.#newRenewal(cert)
      this.#renewals.set(id, fresh)
      this.#schedule(name, keyType, fresh)
    }
    return ready
  }

  #newRenewal(cert: StoredCertificate): Renewal {
    return {
      cert,
      timer: undefined,
      failures: 0,
      ari: null,
      ariFailures: 0,
      fraction: this.#random(),
      running: false,
    }
  }

  #schedule(name: string, keyType: ServedKeyType, renewal: Renewal, retryAfterMs?: number): void {
    clearTimeout(renewal.timer)
    if (this.#closed.signal.aborted) return
    const now = this.#now()
    const notBefore = renewal.cert.leaf.notBefore.getTime()
    const notAfter = renewal.cert.leaf.notAfter.getTime()
    const stable = (): number => renewal.fraction
    const backoff = (failures: number, retry?: number): number =>
      retryDelay({
        failures,
        random: this.#random,
        retryAfterMs: retry,
        now,
        notAfter,
        ...(this.#options.renewal?.backoffBaseMs === undefined
          ? {}
          : { baseMs: this.#options.renewal.backoffBaseMs }),
        ...(this.#options.renewal?.backoffMaxMs === undefined
          ? {}
          : { maxMs: this.#options.renewal.backoffMaxMs }),
      })
    let at: number
    if (renewal.failures > 0) {
      at = now + backoff(renewal.failures, retryAfterMs)
    } else if (this.#ariOffered && renewal.ari === null) {
      // RFC 9773 §4.3: ask the CA soon after install (and again after a failed ask).
      const probe =
        renewal.ariFailures > 0
          ? backoff(renewal.ariFailures)
          : renewal.fraction * ARI_FIRST_CHECK_MS
      at = Math.min(renewalTime({ notBefore, notAfter, random: stable }), now + probe)
    } else {
      at = nextRenewalCheck({ notBefore, notAfter, now, random: stable, ari: renewal.ari }).at
    }
    const delay = Math.min(LONGEST_TIMER, Math.max(0, at - now))
    renewal.timer = setTimeout(() => {
      if (this.#now() + 50 < at) this.#schedule(name, keyType, renewal, retryAfterMs)
      else void this.#renewTick(name, keyType, renewal)
    }, delay)
  }

  /**
   * A scheduled look at a certificate: asks the CA for its renewal window when it offers ARI,
   * then renews if the window (or, without ARI, the lifetime rule) says so, else reschedules.
   */
  async #renewTick(name: string, keyType: ServedKeyType, renewal: Renewal): Promise<void> {
    const current = renewal.cert
    const notBefore = current.leaf.notBefore.getTime()
    const notAfter = current.leaf.notAfter.getTime()
    const stable = (): number => renewal.fraction
    let due =
      renewal.failures > 0 || renewalTime({ notBefore, notAfter, random: stable }) <= this.#now()
    if (renewal.failures === 0) {
      try {
        const signal = this.#closed.signal
        const client = await this.#acmeClient(signal)
        if ((await client.directory({ signal })).renewalInfo) {
          const info = await client.renewalInfo(ariCertId(current.chainPem), { signal })
          renewal.ari = {
            start: info.suggestedWindow.start.getTime(),
            end: info.suggestedWindow.end.getTime(),
            retryAfterMs: info.retryAfterMs,
          }
          renewal.ariFailures = 0
          const check = nextRenewalCheck({
            notBefore,
            notAfter,
            now: this.#now(),
            random: stable,
            ari: renewal.ari,
          })
          due = check.reason === 'renew' && check.at <= this.#now()
        }
      } catch (error) {
        if (this.#closed.signal.aborted) return
        renewal.ariFailures += 1
        this.#logger.warn(
          { name, keyType, code: (error as { code?: string }).code },
          `asking the CA when to renew ${name} failed: ${toError(error).message}`,
        )
      }
    }
    if (due) await this.#renewNow(name, keyType, current, false).catch(() => {})
    else this.#schedule(name, keyType, renewal)
  }

  async #renewNow(
    name: string,
    keyType: ServedKeyType,
    current: StoredCertificate,
    rethrow: boolean,
  ): Promise<void> {
    const id = `${name}/${keyType}`
    let renewal = this.#renewals.get(id)
    if (!renewal) {
      renewal = this.#newRenewal(current)
      this.#renewals.set(id, renewal)
    }
    renewal.running = true
    try {
      const { cert, adopted } = await this.#issue(name, keyType, current)
      renewal.running = false
      this.#install(name, keyType, cert)
      this.#logger.info(
        { name, keyType, notAfter: cert.leaf.notAfter.toISOString(), adopted },
        `certificate renewed for ${name}`,
      )
      this.#emit({ type: 'renewed', name, keyType, notAfter: cert.leaf.notAfter, adopted })
    } catch (cause) {
      renewal.running = false
      const error = toError(cause)
      if (this.#closed.signal.aborted) return
      renewal.failures += 1
      const retryAfterMs = error instanceof AcmeProblemError ? error.retryAfterMs : undefined
      this.#schedule(name, keyType, renewal, retryAfterMs)
      this.#logger.warn(
        { name, keyType, failures: renewal.failures, code: (error as { code?: string }).code },
        `renewing the certificate for ${name} failed, still serving the current one: ${error.message}`,
      )
      this.#emit({ type: 'failed', name, keyType, renewing: true, error })
      if (rethrow) throw error
    }
  }

  /** One issuance per name at a time in this process (the tls-alpn-01 answer is per name). */
  #serialised<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#perName.get(name) ?? Promise.resolve()
    const run = previous.then(work, work)
    const tail = run.catch(() => {})
    this.#perName.set(name, tail)
    void tail.then(() => {
      if (this.#perName.get(name) === tail) this.#perName.delete(name)
    })
    return run
  }

  /**
   * Issues under the cache lock: re-reads the cache first and adopts what another process stored
   * meanwhile (a valid certificate when obtaining; a newer one, not yet due, when renewing).
   */
  #issue(
    name: string,
    keyType: ServedKeyType,
    current: StoredCertificate | null,
  ): Promise<{ cert: StoredCertificate; adopted: boolean }> {
    return this.#serialised(name, async () => {
      const key = certificateKey(name, keyType)
      const closed = this.#closed.signal
      const lease: Lease = await this.#store.lock(lockName(key), {
        ttlMs: this.#lockTtlMs,
        signal: closed,
      })
      try {
        const signal = AbortSignal.any([closed, lease.lost])
        const existing = await this.#readCache(name, keyType, signal)
        if (existing && this.#adoptable(existing, current)) return { cert: existing, adopted: true }
        const client = await this.#acmeClient(signal)
        const directory = await client.directory({ signal })
        const issued = await this.#queue.run(
          () =>
            issueCertificate({
              client,
              identifiers: [name],
              solvers: this.#solvers(),
              keyType,
              ...(this.#options.profile === undefined ? {} : { profile: this.#options.profile }),
              ...(this.#options.preferredChain === undefined
                ? {}
                : { preferredChain: this.#options.preferredChain }),
              ...(current && directory.renewalInfo
                ? { replaces: ariCertId(current.chainPem) }
                : {}),
              signal,
              timeoutMs: this.#options.issuanceTimeoutMs ?? 300_000,
            }),
          signal,
        )
        const bytes = encodeStoredCertificate(issued.keyPem, issued.chainPem)
        const cert = await decodeStoredCertificate(bytes, { name, keyType, now: this.#now() })
        await this.#store.put(key, bytes, { signal })
        return { cert, adopted: false }
      } finally {
        await lease.release().catch(() => {})
      }
    })
  }

  #adoptable(existing: StoredCertificate, current: StoredCertificate | null): boolean {
    if (current === null) return true
    if (existing.leaf.serialNumber === current.leaf.serialNumber) return false
    if (existing.leaf.notAfter.getTime() < current.leaf.notAfter.getTime()) return false
    const due = renewalTime({
      notBefore: existing.leaf.notBefore.getTime(),
      notAfter: existing.leaf.notAfter.getTime(),
      random: () => 0,
    })
    return due > this.#now()
  }

  #solvers(): ChallengeSolver[] {
    const wanted =
      this.#options.challenges ??
      (['tls-alpn-01', 'http-01'] as const).filter((type) => this.#usedChallenges.has(type))
    if (wanted.length === 0) {
      throw new ManagerError(
        'ERR_NO_CHALLENGE',
        'no way to answer a challenge: use manager.createServer() (tls-alpn-01) or serve manager.httpHandler() on port 80 (http-01), or set challenges',
      )
    }
    return wanted.map((type) => this.#answers.solver(type))
  }

  /** The ACME client with the account key from the cache (created once, under the cache lock). */
  #acmeClient(signal: AbortSignal): Promise<AcmeClient> {
    if (!this.#client) {
      this.#client = this.#createClient(signal)
      this.#client.catch(() => {
        this.#client = undefined
      })
    }
    return this.#client
  }

  async #createClient(signal: AbortSignal): Promise<AcmeClient> {
    const key = accountKey(this.#directoryUrl)
    let bytes = await this.#store.get(key, { signal })
    if (bytes === null) {
      const lease = await this.#store.lock(lockName(key), { ttlMs: this.#lockTtlMs, signal })
      try {
        bytes = await this.#store.get(key, { signal })
        if (bytes === null) {
          bytes = encoder.encode(await exportPrivateKeyPem(await generateKeyPair('ec-p256')))
          await this.#store.put(key, bytes, { signal })
        }
      } finally {
        await lease.release().catch(() => {})
      }
    }
    const options = this.#options
    const client = new AcmeClient({
      directoryUrl: this.#directoryUrl,
      accountKey: await importPrivateKeyPem(decoder.decode(bytes)),
      ...(options.caPem === undefined ? {} : { caPem: options.caPem }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      now: this.#now,
      random: this.#random,
    })
    const directory = await client.directory({ signal })
    this.#ariOffered = directory.renewalInfo !== undefined
    const terms = directory.meta.termsOfService
    const accepted = options.acceptTerms
    if (terms !== undefined && accepted !== true && accepted !== terms) {
      throw new ManagerError(
        'ERR_TERMS_NOT_ACCEPTED',
        typeof accepted === 'string'
          ? `the CA's terms of service changed to ${terms} (you accepted ${accepted}): read them, then set acceptTerms to the new URL`
          : `the CA at ${this.#directoryUrl} requires accepting its terms of service at ${terms}: read them, then set acceptTerms: true`,
      )
    }
    if (directory.meta.externalAccountRequired && !options.externalAccountBinding) {
      throw new ManagerError(
        'ERR_INVALID_OPTION',
        `the CA at ${this.#directoryUrl} requires External Account Binding: set externalAccountBinding: { kid, hmacKey } from your CA account`,
      )
    }
    const emails = options.email === undefined ? [] : [options.email].flat()
    await client.createAccount({
      ...(terms === undefined ? {} : { termsOfServiceAgreed: true }),
      ...(emails.length > 0 ? { contact: emails.map((email) => `mailto:${email}`) } : {}),
      ...(options.externalAccountBinding
        ? { externalAccountBinding: options.externalAccountBinding }
        : {}),
      signal,
    })
    return client
  }
}

/**
 * Creates a {@link Manager}. Only `hosts` is required; see {@link ManagerOptions} for the rest.
 *
 * @example
 * const manager = createManager({ hosts: ['example.com'], cache: dirCache({ dir: './certs' }), acceptTerms: true })
 */
export function createManager(options: ManagerOptions): Manager {
  return new Manager(options)
}
