import { AcmeProblemError } from '@autotls/acme'
import { ariCertId } from '@autotls/crypto'
import type { AcmeAccount } from './acme-account.js'
import type { CertificateId } from './certificate-id.js'
import { ManagerError } from './errors.js'
import type { HostCheck } from './host-policy.js'
import type { ManagerCounters } from './manager-counters.js'
import type { ManagerEvent } from './manager-event.js'
import type { Obtainer } from './obtainer.js'
import { type AriWindow, nextRenewalCheck, renewalTime, retryDelay } from './renewal-schedule.js'
import type { ResolvedOptions } from './resolve-options.js'
import type { StoredCertificate } from './stored-certificate.js'

/** The state of one managed certificate: the one object per certificate the manager keeps. */
export interface ManagedCertificate {
  readonly id: CertificateId
  /** The certificate served now (validated). */
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

/** What a {@link Renewer} works with. */
export interface RenewerDeps {
  readonly options: ResolvedOptions
  readonly obtainer: Obtainer
  readonly account: AcmeAccount
  readonly hostCheck: HostCheck
  readonly counters: ManagerCounters
  readonly emit: (event: ManagerEvent) => void
  /** Called with every certificate renewed, to serve it. */
  readonly installed: (id: CertificateId, cert: StoredCertificate) => void
  /** Called when a certificate is dropped because the policy no longer allows its name. */
  readonly dropped: (id: CertificateId) => void
  readonly lifetime: AbortSignal
}

const LONGEST_TIMER = 24 * 3_600_000
/** With ARI, a new certificate's first window fetch happens within this long after install. */
const ARI_FIRST_CHECK_MS = 10 * 60_000

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value))
}

/**
 * Renewal, as its own unit: one {@link ManagedCertificate} per certificate held, each with one
 * unref'd timer. At each renewal point it asks the host policy again (a name the policy no
 * longer allows is dropped with all its state, never renewed), asks the CA for its ARI window
 * when offered, and renews when the window (or the lifetime rule) says so; failures back off with
 * jitter, honour Retry-After, and keep the old certificate served. `stop()` clears every timer.
 *
 * @example
 * renewer.track(certificateId('example.com', 'ec-p256'), cert)
 * renewer.stop()
 * @see https://www.rfc-editor.org/rfc/rfc9773#section-4.2
 */
export class Renewer {
  readonly #deps: RenewerDeps
  readonly #certificates = new Map<string, ManagedCertificate>()

  constructor(deps: RenewerDeps) {
    this.#deps = deps
  }

  /** The state of the certificate `key` (`name/keyType`), if one is held. */
  get(key: string): ManagedCertificate | undefined {
    return this.#certificates.get(key)
  }

  /** Every certificate held. */
  all(): IterableIterator<ManagedCertificate> {
    return this.#certificates.values()
  }

