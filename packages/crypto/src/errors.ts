/**
 * Every code a `CryptoError` can carry, at run time; callers `switch (error.code)`. The repository's
 * convention is `ERR_<FAMILY>_<WHAT>`, here `ERR_CRYPTO_*`.
 */
export const CRYPTO_ERROR_CODES = [
  'ERR_CRYPTO_INVALID_NAME',
  'ERR_CRYPTO_INVALID_PEM',
  'ERR_CRYPTO_UNSUPPORTED_KEY',
  'ERR_CRYPTO_INVALID_CERTIFICATE',
  'ERR_CRYPTO_INVALID_IDENTIFIERS',
  'ERR_CRYPTO_INVALID_ARGUMENT',
] as const

/** A stable code of everything `@autotls/crypto` rejects. */
export type CryptoErrorCode = (typeof CRYPTO_ERROR_CODES)[number]

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
 *   if (error instanceof CryptoError && error.code === 'ERR_CRYPTO_INVALID_NAME') reject(error.message)
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
