import { createSecureContext, type SecureContext } from 'node:tls'
import { normalizeHostname } from '@autotls/crypto'
import { abortable } from './abortable.js'
import { type CertificateId, certificateId } from './certificate-id.js'
import type { ServedKeyType } from './client-key-type.js'
import { ManagerError } from './errors.js'
import type { FailureMemory } from './failure-memory.js'
import type { HostCheck } from './host-policy.js'
import type { ManagerCounters } from './manager-counters.js'
import type { ManagerEvent } from './manager-event.js'
import { cacheUnusable, hasCode, type Obtainer } from './obtainer.js'
import type { Renewer } from './renewer.js'
import type { ResolvedOptions } from './resolve-options.js'
import { SecureContextCache } from './secure-context-cache.js'
import type { StoredCertificate } from './stored-certificate.js'

/** A context ready to serve, with the certificate it was built from. */
export interface Ready {
  readonly context: SecureContext
  readonly cert: StoredCertificate
}

/** What a {@link CertificateSource} works with. */
export interface CertificateSourceDeps {
  readonly options: ResolvedOptions
  readonly hostCheck: HostCheck
  /** The certificate that serves an allowed name: itself, or its pattern's wildcard certificate. */
  readonly certificateName: (name: string) => string
  readonly obtainer: Obtainer
  readonly renewer: Renewer
  readonly failures: FailureMemory
  readonly counters: ManagerCounters
  readonly emit: (event: ManagerEvent) => void
  readonly lifetime: AbortSignal
}

/** Names {@link CertificateSource.obtainAll} works on at once. */
const MANAGE_CONCURRENCY = 4
/** How long a failure caused by an unreachable cache store is remembered. */
const STORE_DOWN_FAILURE_TTL_MS = 1000

/**
 * Turns anything a caller's wait can end with into a `ManagerError`: the caller's own abort
 * becomes `ERR_MANAGER_ABORTED`, a `ManagerError` stays as it is.
 *
 * @example
 * catch (error) { throw asManagerError(error, signal, 'obtaining example.com') }
 */
