/** Every code a {@link HelloError} can carry. */
export const HELLO_ERROR_CODES = [
  'ERR_HELLO_CONFIG',
  'ERR_HELLO_CERTS_DIR',
  'ERR_HELLO_CACHE_UNUSABLE',
  'ERR_HELLO_LISTEN',
] as const

/** Stable code of a {@link HelloError}. */
export type HelloErrorCode = (typeof HELLO_ERROR_CODES)[number]

/**
 * Why hello could not start. Its message is one line that says what to fix; the process prints it
 * as `hello: <message>` and exits with code 2 (restarting as is will not help).
 *
 * @example
 * throw new HelloError('ERR_HELLO_CONFIG', 'set DOMAINS to the host names to serve')
 */
export class HelloError extends Error {
  readonly code: HelloErrorCode

  constructor(code: HelloErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'HelloError'
    this.code = code
  }
}
