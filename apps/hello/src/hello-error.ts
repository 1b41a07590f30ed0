/** Every code a {@link HelloError} can carry. */
export const HELLO_ERROR_CODES = [
  'ERR_HELLO_CONFIG',
  'ERR_HELLO_CERTS_DIR',
  'ERR_HELLO_CACHE_UNUSABLE',
  'ERR_HELLO_LISTEN',
  'ERR_HELLO_WORKER',
] as const

/** Stable code of a {@link HelloError}. */
export type HelloErrorCode = (typeof HELLO_ERROR_CODES)[number]

/**
 * Why hello could not start or keep running. Its message is one line that says what to fix; the
 * process prints it as `hello: <message>` and exits with {@link HelloError.exitCode}.
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

  /**
   * 2 when the configuration or the environment stops hello from starting (restarting as is will
   * not help), 1 when workers kept dying.
   */
  get exitCode(): 1 | 2 {
    return this.code === 'ERR_HELLO_WORKER' ? 1 : 2
  }
}
