import type { ClientHello } from './client-hello.js'

/** The certificate key types the manager serves: one ECDSA, one RSA. */
export type ServedKeyType = 'ec-p256' | 'rsa-2048'

const ECDSA_P256_SHA256 = 0x0403
const ECDSA_SCHEMES = new Set([0x0203, 0x0403, 0x0503, 0x0603])
const GROUP_P256 = 23
const TLS13 = 0x0304
const TLS13_SUITES = new Set([0x1301, 0x1302, 0x1303, 0x1304, 0x1305])
// ECDHE_ECDSA suites with AES-CBC, AES-GCM, ChaCha20-Poly1305 and AES-CCM.
const ECDHE_ECDSA_SUITES = new Set([
  0xc009, 0xc00a, 0xc023, 0xc024, 0xc02b, 0xc02c, 0xcca9, 0xc0ac, 0xc0ad, 0xc0ae, 0xc0af,
])

/**
 * Whether the client can verify an ECDSA P-256 certificate, as Go's autocert decides it: the
 * signature algorithms (when sent) must include an ECDSA scheme, P-256 must be among the supported
 * groups (TLS 1.2), and an ECDHE-ECDSA suite (TLS 1.2) or a TLS 1.3 suite must be offered. In
 * TLS 1.3 the scheme is bound to the curve, so `ecdsa_secp256r1_sha256` itself must be offered.
 *
 * @example
 * const keyType = supportsEcdsa(parseClientHello(bytes)) ? 'ec-p256' : 'rsa-2048'
 * @see https://www.rfc-editor.org/rfc/rfc8446#section-4.2.3
 * @see https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.4.1
 */
export function supportsEcdsa(hello: ClientHello): boolean {
  const schemes = hello.signatureAlgorithms
  const offersTls13 =
    hello.supportedVersions?.includes(TLS13) === true &&
    hello.cipherSuites.some((suite) => TLS13_SUITES.has(suite))
  if (offersTls13 && schemes !== null) return schemes.includes(ECDSA_P256_SHA256)
  if (schemes !== null && !schemes.some((scheme) => ECDSA_SCHEMES.has(scheme))) return false
  if (hello.supportedGroups !== null && !hello.supportedGroups.includes(GROUP_P256)) return false
  return hello.cipherSuites.some((suite) => ECDHE_ECDSA_SUITES.has(suite))
}

/**
 * The certificate key type to present to this client, among those configured (first one is the
 * preference when the client can take both).
 *
 * @example
 * chooseKeyType(hello, ['ec-p256', 'rsa-2048']) // 'rsa-2048' for a client without ECDSA
 */
export function chooseKeyType(hello: ClientHello, served: readonly ServedKeyType[]): ServedKeyType {
  const ecdsa = served.includes('ec-p256')
  const rsa = served.includes('rsa-2048')
  if (ecdsa && rsa) return supportsEcdsa(hello) ? 'ec-p256' : 'rsa-2048'
  return rsa ? 'rsa-2048' : 'ec-p256'
}
