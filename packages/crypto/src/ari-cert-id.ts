import { certificateInfo } from './certificate-info.js'
import { CryptoError } from './errors.js'

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url')
}

/**
 * The RFC 9773 ACME Renewal Information certificate identifier:
 * `base64url(authorityKeyIdentifier.keyIdentifier) "." base64url(serialNumber DER bytes)`,
 * without padding. The serial bytes are the INTEGER's DER content, sign byte included.
 *
 * @example
 * ```ts
 * const id = ariCertId(leafPem) // 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE'
 * await fetch(`${directory.renewalInfo}/${id}`, { signal })
 * ```
 * @throws {CryptoError} `ERR_CRYPTO_INVALID_CERTIFICATE` when the certificate has no authority key
 *   identifier; `ERR_CRYPTO_INVALID_PEM` / `ERR_CRYPTO_INVALID_CERTIFICATE` when it cannot be read.
 * @see https://www.rfc-editor.org/rfc/rfc9773#section-4.1
 */
export function ariCertId(certPemOrDer: string | Uint8Array): string {
  const info = certificateInfo(certPemOrDer)
  if (!info.authorityKeyIdentifier || info.authorityKeyIdentifier.length === 0) {
    throw new CryptoError(
      'ERR_CRYPTO_INVALID_CERTIFICATE',
      'the certificate has no authority key identifier, so it has no ARI certID (RFC 9773 §4.1)',
    )
  }
  // serialNumber holds the magnitude; DER puts a 0x00 sign byte before a set top bit.
  const magnitude = Buffer.from(info.serialNumber, 'hex')
  const serial = (magnitude[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.of(0), magnitude]) : magnitude
  return `${base64url(info.authorityKeyIdentifier)}.${base64url(new Uint8Array(serial))}`
}
