import type { ResolvedBudget } from './resolve-options.js'

/** The registered domain a name's orders count against: its last two labels (stricter than the PSL). */
function registeredDomain(name: string): string {
  const labels = name.split('.')
  return labels.slice(-2).join('.')
}

/** Drops timestamps older than `since` from the front of `times` (kept in ascending order). */
function prune(times: number[], since: number): void {
  let drop = 0
  while (drop < times.length && (times[drop] as number) <= since) drop++
  if (drop > 0) times.splice(0, drop)
}

/**
 * A sliding-window bound on new orders, in total and per registered domain. New names take an
 * order only while both windows have room; renewals of certificates already held always take one
 * (and are counted), so new names can never starve them. Memory holds one timestamp per order
 * placed within the windows.
 *
 * @example
 * const budget = new IssuanceBudget({ maxOrders: 200, windowMs: 3 * 3600_000, maxOrdersPerDomain: 30, domainWindowMs: 7 * 86_400_000 }, Date.now)
 * if (!budget.take('a.example.com', false)) refuse()
 * @see https://letsencrypt.org/docs/rate-limits/
 */
export class IssuanceBudget {
  readonly #limits: ResolvedBudget | null
  readonly #now: () => number
  readonly #orders: number[] = []
  readonly #byDomain = new Map<string, number[]>()

  constructor(limits: ResolvedBudget | null, now: () => number) {
    this.#limits = limits
    this.#now = now
  }

  /**
   * Why a new order for `name` would be refused now (a sentence saying what to change), or null
   * when it fits. Takes nothing.
   */
  refusal(name: string): string | null {
    const limits = this.#limits
    if (limits === null) return null
    const now = this.#now()
    prune(this.#orders, now - limits.windowMs)
    if (this.#orders.length >= limits.maxOrders) {
      return `the issuance budget of ${limits.maxOrders} new orders per ${limits.windowMs / 1000} s is spent: raise issuanceBudget.maxOrders if these names are yours, or narrow hosts`
    }
    const domain = registeredDomain(name)
    const times = this.#byDomain.get(domain)
    if (times) {
      prune(times, now - limits.domainWindowMs)
      if (times.length === 0) this.#byDomain.delete(domain)
      else if (times.length >= limits.maxOrdersPerDomain) {
        return `the issuance budget of ${limits.maxOrdersPerDomain} new orders per ${limits.domainWindowMs / 1000} s for ${domain} is spent: raise issuanceBudget.maxOrdersPerDomain if these names are yours, or narrow hosts`
      }
    }
    return null
  }

  /**
   * Takes one order for `name`: always for a renewal, else only when {@link refusal} is null.
   * Returns whether the order may be placed.
   */
  take(name: string, renewal: boolean): boolean {
    if (this.#limits === null) return true
    if (!renewal && this.refusal(name) !== null) return false
    const now = this.#now()
    this.#orders.push(now)
    const domain = registeredDomain(name)
    const times = this.#byDomain.get(domain)
    if (times) times.push(now)
    else this.#byDomain.set(domain, [now])
    return true
  }
}
