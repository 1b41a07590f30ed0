import { type ChallengeSolver, isAllowedDirectoryUrl, LETS_ENCRYPT_PRODUCTION } from '@autotls/acme'
import type { CacheStore } from '@autotls/cache'
import type { ServedKeyType } from './client-key-type.js'
import { ManagerError } from './errors.js'
import type { HostPolicy } from './host-policy.js'
import { consoleLogger, type Logger } from './logger.js'
import type { ManagerEvent } from './manager-event.js'
import type { ManagedChallenge, ManagerOptions } from './manager-options.js'

/** The issuance budget with every bound filled in. */
export interface ResolvedBudget {
  readonly maxOrders: number
  readonly windowMs: number
  readonly maxOrdersPerDomain: number
  readonly domainWindowMs: number
}

/** {@link ManagerOptions} after {@link resolveOptions}: every value checked, every default set. */
export interface ResolvedOptions {
  readonly hosts: HostPolicy
  readonly cache: CacheStore | undefined
  readonly emails: readonly string[]
  readonly acceptTerms: boolean | string | undefined
  readonly directoryUrl: string
  readonly caPem: string | readonly string[] | undefined
  readonly keyTypes: readonly ServedKeyType[]
  readonly challenges: readonly ManagedChallenge[] | undefined
  readonly dns: ChallengeSolver | undefined
  readonly profile: string | undefined
  readonly preferredChain: string | undefined
  readonly externalAccountBinding: { kid: string; hmacKey: string } | undefined
  readonly allowIp: boolean
  readonly backoffBaseMs: number
  readonly backoffMaxMs: number
  readonly handshakeTimeoutMs: number
  readonly failureTtlMs: number
  readonly issuanceTimeoutMs: number
  readonly maxContexts: number
  readonly maxConcurrentIssuances: number
  readonly lockTtlMs: number
  readonly budget: ResolvedBudget | null
  readonly maxFailures: number
  readonly refusalLogIntervalMs: number
  readonly httpsPort: number
  readonly helloTimeoutMs: number
  readonly tlsHandshakeTimeoutMs: number
  readonly logger: Logger
  readonly onEvent: ((event: ManagerEvent) => void) | undefined
  readonly now: () => number
  readonly random: () => number
  readonly fetch: typeof globalThis.fetch | undefined
}

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** setTimeout's ceiling: a longer delay fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1
const KEY_TYPES: readonly ServedKeyType[] = ['ec-p256', 'rsa-2048']
const CHALLENGES: readonly ManagedChallenge[] = ['tls-alpn-01', 'http-01', 'dns-01']

function invalid(name: string, expected: string, value: unknown): ManagerError {
  let shown: string
  try {
    shown = typeof value === 'function' ? 'a function' : (JSON.stringify(value) ?? String(value))
  } catch {
    shown = String(value)
  }
  if (typeof value === 'number') shown = String(value)
  return new ManagerError(
    'ERR_MANAGER_INVALID_OPTION',
    `${name} must be ${expected}, got ${shown.slice(0, 80)}`,
  )
}

function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(name, `an integer from ${min} to ${max}`, value)
  }
  return value
}

function text(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value.trim() === '')
    throw invalid(name, 'a non-empty string', value)
  return value
}

function fn<T>(name: string, value: unknown): T | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'function') throw invalid(name, 'a function', value)
  return value as T
}

function list<T>(name: string, value: unknown, allowed: readonly T[]): readonly T[] | undefined {
  if (value === undefined) return undefined
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((item) => !allowed.includes(item as T))
  ) {
    throw invalid(name, `a non-empty list of ${allowed.map((a) => `'${a}'`).join(', ')}`, value)
  }
  return [...new Set(value as T[])]
}

/** An https URL, or http for a loopback host (a local test CA). */
function directoryUrl(value: unknown): string {
  if (value === undefined) return LETS_ENCRYPT_PRODUCTION
  const expected = 'an https URL (http only for localhost or a loopback address)'
  if (typeof value !== 'string') throw invalid('directoryUrl', expected, value)
  if (!isAllowedDirectoryUrl(value)) throw invalid('directoryUrl', expected, value)
  return value
}

