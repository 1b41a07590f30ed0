/** Stable codes for everything `@autotls/manager` can fail with; switch on them, not on messages. */
export type ManagerErrorCode =
  | 'ERR_CLIENT_HELLO_INCOMPLETE'
  | 'ERR_CLIENT_HELLO_MALFORMED'
  | 'ERR_INVALID_NAME'
  | 'ERR_HOST_NOT_ALLOWED'
  | 'ERR_INVALID_OPTION'
  | 'ERR_TERMS_NOT_ACCEPTED'
  | 'ERR_ISSUANCE_FAILED'
  | 'ERR_CACHED_CERTIFICATE_INVALID'
  | 'ERR_RECENT_FAILURE'
  | 'ERR_HANDSHAKE_TIMEOUT'
  | 'ERR_NO_CHALLENGE'
  | 'ERR_CLOSED'

/**
 * The one error class of `@autotls/manager`. `code` is stable; `cause` carries the underlying
 * error (an `AcmeError`, a `CryptoError`, a cache error) when there is one.
 *
 * @example
 * try { await manager.secureContext('example.com') } catch (error) {
 *   if (error instanceof ManagerError && error.code === 'ERR_HOST_NOT_ALLOWED') { ... }
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
