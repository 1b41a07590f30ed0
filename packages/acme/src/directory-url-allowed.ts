import { isIP } from 'node:net'

/**
 * Whether `value` may serve as an ACME directory URL: https, or http for a loopback host only (a
 * local test CA). RFC 8555 §6.1 requires HTTPS; anything else would send account keys' signatures
 * and certificates in the clear.
 *
 * @example
 * isAllowedDirectoryUrl('https://acme-v02.api.letsencrypt.org/directory') // true
 * isAllowedDirectoryUrl('http://127.0.0.1:14000/dir') // true
 * isAllowedDirectoryUrl('http://ca.example/dir') // false
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-6.1
 */
export function isAllowedDirectoryUrl(value: string): boolean {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return false
  }
  if (url.protocol === 'https:') return true
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const loopback =
    host === 'localhost' ||
    (isIP(host) === 4 && host.startsWith('127.')) ||
    (isIP(host) === 6 && host === '::1')
  return url.protocol === 'http:' && loopback
}
