import { AcmeError, AcmeProblemError, type ChallengeSolver, issueCertificate } from '@autotls/acme'
import { type CacheStore, certificateKey, type Lease, lockName } from '@autotls/cache'
import { ariCertId } from '@autotls/crypto'
import { eitherSignal, sleep } from './abortable.js'
import type { AcmeAccount } from './acme-account.js'
import type { CertificateId } from './certificate-id.js'
import type { ChallengeAnswers } from './challenge-answers.js'
import { asManagerError, hasCode, ManagerError } from './errors.js'
import type { FailureMemory } from './failure-memory.js'
import type { IssuanceBudget } from './issuance-budget.js'
import type { IssuanceQueue } from './issuance-queue.js'
import type { ManagerCounters } from './manager-counters.js'
import type { ManagerEvent } from './manager-event.js'
import type { ManagedChallenge } from './manager-options.js'
import { renewalTime, retryDelay } from './renewal-schedule.js'
import type { ResolvedOptions } from './resolve-options.js'
import {
  decodeStoredCertificate,
  encodeStoredCertificate,
  type StoredCertificate,
} from './stored-certificate.js'

/** A certificate from {@link Obtainer.issue}: issued here, or adopted from the cache. */
export interface Obtained {
  readonly cert: StoredCertificate
  readonly adopted: boolean
}

/** What an {@link Obtainer} works with. */
export interface ObtainerDeps {
  readonly store: CacheStore
  readonly options: ResolvedOptions
  readonly account: AcmeAccount
  readonly answers: ChallengeAnswers
  readonly queue: IssuanceQueue
  readonly budget: IssuanceBudget
  readonly counters: ManagerCounters
  readonly failures: FailureMemory
  readonly emit: (event: ManagerEvent) => void
  /** The challenge types in use (grows as `createServer()` / `httpHandler()` are called). */
  readonly usedChallenges: ReadonlySet<ManagedChallenge>
  /** The manager's lifetime: aborts on `close()`. */
  readonly lifetime: AbortSignal
}

/** How long a failure caused by an unreachable cache store is remembered. */
const STORE_DOWN_FAILURE_TTL_MS = 1000
/** Attempts of a first issuance when failures are transient (see `isTransient`). */
const TRANSIENT_ATTEMPTS = 3

/** Failures that pass on their own: worth another attempt before a handshake is refused. */
function isTransient(error: unknown): boolean {
  if (error instanceof AcmeProblemError)
    return error.shortType === 'badNonce' || error.status >= 500
  return error instanceof AcmeError && error.code === 'ERR_ACME_NETWORK'
}

/**
 * Rethrows a failure of the cache before any order as `ERR_MANAGER_CACHE_UNUSABLE`, so that it is
 * not remembered like a CA refusal and a fixed store works at the next handshake. Aborts and
 * errors that are already the manager's pass through.
 */
function cacheUnusable(name: string, cause: unknown, lifetime: AbortSignal): never {
  if (lifetime.aborted || cause instanceof ManagerError) throw cause
  throw new ManagerError(
    'ERR_MANAGER_CACHE_UNUSABLE',
    `the certificate cache cannot be used for ${name}, nothing was ordered: ${(cause as Error).message}`,
    { cause },
  )
}

/**
 * Obtaining a certificate: the cache read (validated), then, under the cache lock, a re-read (a
 * process sharing the cache may have finished meanwhile), the issuance budget, the order through
 * the issuance queue (the account from {@link AcmeAccount}), the store, and the install the
 * caller asked for; a failure is remembered in the failure memory. Every write made under the lock carries its lease, so a
 * holder that lost its lock (a long pause) is refused by the store; it then adopts what the
 * holder that won stored.
 *
 * @example
 * const ready = await obtainer.obtain(certificateId('example.com', 'ec-p256'), (cert) => serve(cert))
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.4
 */
export class Obtainer {
  readonly #deps: ObtainerDeps
  readonly #perName = new Map<string, Promise<unknown>>()
  readonly #invalidLogged = new Set<string>()

  constructor(deps: ObtainerDeps) {
    this.#deps = deps
  }