function pemList(value: unknown): string | readonly string[] | undefined {
  if (value === undefined) return undefined
  const items = [value].flat()
  if (
    items.length === 0 ||
    items.some((item) => typeof item !== 'string' || !item.includes('-----BEGIN'))
  ) {
    throw invalid('caPem', 'a PEM string or a list of them', value)
  }
  return value as string | readonly string[]
}

function emails(value: unknown): readonly string[] {
  if (value === undefined) return []
  const items = [value].flat()
  if (items.some((item) => typeof item !== 'string' || !/^[^\s@:,]+@[^\s@:,]+$/.test(item))) {
    throw invalid('email', 'an e-mail address or a list of them', value)
  }
  return items as string[]
}

function budget(value: unknown): ResolvedBudget | null {
  if (value === false) return null
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw invalid('issuanceBudget', 'an object or false', value)
  }
  const b = (value ?? {}) as Record<string, unknown>
  return {
    maxOrders: integer('issuanceBudget.maxOrders', b.maxOrders, 200, 1, 1_000_000),
    windowMs: integer('issuanceBudget.windowMs', b.windowMs, 3 * HOUR, 1000, 365 * DAY),
    maxOrdersPerDomain: integer(
      'issuanceBudget.maxOrdersPerDomain',
      b.maxOrdersPerDomain,
      30,
      1,
      1_000_000,
    ),
    domainWindowMs: integer(
      'issuanceBudget.domainWindowMs',
      b.domainWindowMs,
      7 * DAY,
      1000,
      365 * DAY,
    ),
  }
}

function dnsSolver(value: unknown): ChallengeSolver | undefined {
  if (value === undefined) return undefined
  const s = value as Record<string, unknown> | null
  if (
    typeof s !== 'object' ||
    s === null ||
    s.type !== 'dns-01' ||
    typeof s.present !== 'function' ||
    typeof s.cleanup !== 'function'
  ) {
    throw invalid('dns', "a dns-01 solver, e.g. dns01Solver({ provider }) from '@autotls/dns'", '…')
  }
  return value as ChallengeSolver
}

function logger(value: unknown): Logger {
  if (value === undefined) return consoleLogger
  const methods = ['debug', 'info', 'warn', 'error'] as const
  if (
    typeof value !== 'object' ||
    value === null ||
    methods.some((m) => typeof (value as Record<string, unknown>)[m] !== 'function')
  ) {
    throw invalid('logger', 'an object with debug, info, warn and error methods', value)
  }
  return value as Logger
}

/**
 * Checks every option once, at construction: type, finite, range, https URL. A wrong value
 * throws `ERR_MANAGER_INVALID_OPTION` naming the option and what it accepts, so a typo in a
 * configuration stops the process at start instead of silently turning a protection off.
 *
 * @example
 * resolveOptions({ hosts: ['example.com'], failureTtlMs: Number.NaN })
 * // throws: failureTtlMs must be an integer from 1 to 2147483647, got NaN
 */