export function asManagerError(
  error: unknown,
  signal: AbortSignal | undefined,
  what: string,
): ManagerError {
  if (error instanceof ManagerError) return error
  if (signal?.aborted && error === signal.reason) {
    return new ManagerError('ERR_MANAGER_ABORTED', `${what}: the caller's signal aborted`, {
      cause: error,
    })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new ManagerError('ERR_MANAGER_ISSUANCE_FAILED', `${what} failed: ${message}`, {
    cause: error,
  })
}

/**
 * The handshake path, in the order a handshake meets it: normalise the name and ask the host
 * policy (before any cache or network access), then memory (an LRU of ready contexts, else the
 * validated certificate the renewer holds), then the failure memory, then one shared job per
 * certificate: the cache, else the {@link Obtainer}. The job runs under the manager's lifetime;
 * each caller races its own signal and the `handshakeTimeoutMs` wait against it.
 *
 * @example
 * const context = await source.secureContext('example.com', 'ec-p256', signal)
 */
export class CertificateSource {
  readonly #deps: CertificateSourceDeps
  readonly #contexts: SecureContextCache<Ready>
  readonly #inflight = new Map<string, Promise<Ready>>()

  constructor(deps: CertificateSourceDeps) {
    this.#deps = deps
    this.#contexts = new SecureContextCache(deps.options.maxContexts)
  }

  /** The key type served for a request of `keyType` (the first configured when not served). */
  served(keyType: ServedKeyType | undefined): ServedKeyType {
    const types = this.#deps.options.keyTypes
    return keyType && types.includes(keyType) ? keyType : (types[0] as ServedKeyType)
  }

  /** The normalised, allowed name for `rawName`; every failure is a `ManagerError`. */
  async allowedName(rawName: string, signal: AbortSignal | undefined): Promise<string> {
    const { hostCheck, lifetime } = this.#deps
    const race = signal ? AbortSignal.any([signal, lifetime]) : lifetime
    try {
      return await hostCheck(rawName, race)
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
    }
  }

  /**
   * The ready context for `rawName` from memory only, without asking the policy again: for the
   * SNI callback of a connection whose hello already passed {@link secureContext} before TLS.
   */
  held(rawName: string, keyType: ServedKeyType): SecureContext | undefined {
    let name: string
    try {
      name = normalizeHostname(rawName, { allowIp: this.#deps.options.allowIp })
    } catch {
      return undefined
    }
    const id = certificateId(this.#deps.certificateName(name), this.served(keyType))
    const now = this.#deps.options.now()
    const ready = this.#contexts.get(id.key)
    if (ready && ready.cert.leaf.notAfter.getTime() > now) return ready.context
    const held = this.#deps.renewer.get(id.key)?.cert
    if (held && held.leaf.notAfter.getTime() > now) return this.install(id, held).context
    return undefined
  }

  /** The context for `rawName` and `keyType`: memory, else cache, else the CA. */
  async secureContext(
    rawName: string,
    keyType: ServedKeyType | undefined,
    signal: AbortSignal | undefined,
  ): Promise<SecureContext> {
    const { options, renewer, failures, counters, lifetime } = this.#deps
    if (lifetime.aborted) throw lifetime.reason
    const id = await this.#id(rawName, this.served(keyType), signal)
    const now = options.now()
    const ready = this.#contexts.get(id.key)
    if (ready && ready.cert.leaf.notAfter.getTime() > now) {
      counters.servedFromMemory++
      return ready.context
    }
    // Evicted from the LRU but held (validated, renewal scheduled): rebuilding the context from
    // the PEMs in memory takes about a millisecond, with no cache read and no re-validation.
    const held = renewer.get(id.key)?.cert
    if (held && held.leaf.notAfter.getTime() > now) {
      counters.servedFromMemory++
      return this.install(id, held).context
    }
    const failure = failures.recent(id.key)
    if (failure) {
      throw new ManagerError(
        'ERR_MANAGER_RECENT_FAILURE',
        `obtaining a certificate for ${id.name} failed recently (${failure.error.message}); next attempt after ${new Date(failure.until).toISOString()}`,
        { cause: failure.error },
      )
    }
    try {
      return (await this.#bounded(this.shared(id), id, signal)).context
    } catch (error) {
      if (lifetime.aborted) throw lifetime.reason
      throw asManagerError(error, signal, `obtaining a certificate for ${id.name}`)
    }
  }

  /** The one in-flight load or issuance for `id`, started when there is none. */
  shared(id: CertificateId): Promise<Ready> {
    let job = this.#inflight.get(id.key)
    if (!job) {
      job = this.#loadOrObtain(id).finally(() => this.#inflight.delete(id.key))
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
    }
    this.#contexts.set(id.key, ready)
    this.#deps.renewer.track(id, cert)
    return ready
  }

  /**
   * Obtains (or loads) every name in every configured key type, {@link MANAGE_CONCURRENCY} at a
   * time; rejects with `ERR_MANAGER_ISSUANCE_FAILED` (cause: an `AggregateError`) when some failed.
   */
  async obtainAll(names: readonly string[], signal: AbortSignal | undefined): Promise<void> {
    const jobs = names.flatMap((name) =>
      this.#deps.options.keyTypes.map((keyType) => ({ name, keyType })),
    )
    const errors: ManagerError[] = []
    let next = 0
    const worker = async (): Promise<void> => {
      for (let job = jobs[next++]; job; job = jobs[next++]) {
        try {
          const id = await this.#id(job.name, job.keyType, signal)
          await abortable(this.shared(id), signal)
        } catch (error) {
          errors.push(asManagerError(error, signal, `obtaining a certificate for ${job.name}`))
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(MANAGE_CONCURRENCY, jobs.length) }, worker))
    if (errors.length > 0) {
      throw new ManagerError(
        'ERR_MANAGER_ISSUANCE_FAILED',
        `${errors.length} of ${jobs.length} certificates could not be obtained: ${errors[0]?.message}`,
        { cause: new AggregateError(errors) },
      )
    }
  }

  /** Renews `rawName` now (obtains it when nothing is held or cached); `signal` stops the wait. */
  async renew(
    rawName: string,
    keyType: ServedKeyType | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const { renewer, obtainer, lifetime } = this.#deps
    const id = await this.#id(rawName, this.served(keyType), signal)
    try {
      let state = renewer.get(id.key)
      if (!state) {
        const cached = await abortable(obtainer.readCache(id, lifetime), signal)
        if (!cached) {
          await this.secureContext(id.name, id.keyType, signal)
          return
        }
        this.install(id, cached)
        state = renewer.get(id.key)
      }
      if (state) await abortable(renewer.renewNow(state, true), signal)
    } catch (error) {
      if (lifetime.aborted) throw lifetime.reason
      throw asManagerError(error, signal, `renewing ${id.name}`)
    }
  }

  /** Drops what is kept for `id` here (its context and its failure). */
  forget(id: CertificateId): void {
    this.#contexts.delete(id.key)
    this.#deps.failures.forget(id.key)
  }

  /** Drops every context; in-flight jobs end with the manager's lifetime. */
  close(): Promise<unknown>[] {
    this.#contexts.clear()
    return [...this.#inflight.values()]
  }

  /** The identity of the certificate serving `rawName` once the policy allows it. */
  async #id(
    rawName: string,
    keyType: ServedKeyType,
    signal: AbortSignal | undefined,
  ): Promise<CertificateId> {
    return certificateId(
      this.#deps.certificateName(await this.allowedName(rawName, signal)),
      keyType,
    )
  }

  async #bounded<T>(
    job: Promise<T>,
    id: CertificateId,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const { options, lifetime } = this.#deps
    const ms = options.handshakeTimeoutMs
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        options.logger.warn(
          { name: id.name, waitedMs: ms },
          `certificate for ${id.name} not ready within ${ms} ms: this handshake fails, the issuance continues`,
        )
        reject(
          new ManagerError(
            'ERR_MANAGER_HANDSHAKE_TIMEOUT',
            `certificate for ${id.name} not ready within ${ms} ms; retry shortly`,
          ),
        )
      }, ms)
      timer.unref()
    })
    const race = signal ? AbortSignal.any([signal, lifetime]) : lifetime
    try {
      return await Promise.race([abortable(job, race), timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Cache, else CA; records failures so that handshakes do not turn into a flood of orders. */
  async #loadOrObtain(id: CertificateId): Promise<Ready> {
    const { options, obtainer, failures, counters, emit, lifetime } = this.#deps
    try {
      const cached = await obtainer
        .readCache(id, lifetime)
        .catch((cause: unknown) => cacheUnusable(id.name, cause, lifetime))
      if (cached) {
        counters.servedFromCache++
        return this.install(id, cached)
      }
      const over = obtainer.overBudget(id)
      if (over) throw over
      const { cert, adopted } = await obtainer.issueRetryingTransient(id)
      const ready = this.install(id, cert)
      failures.forget(id.key)
      counters.obtained++
      options.logger.info(
        { name: id.name, keyType: id.keyType, notAfter: cert.leaf.notAfter.toISOString(), adopted },
        `certificate obtained for ${id.name}`,
      )
      emit({
        type: 'obtained',
        name: id.name,
        keyType: id.keyType,
        notAfter: cert.leaf.notAfter,
        adopted,
      })
      return ready
    } catch (cause) {
      if (lifetime.aborted) throw lifetime.reason
      const error = asManagerError(cause, undefined, `obtaining a certificate for ${id.name}`)
      // Over budget, no order was placed: the name works again as soon as the budget allows.
      if (error.code === 'ERR_MANAGER_OVER_BUDGET') throw error
      // The memory stops a flood of orders. A shared store that is away is remembered a moment;
      // any other failure of the store before an order placed none and costs nothing to ask
      // again: not remembered, so a fixed store works at the next handshake.
      const ttl = hasCode(error, 'ERR_CACHE_UNAVAILABLE')
        ? Math.min(options.failureTtlMs, STORE_DOWN_FAILURE_TTL_MS)
        : error.code === 'ERR_MANAGER_CACHE_UNUSABLE'
          ? 0
          : options.failureTtlMs
      if (ttl > 0) failures.remember(id.key, error, ttl)
      counters.failed++
      options.logger.error(
        { name: id.name, keyType: id.keyType, code: error.code, retryInMs: ttl },
        error.message,
      )
      emit({ type: 'failed', name: id.name, keyType: id.keyType, renewing: false, error })
      throw error
    }
  }
}
