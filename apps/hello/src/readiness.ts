import type { Cache } from '@autotls/cache'
import { probeCache } from './cache-probe.js'
import { systemCode } from './system-code.js'

/** What {@link Readiness.check} found. */
export interface ReadinessReport {
  readonly ready: boolean
  /** One line: what is served, or what is wrong. */
  readonly reason: string
}

/** What readiness needs from the running server. */
export interface ReadinessOptions {
  readonly cache: Cache
  /** The configured names, in order. */
  readonly names: readonly string[]
  /** The manager's `secureContext`: resolves once the name can be served. */
  readonly serve: (name: string, signal: AbortSignal) => Promise<unknown>
  /** Names whose certificate is held in memory and valid now (from `manager.certificates()`). */
  readonly held: () => readonly string[]
  /** Told when a check finds the cache unusable after it was usable (`error`), and back (`null`). */
  readonly onCacheChange?: (error: unknown) => void
  /** How long one check waits for the cache and for a name. Default 1 s. */
  readonly waitMs?: number
}

/**
 * Readiness, as orchestrators mean it: this process can serve someone now. Not ready while the
 * cache is unusable (not writable, Redis unreachable) and no certificate is held in memory, while
 * no configured name can be served (every one failed: refused by the CA, outside what the CA
 * allows…), or once stopping.
 *
 * A process that holds a valid certificate stays ready while the cache is unusable, and says so:
 * it keeps serving that certificate, and when replicas share one Redis, failing every one of them
 * during a Redis outage would take the whole service out of rotation for nothing.
 *
 * A name whose certificate is still on its way counts as servable: the CA's validation connection
 * must reach this process to finish it, so reporting "not ready" then would never end. Each check
 * asks the manager for the names in turn (from memory when held), so a name that failed is tried
 * again once the manager's failure memory lets it, and readiness recovers by itself once the cause
 * is fixed. The cache is checked first, so an unusable cache never makes the manager remember a
 * failure.
 */
export class Readiness {
  readonly #options: ReadinessOptions
  #stopping = false
  #cacheUsable = true
  #inflight: Promise<ReadinessReport> | null = null

  constructor(options: ReadinessOptions) {
    this.#options = options
  }

  /** From now on every check reports not ready, so load balancers stop sending traffic. */
  stopping(): void {
    this.#stopping = true
  }

  /** Runs one check; concurrent callers share it. */
  check(): Promise<ReadinessReport> {
    if (this.#stopping) return Promise.resolve({ ready: false, reason: 'stopping' })
    this.#inflight ??= this.#check().finally(() => {
      this.#inflight = null
    })
    return this.#inflight
  }

  async #check(): Promise<ReadinessReport> {
    const waitMs = this.#options.waitMs ?? 1000
    try {
      await probeCache(this.#options.cache, AbortSignal.timeout(waitMs))
      if (!this.#cacheUsable) this.#options.onCacheChange?.(null)
      this.#cacheUsable = true
    } catch (error) {
      if (this.#cacheUsable) this.#options.onCacheChange?.(error)
      this.#cacheUsable = false
      const unusable = `the certificate cache is not usable (${systemCode(error)})`
      const [held] = this.#options.held()
      if (held === undefined) return { ready: false, reason: unusable }
      return {
        ready: true,
        reason: `serving ${held} from memory, but ${unusable}: new names and renewals wait for it`,
      }
    }
    const failures: string[] = []
    for (const name of this.#options.names) {
      const signal = AbortSignal.timeout(waitMs)
      const outcome = await this.#options.serve(name, signal).then(
        () => 'served' as const,
        (error: unknown) => (signal.aborted ? ('pending' as const) : error),
      )
      if (outcome === 'served') return { ready: true, reason: `serving ${name}` }
      if (outcome === 'pending')
        return { ready: true, reason: `obtaining a certificate for ${name}` }
      failures.push(`${name}: ${outcome instanceof Error ? outcome.message : String(outcome)}`)
    }
    return { ready: false, reason: `no configured name can be served (${failures.join('; ')})` }
  }
}