  /** Starts (or updates) tracking `cert` for `id`: a new certificate gets a fresh schedule. */
  track(id: CertificateId, cert: StoredCertificate): void {
    if (this.#deps.lifetime.aborted) return
    const known = this.#certificates.get(id.key)
    if (!known) {
      const fresh: ManagedCertificate = {
        id,
        cert,
        timer: undefined,
        failures: 0,
        ari: null,
        ariFailures: 0,
        fraction: this.#deps.options.random(),
        running: false,
      }
      this.#certificates.set(id.key, fresh)
      this.#schedule(fresh)
      return
    }
    if (known.cert.leaf.serialNumber === cert.leaf.serialNumber) return
    known.cert = cert
    known.failures = 0
    known.ari = null
    known.ariFailures = 0
    known.fraction = this.#deps.options.random()
    if (!known.running) this.#schedule(known)
  }

  /** Stops every timer and forgets every certificate. */
  stop(): void {
    for (const state of this.#certificates.values()) clearTimeout(state.timer)
    this.#certificates.clear()
  }

  /**
   * Renews `state` now. Resolves once the new certificate is served; with `rethrow`, a failure
   * rejects (as `ERR_MANAGER_ISSUANCE_FAILED`) after being scheduled for retry.
   */
  async renewNow(state: ManagedCertificate, rethrow: boolean): Promise<void> {
    const { id } = state
    const { options, obtainer, counters, emit, lifetime } = this.#deps
    state.running = true
    try {
      const { cert, adopted } = await obtainer.issue(id, state.cert)
      state.running = false
      this.#deps.installed(id, cert)
      counters.renewed++
      options.logger.info(
        { name: id.name, keyType: id.keyType, notAfter: cert.leaf.notAfter.toISOString(), adopted },
        `certificate renewed for ${id.name}`,
      )
      emit({
        type: 'renewed',
        name: id.name,
        keyType: id.keyType,
        notAfter: cert.leaf.notAfter,
        adopted,
      })
    } catch (cause) {
      state.running = false
      if (lifetime.aborted) return
      const error =
        cause instanceof ManagerError
          ? cause
          : new ManagerError(
              'ERR_MANAGER_ISSUANCE_FAILED',
              `renewing the certificate for ${id.name} failed: ${toError(cause).message}`,
              { cause },
            )
      state.failures += 1
      counters.failed++
      const retryAfterMs = cause instanceof AcmeProblemError ? cause.retryAfterMs : undefined
      this.#schedule(state, retryAfterMs)
      options.logger.warn(
        { name: id.name, keyType: id.keyType, failures: state.failures, code: error.code },
        `${error.message}; still serving the current certificate`,
      )
      emit({ type: 'failed', name: id.name, keyType: id.keyType, renewing: true, error })
      if (rethrow) throw error
    }
  }

  #drop(state: ManagedCertificate): void {
    clearTimeout(state.timer)
    this.#certificates.delete(state.id.key)
    this.#deps.dropped(state.id)
  }

  #schedule(state: ManagedCertificate, retryAfterMs?: number): void {
    clearTimeout(state.timer)
    const { options, account, lifetime } = this.#deps
    if (lifetime.aborted) return
    const now = options.now()
    const notBefore = state.cert.leaf.notBefore.getTime()
    const notAfter = state.cert.leaf.notAfter.getTime()
    const stable = (): number => state.fraction
    const backoff = (failures: number, retry?: number): number =>
      retryDelay({
        failures,
        random: options.random,
        retryAfterMs: retry,
        now,
        notAfter,
        baseMs: options.backoffBaseMs,
        maxMs: options.backoffMaxMs,
      })
    let at: number
    if (state.failures > 0) {
      at = now + backoff(state.failures, retryAfterMs)
    } else if (account.ariOffered && state.ari === null) {
      // RFC 9773 §4.3: ask the CA soon after install (and again after a failed ask).
      const probe =
        state.ariFailures > 0 ? backoff(state.ariFailures) : state.fraction * ARI_FIRST_CHECK_MS
      at = Math.min(renewalTime({ notBefore, notAfter, random: stable }), now + probe)
    } else {
      at = nextRenewalCheck({ notBefore, notAfter, now, random: stable, ari: state.ari }).at
    }
    const delay = Math.min(LONGEST_TIMER, Math.max(0, at - now))
    state.timer = setTimeout(() => {
      if (options.now() + 50 < at) this.#schedule(state, retryAfterMs)
      else void this.#tick(state)
    }, delay)
    state.timer.unref()
  }

  /** Whether the host policy still allows the name; a refused name is dropped. */
  async #stillAllowed(state: ManagedCertificate): Promise<boolean> {
    const { options, hostCheck, lifetime } = this.#deps
    try {
      await hostCheck(state.id.name, lifetime)
      return true
    } catch (error) {
      if (lifetime.aborted) return false
      if (error instanceof ManagerError) {
        this.#drop(state)
        options.logger.info(
          { name: state.id.name, keyType: state.id.keyType, code: error.code },
          `${state.id.name} is no longer allowed by the host policy: not renewing it, its state is dropped`,
        )
        return false
      }
      throw error
    }
  }

  /**
   * A scheduled look at a certificate: asks the policy, asks the CA for its renewal window when
   * it offers ARI, then renews if the window (or, without ARI, the lifetime rule) says so.
   */
  async #tick(state: ManagedCertificate): Promise<void> {
    const { options, account, lifetime } = this.#deps
    try {
      if (!(await this.#stillAllowed(state))) return
    } catch (error) {
      state.failures += 1
      options.logger.warn(
        { name: state.id.name, keyType: state.id.keyType },
        `the host policy threw for ${state.id.name} (${toError(error).message}); asking again later`,
      )
      this.#schedule(state)
      return
    }
    const current = state.cert
    const notBefore = current.leaf.notBefore.getTime()
    const notAfter = current.leaf.notAfter.getTime()
    const stable = (): number => state.fraction
    let due =
      state.failures > 0 || renewalTime({ notBefore, notAfter, random: stable }) <= options.now()
    if (state.failures === 0) {
      try {
        const client = await account.client(lifetime)
        if ((await client.directory({ signal: lifetime })).renewalInfo) {
          const info = await client.renewalInfo(ariCertId(current.chainPem), { signal: lifetime })
          state.ari = {
            start: info.suggestedWindow.start.getTime(),
            end: info.suggestedWindow.end.getTime(),
            retryAfterMs: info.retryAfterMs,
          }
          state.ariFailures = 0
          const check = nextRenewalCheck({
            notBefore,
            notAfter,
            now: options.now(),
            random: stable,
            ari: state.ari,
          })
          due = check.reason === 'renew' && check.at <= options.now()
        }
      } catch (error) {
        if (lifetime.aborted) return
        state.ariFailures += 1
        options.logger.warn(
          {
            name: state.id.name,
            keyType: state.id.keyType,
            code: (error as { code?: string }).code,
          },
          `asking the CA when to renew ${state.id.name} failed: ${toError(error).message}`,
        )
      }
    }
    if (due) await this.renewNow(state, false)
    else this.#schedule(state)
  }
}
