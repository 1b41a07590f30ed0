import { randomBytes } from 'node:crypto'

/** A TSIG key as servers and clients are configured with it (RFC 8945). */
export interface TsigKey {
  readonly name: string
  readonly algorithm: 'hmac-sha256'
  /** Base64 of the shared secret. */
  readonly secret: string
}

/**
 * A fresh random HMAC-SHA256 TSIG key (32 bytes, as `tsig-keygen` makes).
 *
 * @example
 * const key = newTsigKey('acme-update')
 */
export function newTsigKey(name = 'acme-update'): TsigKey {
  return { name, algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') }
}
