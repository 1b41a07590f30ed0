import { base64url, calculateJwkThumbprint, type JWK } from 'jose'

/**
 * The key authorization for a challenge token: `token "." base64url(SHA-256 JWK thumbprint)`.
 * http-01 serves it verbatim; tls-alpn-01 puts its SHA-256 in the certificate.
 *
 * @example
 * const keyAuthorization = await keyAuthorizationFor(token, accountJwk)
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-8.1
 */
export async function keyAuthorizationFor(token: string, accountJwk: JWK): Promise<string> {
  return `${token}.${await calculateJwkThumbprint(accountJwk, 'sha256')}`
}

/**
 * The dns-01 TXT record value: base64url(SHA-256(key authorization)), published at
 * `_acme-challenge.<name>`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-8.4
 */
export async function dns01TxtValue(keyAuthorization: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(keyAuthorization))
  return base64url.encode(new Uint8Array(digest))
}

/**
 * The DNS name that holds the dns-01 TXT record for `name` (a wildcard's `*.` is dropped).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-8.4
 */
export function dns01RecordName(name: string): string {
  return `_acme-challenge.${name.startsWith('*.') ? name.slice(2) : name}`
}
