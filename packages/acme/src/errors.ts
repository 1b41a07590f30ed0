/** Every stable code of `@autotls/acme`, as a runtime list (README's error table lists each). */
export const ACME_ERROR_CODES = [
  'ERR_ACME_PROBLEM',
  'ERR_ACME_TIMEOUT',
  'ERR_ACME_ABORTED',
  'ERR_ACME_RESPONSE',
  'ERR_ACME_NETWORK',
  'ERR_ACME_TLS',
  'ERR_ACME_ORDER_INVALID',
  'ERR_ACME_AUTHORIZATION_INVALID',
  'ERR_ACME_NO_SOLVER',
  'ERR_ACME_INVALID_ARGUMENT',
  'ERR_ACME_UNSUPPORTED',
] as const

/** Stable codes for every failure of `@autotls/acme`; callers `switch (error.code)`. */
export type AcmeErrorCode = (typeof ACME_ERROR_CODES)[number]

/**
 * The one error class of `@autotls/acme`. Every failure carries a stable `code` and, when it
 * wraps another error, that error as `cause`.
 *
 * @example
 * try { await client.createAccount({ termsOfServiceAgreed: true }) }
 * catch (error) { if (error instanceof AcmeError && error.code === 'ERR_ACME_TIMEOUT') retryLater() }
 */
export class AcmeError extends Error {
  readonly code: AcmeErrorCode

  constructor(code: AcmeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AcmeError'
    this.code = code
  }
}

/** An identifier as it appears in a problem document (RFC 8555 §7.1.4). */
export interface ProblemIdentifier {
  readonly type: string
  readonly value: string
}

/** One entry of a problem document's `subproblems` (RFC 8555 §6.7.1). */
export interface Subproblem {
  readonly type: string
  readonly detail?: string
  readonly identifier?: ProblemIdentifier
}

/** The fields of an RFC 7807 problem document as an ACME server sends it. */
export interface ProblemDocument {
  readonly type: string
  readonly detail?: string
  readonly status?: number
  readonly instance?: string
  readonly subproblems?: readonly Subproblem[]
  readonly identifier?: ProblemIdentifier
}

const ACME_ERROR_PREFIX = 'urn:ietf:params:acme:error:'

/**
 * An ACME server's problem document (RFC 8555 §6.7) as a typed error.
 * `shortType` drops the `urn:ietf:params:acme:error:` prefix (`badNonce`, `rateLimited`, ...).
 *
 * @example
 * if (error instanceof AcmeProblemError && error.shortType === 'rateLimited') {
 *   console.log(`retry in ${error.retryAfterMs} ms`)
 * }
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-6.7
 */
export class AcmeProblemError extends AcmeError {
  readonly type: string
  readonly status: number
  readonly detail: string
  readonly subproblems: readonly Subproblem[]
  readonly identifier: ProblemIdentifier | undefined
  /** How long the server asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs: number | undefined
  /** The request URL that failed. */
  readonly url: string

  constructor(
    problem: ProblemDocument,
    httpStatus: number,
    url: string,
    retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    const detail = typeof problem.detail === 'string' ? problem.detail : ''
    const subs = (problem.subproblems ?? [])
      .map((s) => `${s.identifier?.value ?? '?'}: ${s.detail ?? s.type}`)
      .join('; ')
    super(
      'ERR_ACME_PROBLEM',
      `${problem.type} (HTTP ${httpStatus}) from ${url}: ${detail}${subs ? ` [${subs}]` : ''}`,
      options,
    )
    this.name = 'AcmeProblemError'
    this.type = problem.type
    this.status = typeof problem.status === 'number' ? problem.status : httpStatus
    this.detail = detail
    this.subproblems = problem.subproblems ?? []
    this.identifier = problem.identifier
    this.retryAfterMs = retryAfterMs
    this.url = url
  }

  /** The ACME error name without its URN prefix, e.g. `badNonce`; the full type otherwise. */
  get shortType(): string {
    return this.type.startsWith(ACME_ERROR_PREFIX)
      ? this.type.slice(ACME_ERROR_PREFIX.length)
      : this.type
  }
}
