/**
 * Every code `@autotls/manager` can fail with, at run time (for `switch`, tests and docs). The
 * repository's convention: `ERR_<FAMILY>_<WHAT>`, upper snake case, family `MANAGER` here.
 */
export const MANAGER_ERROR_CODES = [
  /** A connection ended, or timed out, before its whole ClientHello arrived. */
  'ERR_MANAGER_CLIENT_HELLO_INCOMPLETE',
  /** A ClientHello that does not parse: hostile or broken client. */
  'ERR_MANAGER_CLIENT_HELLO_MALFORMED',
  /** The server name is not a valid DNS name (or an IP address without `allowIp`). */
  'ERR_MANAGER_INVALID_NAME',
  /** The host policy does not allow the name. */
  'ERR_MANAGER_HOST_NOT_ALLOWED',
  /** An option has a wrong type or is out of range; the message names it and its range. */
  'ERR_MANAGER_INVALID_OPTION',
  /** The CA has terms of service that `acceptTerms` does not accept. */
  'ERR_MANAGER_TERMS_NOT_ACCEPTED',
  /** Obtaining or renewing a certificate failed; `cause` is the underlying error. */
  'ERR_MANAGER_ISSUANCE_FAILED',
  /** A cached certificate failed validation and is being replaced. */
  'ERR_MANAGER_CACHED_CERTIFICATE_INVALID',
  /** Obtaining this certificate failed a moment ago; `cause` is that failure. */
  'ERR_MANAGER_RECENT_FAILURE',
  /** The issuance budget for new names is spent; no order was placed. */
  'ERR_MANAGER_OVER_BUDGET',
  /**
   * The certificate cache could not be locked or read before any order was placed (a directory
   * that is not writable, a store that is away): not remembered (a shared store that is away:
   * one second), so fixing the store takes effect at the next handshake.
   */
  'ERR_MANAGER_CACHE_UNUSABLE',
  /** A certificate was not ready within `handshakeTimeoutMs` (the issuance goes on). */
  'ERR_MANAGER_HANDSHAKE_TIMEOUT',
  /** No way to answer a challenge, or no tls-alpn-01 challenge pending for the name. */
  'ERR_MANAGER_NO_CHALLENGE',
  /** The caller's signal aborted the wait (the shared work goes on). */
  'ERR_MANAGER_ABORTED',
  /** The manager was closed. */
  'ERR_MANAGER_CLOSED',
] as const

/** Stable codes for everything `@autotls/manager` can fail with; switch on them, not on messages. */
export type ManagerErrorCode = (typeof MANAGER_ERROR_CODES)[number]

/**
 * The one error class of `@autotls/manager`: every public method and every refused handshake
 * reports one. `code` is stable; `cause` carries the underlying error (an `AcmeError`, a
 * `CryptoError`, a `CacheError`) when there is one.
 *
 * @example
 * try { await manager.secureContext('example.com') } catch (error) {
 *   if (error instanceof ManagerError && error.code === 'ERR_MANAGER_HOST_NOT_ALLOWED') { ... }
 * }
 */
export class ManagerError extends Error {
  readonly code: ManagerErrorCode

  constructor(code: ManagerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ManagerError'
    this.code = code
  }
}

/**
 * Turns anything a caller's wait can end with into a `ManagerError`: the caller's own abort
 * becomes `ERR_MANAGER_ABORTED`, a `ManagerError` stays as it is, anything else becomes
 * `ERR_MANAGER_ISSUANCE_FAILED` with it as `cause`.
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
 * Whether `error` or any error in its `cause` chain (eight deep at most) carries `code`.
 *
 * @example
 * if (hasCode(error, 'ERR_CACHE_STALE_LEASE')) adoptTheWinner()
 */
export function hasCode(error: unknown, code: string): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === code) return true
  }
  return false
}
