/** Every stable code of `@autotls/dns` and its providers, as a runtime list (README's table lists each). */
export const DNS_ERROR_CODES = [
  'ERR_DNS_INVALID_ARGUMENT',
  'ERR_DNS_TIMEOUT',
  'ERR_DNS_ABORTED',
  'ERR_DNS_NETWORK',
  'ERR_DNS_MALFORMED_RESPONSE',
  'ERR_DNS_QUERY_FAILED',
  'ERR_DNS_ZONE_NOT_FOUND',
  'ERR_DNS_CNAME_LOOP',
  'ERR_DNS_UPDATE_REJECTED',
  'ERR_DNS_TSIG_INVALID',
  'ERR_DNS_PROVIDER_FAILED',
  'ERR_DNS_PROPAGATION_TIMEOUT',
] as const

/** Stable codes for every failure of `@autotls/dns`; callers `switch (error.code)`. */
export type DnsErrorCode = (typeof DNS_ERROR_CODES)[number]

/** What a {@link DnsError} is about, when it is about a record or a server. */
export interface DnsErrorDetails {
  /** The DNS name of the record concerned, without the trailing dot. */
  record?: string
  /** The server (`host:port`, or an API URL) that answered or did not. */
  server?: string
  /** The server's response code by name (`REFUSED`, `NOTAUTH`, …), TSIG error appended. */
  rcode?: string
  cause?: unknown
}

/**
 * The one error class of `@autotls/dns`, also thrown by the providers built on it
 * (`@autotls/dns-rfc2136`, `@autotls/dns-powerdns`). Every failure carries a stable `code`; those
 * about a record or a server name them in `record` and `server`.
 *
 * @example
 * try { await solver.present(args) }
 * catch (error) {
 *   if (error instanceof DnsError && error.code === 'ERR_DNS_PROPAGATION_TIMEOUT')
 *     console.error(`${error.server} never answered ${error.record}`)
 * }
 */
export class DnsError extends Error {
  readonly code: DnsErrorCode
  readonly record: string | undefined
  readonly server: string | undefined
  readonly rcode: string | undefined

  constructor(code: DnsErrorCode, message: string, details: DnsErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.name = 'DnsError'
    this.code = code
    this.record = details.record
    this.server = details.server
    this.rcode = details.rcode
  }
}

/** `error` as a DnsError: itself when it is one, else wrapped with `code` as its cause. */
export function asDnsError(
  error: unknown,
  code: DnsErrorCode,
  message: string,
  details: DnsErrorDetails = {},
): DnsError {
  if (error instanceof DnsError) return error
  return new DnsError(code, `${message}: ${(error as Error)?.message ?? String(error)}`, {
    ...details,
    cause: error,
  })
}
