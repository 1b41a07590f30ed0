/** Stable codes for everything `@autotls/crypto` rejects; callers `switch (error.code)`. */
export type CryptoErrorCode =
  | 'ERR_INVALID_NAME'
  | 'ERR_INVALID_PEM'
  | 'ERR_UNSUPPORTED_KEY'
  | 'ERR_INVALID_CERTIFICATE'
  | 'ERR_INVALID_IDENTIFIERS'
  | 'ERR_INVALID_ARGUMENT'

/**
 * The one error class of `@autotls/crypto`. Every rejection carries a stable `code`, a message
 * that says what is wrong and what to do, and the underlying `cause` when there is one. Messages
 * never contain key material.
 *
 * @example
 * ```ts
 * try {
 *   normalizeHostname(input)
 * } catch (error) {
 *   if (error instanceof CryptoError && error.code === 'ERR_INVALID_NAME') reject(error.message)
 *   else throw error
 * }
 * ```
 */
export class CryptoError extends Error {
  readonly code: CryptoErrorCode

  constructor(code: CryptoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CryptoError'
    this.code = code
  }
}
