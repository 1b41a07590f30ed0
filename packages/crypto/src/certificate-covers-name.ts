import type { CertificateInfo } from './certificate-info.js'
import { CryptoError } from './errors.js'
import { normalizeHostname } from './hostname.js'
import { isIpAddress } from './ip-address.js'

/**
 * Whether a certificate is valid for `name`: an exact dNSName match, or a wildcard
 * `*.example.com` covering exactly one more label (`a.example.com`, not `example.com` nor
 * `a.b.example.com`); IP addresses are compared in canonical form against the iPAddress entries.
 * The name is normalised first; an invalid name is covered by nothing, so the answer is `false`.
 *
 * @example
 * ```ts
 * certificateCoversName(certificateInfo(pem), 'www.example.com') // true for *.example.com
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6125#section-6.4.3
 * @see https://www.rfc-editor.org/rfc/rfc9525#section-6.3
 */
export function certificateCoversName(info: CertificateInfo, name: string): boolean {
  let normalized: string
  try {
    normalized = normalizeHostname(name, { allowIp: true, allowWildcard: true })
  } catch (error) {
    if (error instanceof CryptoError) return false
    throw error
  }
  if (isIpAddress(normalized)) return info.ipAddresses.includes(normalized)
  const dnsNames = info.dnsNames.map((dnsName) => dnsName.replace(/\.$/, ''))
  if (dnsNames.includes(normalized)) return true
  if (normalized.startsWith('*.')) return false
  const dot = normalized.indexOf('.')
  return dot > 0 && dnsNames.includes(`*${normalized.slice(dot)}`)
}
