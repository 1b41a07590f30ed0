import type { ManagerError } from './errors.js'
import type { Logger } from './logger.js'
import type { ManagerCounters } from './manager-counters.js'
import type { DropReason, ManagerEvent, RefusalReason } from './manager-event.js'

/** Warning lines per interval in all, whatever the number of distinct names. */
const LINES_PER_INTERVAL = 20

/** What a refusal means and what to change, per reason. */
function advice(reason: RefusalReason, name: string, error: ManagerError): string {
  switch (reason) {
    case 'no-server-name':
      return 'refused a handshake without a server name (SNI): clients must connect by name, not by IP address'
    case 'invalid-name':
      return `refused a handshake for the invalid server name ${JSON.stringify(name)}: ${error.message}`
    case 'not-allowed':
      return `refused a handshake for ${JSON.stringify(name)}: not allowed by the host policy; add it to hosts if it is yours`
    case 'over-budget':
      return `refused a handshake for ${JSON.stringify(name)}: ${error.message}`
    case 'no-certificate':
      return `refused a handshake for ${JSON.stringify(name)}: no certificate to be had (${error.message})`
  }
}

/**
 * The reason a refused handshake gets, from the error that refused it.
 *
 * @example
 * refusalReason(new ManagerError('ERR_MANAGER_HOST_NOT_ALLOWED', '…')) // 'not-allowed'
 */
export function refusalReason(error: ManagerError): RefusalReason {
  switch (error.code) {
    case 'ERR_MANAGER_INVALID_NAME':
      return 'invalid-name'
    case 'ERR_MANAGER_HOST_NOT_ALLOWED':
      return 'not-allowed'
    case 'ERR_MANAGER_OVER_BUDGET':
      return 'over-budget'
    default:
      return 'no-certificate'
  }
}

/** The reason a dropped connection gets, from the router's error. */
function dropReason(error: ManagerError): DropReason {
  switch (error.code) {
    case 'ERR_MANAGER_CLIENT_HELLO_MALFORMED':
      return 'malformed-hello'
    case 'ERR_MANAGER_HANDSHAKE_TIMEOUT':
      return 'handshake-timeout'
    default:
      return 'slow-hello'
  }
}

/**
 * Makes refused handshakes visible without letting a flood of them flood the log: every refusal
 * is counted and emitted as a `refused` event; a `warn` line with the reason and the fix is
 * written at most once per name per interval and at most {@link LINES_PER_INTERVAL} times per
 * interval in all (the next line says how many were left out). Memory: one timestamp per name
 * warned about in the current interval.
 *
 * @example
 * const refusals = new RefusalReporter({ logger, intervalMs: 60_000, now: Date.now, counters, emit })
 * refusals.report('evil.test', error)
 */
export class RefusalReporter {
  readonly #logger: Logger
  readonly #intervalMs: number
  readonly #now: () => number
  readonly #counters: ManagerCounters
  readonly #emit: (event: ManagerEvent) => void
  #windowStart = Number.NEGATIVE_INFINITY
  #lines = 0
  #suppressed = 0
  #warned = new Set<string>()

  constructor(options: {
    logger: Logger
    intervalMs: number
    now: () => number
    counters: ManagerCounters
    emit: (event: ManagerEvent) => void
  }) {
    this.#logger = options.logger
    this.#intervalMs = options.intervalMs
    this.#now = options.now
    this.#counters = options.counters
    this.#emit = options.emit
  }

  /** Records one refused handshake for `rawName` (as the client sent it, or null without SNI). */
  report(rawName: string | null, error: ManagerError): void {
    const name = (rawName ?? '').slice(0, 253)
    const reason = rawName === null || rawName === '' ? 'no-server-name' : refusalReason(error)
    this.#counters.refused++
    this.#emit({ type: 'refused', name, reason, error })
    this.#warn(`${reason} ${name}`, { name, reason, code: error.code }, advice(reason, name, error))
  }

  /**
   * Records one connection dropped before its handshake completed (malformed or slow hello,
   * handshake past its deadline), under the same rate limit as refusals.
   */
  dropped(rawName: string | null, error: ManagerError): void {
    const name = (rawName ?? '').slice(0, 253)
    const reason = dropReason(error)
    this.#counters.dropped++
    this.#emit({ type: 'dropped', name, reason, error })
    this.#warn(reason, { name, reason, code: error.code }, `dropped a connection: ${error.message}`)
  }

  /** One `warn` line, unless `key` was warned about this interval or the interval is full. */
  #warn(key: string, fields: Record<string, unknown>, message: string): void {
    const now = this.#now()
    if (now - this.#windowStart >= this.#intervalMs) {
      this.#windowStart = now
      this.#lines = 0
      this.#warned = new Set()
    }
    if (this.#warned.has(key)) return
    if (this.#lines >= LINES_PER_INTERVAL) {
      this.#suppressed++
      return
    }
    this.#warned.add(key)
    this.#lines++
    if (this.#suppressed > 0) fields.notLogged = this.#suppressed
    this.#suppressed = 0
    this.#logger.warn(fields, message)
  }
}
