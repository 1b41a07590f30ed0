/**
 * What the manager has done since it was created, for dashboards and alerts: read it with
 * `manager.counters()` and export it to your metrics system.
 *
 * @example
 * setInterval(() => metrics.gauge('autotls', manager.counters()), 10_000).unref()
 */
export interface ManagerCounters {
  /** First certificates obtained (issued here or adopted from the cache after another process issued). */
  obtained: number
  /** Certificates renewed (issued here or adopted). */
  renewed: number
  /** Failed attempts to obtain or renew. */
  failed: number
  /** Handshakes refused: invalid name, outside the policy, over budget, or no certificate. */
  refused: number
  /**
   * Connections dropped before their handshake completed: a malformed ClientHello, one too slow
   * to arrive, or a handshake past its deadline (`createServer()` servers).
   */
  dropped: number
  /** New orders placed with the CA (renewals included). */
  ordersPlaced: number
  /** Handshakes answered from a ready context in memory. */
  servedFromMemory: number
  /** Certificates loaded from the cache (validated) instead of being issued. */
  servedFromCache: number
}

/**
 * All counters at zero.
 *
 * @example
 * const counters = zeroCounters()
 * counters.refused++
 */
export function zeroCounters(): ManagerCounters {
  return {
    obtained: 0,
    renewed: 0,
    failed: 0,
    refused: 0,
    dropped: 0,
    ordersPlaced: 0,
    servedFromMemory: 0,
    servedFromCache: 0,
  }
}