  /** Work still running (for `close()` to wait on). */
  pending(): Promise<unknown>[] {
    return [...this.#perName.values()]
  }

  /**
   * The certificate for `id` from the cache, else from the CA (the issuance budget permitting),
   * handed to `install`; records a failure so that handshakes do not turn into a flood of orders.
   * Runs under the manager's lifetime: callers share it and race their own signals against it.
   */
  async obtain<T>(id: CertificateId, install: (cert: StoredCertificate) => T): Promise<T> {
    const { options, failures, counters, emit, lifetime } = this.#deps
    try {
      const cached = await this.readCache(id, lifetime).catch((cause: unknown) =>
        cacheUnusable(id.name, cause, lifetime),
      )
      if (cached) {
        counters.servedFromCache++
        return install(cached)
      }
      const over = this.#overBudget(id)
      if (over) throw over
      const { cert, adopted } = await this.#issueRetryingTransient(id)
      const installed = install(cert)
      failures.forget(id.key)
      counters.obtained++
      const { name, keyType } = id
      const notAfter = cert.leaf.notAfter
      options.logger.info(
        { name, keyType, notAfter: notAfter.toISOString(), adopted },
        `certificate obtained for ${name}`,
      )
      emit({ type: 'obtained', name, keyType, notAfter, adopted })
      return installed
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

  /** The cached certificate if it passes every check; an invalid one is logged once and ignored. */
  async readCache(id: CertificateId, signal: AbortSignal): Promise<StoredCertificate | null> {
    const { store, options } = this.#deps
    const bytes = await store.get(certificateKey(id.name, id.keyType), { signal })
    if (bytes === null) return null
    try {
      const cert = await decodeStoredCertificate(bytes, { ...id, now: options.now() })
      this.#invalidLogged.delete(id.key)
      return cert
    } catch (error) {
      if (!(error instanceof ManagerError)) throw error
      if (!this.#invalidLogged.has(id.key)) {
        this.#invalidLogged.add(id.key)
        options.logger.warn({ name: id.name, keyType: id.keyType, code: error.code }, error.message)
      }
      return null
    }
  }

  /** Why a new order for `id` would be refused by the budget now, or null. */
  #overBudget(id: CertificateId): ManagerError | null {
    const reason = this.#deps.budget.refusal(id.name)
    return reason === null ? null : new ManagerError('ERR_MANAGER_OVER_BUDGET', reason)
  }

  /**
   * A first issuance, repeated (at most {@link TRANSIENT_ATTEMPTS} times in all, with jittered
   * back-off honouring Retry-After) when it failed for a reason that passes on its own.
   */
  async #issueRetryingTransient(id: CertificateId): Promise<Obtained> {
    const { options, lifetime } = this.#deps
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.issue(id, null)
      } catch (error) {
        if (attempt >= TRANSIENT_ATTEMPTS || !isTransient(error)) throw error
        const delay = retryDelay({
          failures: attempt,
          random: options.random,
          retryAfterMs: (error as AcmeProblemError).retryAfterMs,
          baseMs: 1000,
          maxMs: 10_000,
        })
        options.logger.warn(
          { name: id.name, keyType: id.keyType, attempt, retryInMs: Math.round(delay) },
          `obtaining a certificate for ${id.name} failed (${(error as Error).message}); retrying`,
        )
        await sleep(delay, lifetime)
      }
    }
  }

  /**
   * Issues under the cache lock, one issuance per name at a time in this process (the
   * tls-alpn-01 answer is per name): re-reads the cache first and adopts what another process
   * stored meanwhile (a valid certificate when obtaining; a newer one, not yet due, when renewing).
   */
  issue(id: CertificateId, current: StoredCertificate | null): Promise<Obtained> {
    const previous = this.#perName.get(id.name) ?? Promise.resolve()
    let released: Promise<void> = Promise.resolve()
    const work = (): Promise<Obtained> =>
      this.#issueLocked(id, current, (release) => {
        released = release
      })
    const run = previous.then(work, work)
    // The next issuance of this name here, and close(), wait for the lease's release too.
    const whenReleased = (): Promise<void> => released
    const tail = run.then(whenReleased, whenReleased)
    this.#perName.set(id.name, tail)
    void tail.then(() => {
      if (this.#perName.get(id.name) === tail) this.#perName.delete(id.name)
    })
    return run
  }

  /**
   * The issuance under the lock. The lease is released beside the install rather than before it
   * (`onRelease` receives the release, which never rejects): the certificate is stored by then,
   * and a release is a write the handshake waiting for this certificate need not wait for.
   */
  async #issueLocked(
    id: CertificateId,
    current: StoredCertificate | null,
    onRelease: (released: Promise<void>) => void,
  ): Promise<Obtained> {
    const { store, options, lifetime } = this.#deps
    const key = certificateKey(id.name, id.keyType)
    // Until the order, a failure is the store's, not the CA's.
    const unusable = (cause: unknown): never => cacheUnusable(id.name, cause, lifetime)
    const lease = await store
      .lock(lockName(key), { ttlMs: options.lockTtlMs, signal: lifetime })
      .catch(unusable)
    const either = eitherSignal(lifetime, lease.lost)
    const { signal } = either
    try {
      const existing = await this.readCache(id, signal).catch(unusable)
      if (existing && this.#adoptable(existing, current)) return { cert: existing, adopted: true }
      try {
        return { cert: await this.#order(id, current, lease, signal), adopted: false }
      } catch (error) {
        // Another holder won (our lease was lost, or the store refused our stale write): serve
        // what it stored rather than failing.
        if (!lease.lost.aborted && !hasCode(error, 'ERR_CACHE_STALE_LEASE')) throw error
        const winner = await this.readCache(id, lifetime)
        if (winner && this.#adoptable(winner, current)) {
          options.logger.info(
            { name: id.name, keyType: id.keyType },
            `another process took over the issuance of ${id.name}; serving its certificate`,
          )
          return { cert: winner, adopted: true }
        }
        throw error
      }
    } finally {
      either.dispose()
      onRelease(lease.release().catch(() => {}))
    }
  }

  async #order(
    id: CertificateId,
    current: StoredCertificate | null,
    lease: Lease,
    signal: AbortSignal,
  ): Promise<StoredCertificate> {
    const { store, options, account, budget, counters, queue, lifetime } = this.#deps
    const client = await account.client(signal)
    const directory = await client.directory({ signal })
    const wildcard = id.name.startsWith('*.')
    const solvers = this.#solvers(lease, wildcard)
    const issued = await queue.run(() => {
      if (!budget.take(id.name, current !== null)) {
        throw this.#overBudget(id) ?? new ManagerError('ERR_MANAGER_OVER_BUDGET', 'over budget')
      }
      counters.ordersPlaced++
      return issueCertificate({
        client,
        // A wildcard certificate covers its apex too: one order, both names (RFC 8555 §7.1.3).
        identifiers: wildcard ? [id.name, id.name.slice(2)] : [id.name],
        solvers,
        keyType: id.keyType,
        ...(options.profile === undefined ? {} : { profile: options.profile }),
        ...(options.preferredChain === undefined ? {} : { preferredChain: options.preferredChain }),
        ...(current && directory.renewalInfo ? { replaces: ariCertId(current.chainPem) } : {}),
        signal,
        timeoutMs: options.issuanceTimeoutMs,
      })
    }, signal)
    const bytes = encodeStoredCertificate(issued.keyPem, issued.chainPem)
    const cert = await decodeStoredCertificate(bytes, { ...id, now: options.now() })
    // Not under lease.lost: a holder that was paused past its lease still tries, and the store's
    // fencing refuses the write if another holder got the lock meanwhile.
    await store.put(certificateKey(id.name, id.keyType), bytes, { signal: lifetime, lease })
    return cert
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
    return due > this.#deps.options.now()
  }

  /**
   * The solvers for one order, in order of preference: `dns` alone for a wildcard certificate
   * (its apex included, so both values land at one `_acme-challenge` name together), else
   * `challenges`, by default what the deployment serves (then `dns`).
   */
  #solvers(lease: Lease, wildcard: boolean): ChallengeSolver[] {
    const { options, usedChallenges, answers } = this.#deps
    const { dns } = options
    if (wildcard) {
      if (dns) return [dns]
      throw new ManagerError(
        'ERR_MANAGER_NO_CHALLENGE',
        'a wildcard certificate needs dns-01: set dns: dns01Solver({ provider })',
      )
    }
    const wanted =
      options.challenges ??
      (['tls-alpn-01', 'http-01', 'dns-01'] as const).filter((type) =>
        type === 'dns-01' ? dns !== undefined : usedChallenges.has(type),
      )
    if (wanted.length === 0) {
      throw new ManagerError(
        'ERR_MANAGER_NO_CHALLENGE',
        'no way to answer a challenge: use manager.createServer() (tls-alpn-01), serve manager.httpHandler() on port 80 (http-01), or set dns (dns-01)',
      )
    }
    return wanted.map((type) =>
      type === 'dns-01' ? (dns as ChallengeSolver) : answers.solver(type, lease),
    )
  }
}
