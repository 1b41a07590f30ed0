/** Every stable code of `@autotls/dns-servers`, as a runtime list. */
export const DNS_SERVER_ERROR_CODES = ['ERR_DNS_SERVER_NOT_FOUND', 'ERR_DNS_SERVER_START'] as const

/** Stable codes for everything that can go wrong while running a test DNS server. */
export type DnsServerErrorCode = (typeof DNS_SERVER_ERROR_CODES)[number]

/** The one error class of `@autotls/dns-servers`; switch on `code`. */
export class DnsServerError extends Error {
  readonly code: DnsServerErrorCode

  constructor(code: DnsServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DnsServerError'
    this.code = code
  }
}