export function resolveOptions(options: ManagerOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalid('options', 'an object with at least hosts', options)
  }
  const o = options as unknown as Record<string, unknown>
  if (typeof o.hosts !== 'function' && !Array.isArray(o.hosts)) {
    throw invalid('hosts', 'a list of names or a function (name) => boolean', o.hosts)
  }
  const cache = o.cache
  if (
    cache !== undefined &&
    (typeof cache !== 'object' ||
      cache === null ||
      ['get', 'put', 'delete', 'lock'].some(
        (m) => typeof (cache as Record<string, unknown>)[m] !== 'function',
      ))
  ) {
    throw invalid('cache', 'a cache store (get, put, delete, lock)', '…')
  }
  const terms = o.acceptTerms
  if (
    terms !== undefined &&
    typeof terms !== 'boolean' &&
    (typeof terms !== 'string' || terms === '')
  ) {
    throw invalid('acceptTerms', 'true or the terms URL', terms)
  }
  const eab = o.externalAccountBinding
  if (
    eab !== undefined &&
    (typeof eab !== 'object' ||
      eab === null ||
      typeof (eab as Record<string, unknown>).kid !== 'string' ||
      typeof (eab as Record<string, unknown>).hmacKey !== 'string')
  ) {
    throw invalid('externalAccountBinding', '{ kid: string, hmacKey: string }', '…')
  }
  if (o.allowIp !== undefined && typeof o.allowIp !== 'boolean') {
    throw invalid('allowIp', 'a boolean', o.allowIp)
  }
  const renewal = o.renewal
  if (renewal !== undefined && (typeof renewal !== 'object' || renewal === null)) {
    throw invalid('renewal', 'an object', renewal)
  }
  const r = (renewal ?? {}) as Record<string, unknown>
  const backoffBaseMs = integer('renewal.backoffBaseMs', r.backoffBaseMs, 60_000, 1, MAX_TIMER_MS)
  const backoffMaxMs = integer(
    'renewal.backoffMaxMs',
    r.backoffMaxMs,
    Math.max(6 * HOUR, backoffBaseMs),
    backoffBaseMs,
    MAX_TIMER_MS,
  )
  const helloTimeoutMs = integer('helloTimeoutMs', o.helloTimeoutMs, 10_000, 1, MAX_TIMER_MS)
  const challenges = list('challenges', o.challenges, CHALLENGES)
  const dns = dnsSolver(o.dns)
  if (challenges?.includes('dns-01') && dns === undefined) {
    throw new ManagerError(
      'ERR_MANAGER_INVALID_OPTION',
      "challenges lists 'dns-01' but dns is not set: pass dns: dns01Solver({ provider })",
    )
  }
  return {
    hosts: o.hosts as HostPolicy,
    cache: cache as CacheStore | undefined,
    emails: emails(o.email),
    acceptTerms: terms as boolean | string | undefined,
    directoryUrl: directoryUrl(o.directoryUrl),
    caPem: pemList(o.caPem),
    keyTypes: list('keyTypes', o.keyTypes, KEY_TYPES) ?? KEY_TYPES,
    challenges,
    dns,
    profile: text('profile', o.profile),
    preferredChain: text('preferredChain', o.preferredChain),
    externalAccountBinding: eab as { kid: string; hmacKey: string } | undefined,
    allowIp: (o.allowIp as boolean | undefined) ?? false,
    backoffBaseMs,
    backoffMaxMs,
    handshakeTimeoutMs: integer(
      'handshakeTimeoutMs',
      o.handshakeTimeoutMs,
      30_000,
      1,
      MAX_TIMER_MS,
    ),
    failureTtlMs: integer('failureTtlMs', o.failureTtlMs, 60_000, 1, MAX_TIMER_MS),
    issuanceTimeoutMs: integer(
      'issuanceTimeoutMs',
      o.issuanceTimeoutMs,
      300_000,
      1000,
      MAX_TIMER_MS,
    ),
    maxContexts: integer('maxContexts', o.maxContexts, 1000, 1, 10_000_000),
    maxConcurrentIssuances: integer(
      'maxConcurrentIssuances',
      o.maxConcurrentIssuances,
      100,
      1,
      1000,
    ),
    lockTtlMs: integer('lockTtlMs', o.lockTtlMs, 60_000, 3000, MAX_TIMER_MS),
    budget: budget(o.issuanceBudget),
    maxFailures: integer('maxFailures', o.maxFailures, 10_000, 1, 10_000_000),
    refusalLogIntervalMs: integer(
      'refusalLogIntervalMs',
      o.refusalLogIntervalMs,
      60_000,
      1,
      MAX_TIMER_MS,
    ),
    httpsPort: integer('httpsPort', o.httpsPort, 443, 1, 65_535),
    helloTimeoutMs,
    tlsHandshakeTimeoutMs: integer(
      'tlsHandshakeTimeoutMs',
      o.tlsHandshakeTimeoutMs,
      helloTimeoutMs,
      1,
      MAX_TIMER_MS,
    ),
    logger: logger(o.logger),
    onEvent: fn<(event: ManagerEvent) => void>('onEvent', o.onEvent),
    now: fn<() => number>('now', o.now) ?? Date.now,
    random: fn<() => number>('random', o.random) ?? Math.random,
    fetch: fn<typeof globalThis.fetch>('fetch', o.fetch),
  }
}
