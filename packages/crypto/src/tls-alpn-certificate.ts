import { CryptoError } from './errors.js'
import { type Identifier, toIdentifier } from './identifier.js'
import { generateKeyPair, type KeyPair, signingAlgorithm } from './key-pair.js'
import { encodePem } from './pem.js'
import { exportPrivateKeyPem } from './private-key-pem.js'
import { Extension, SubjectAlternativeNameExtension, X509CertificateGenerator } from './x509.js'

/** id-pe-acmeIdentifier (RFC 8737 §6.1). */
export const ID_PE_ACME_IDENTIFIER = '1.3.6.1.5.5.7.1.31'

/** The challenge certificate is useless after validation; a short life limits any misuse. */
const VALID_BEFORE_MS = 60 * 60 * 1000
const VALID_AFTER_MS = 24 * 60 * 60 * 1000

const KEY_AUTHORIZATION = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/**
 * Creates the RFC 8737 tls-alpn-01 challenge certificate: self-signed, exactly one
 * subjectAltName (a dNSName, or an iPAddress per RFC 8738), and the critical id-pe-acmeIdentifier
 * extension whose value is the DER OCTET STRING of SHA-256(keyAuthorization). It is valid from
 * one hour before `now` to one day after it. Serve it to connections that offer only the
 * `acme-tls/1` ALPN protocol.
 *
 * @example
 * ```ts
 * const { certPem, keyPem } = await createTlsAlpnCertificate({
 *   identifier: 'example.com',
 *   keyAuthorization: `${challenge.token}.${thumbprint}`,
 * })
 * ```
 * @throws {CryptoError} `ERR_CRYPTO_INVALID_ARGUMENT` for a key authorization that is not
 *   `token.thumbprint`, or an invalid `now`; `ERR_CRYPTO_INVALID_NAME` / `ERR_CRYPTO_INVALID_IDENTIFIERS` for
 *   a bad identifier (wildcards are refused: RFC 8737 §3 does not apply to them).
 * @see https://www.rfc-editor.org/rfc/rfc8737#section-3
 * @see https://www.rfc-editor.org/rfc/rfc8738#section-6
 */
export async function createTlsAlpnCertificate(options: {
  identifier: Identifier | string
  keyAuthorization: string
  key?: KeyPair
  now?: Date
}): Promise<{ certPem: string; keyPem: string }> {
  const { keyAuthorization, now = new Date() } = options ?? {}
  const identifier = toIdentifier(options?.identifier)
  if (typeof keyAuthorization !== 'string' || !KEY_AUTHORIZATION.test(keyAuthorization)) {
    throw new CryptoError(
      'ERR_CRYPTO_INVALID_ARGUMENT',
      'keyAuthorization must be "<token>.<base64url account key thumbprint>" (RFC 8555 §8.1)',
    )
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new CryptoError('ERR_CRYPTO_INVALID_ARGUMENT', 'now must be a valid Date')
  }
  const key = options.key ?? (await generateKeyPair())
  const digest = new Uint8Array(
    await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(keyAuthorization)),
  )
  // DER OCTET STRING: tag 0x04, length 32, then the digest.
  const acmeIdentifier = new Uint8Array([0x04, digest.length, ...digest])
  let certificate: Awaited<ReturnType<typeof X509CertificateGenerator.createSelfSigned>>
  try {
    certificate = await X509CertificateGenerator.createSelfSigned({
      name: [{ CN: ['ACME tls-alpn-01 challenge'] }],
      notBefore: new Date(now.getTime() - VALID_BEFORE_MS),
      notAfter: new Date(now.getTime() + VALID_AFTER_MS),
      keys: { privateKey: key.privateKey, publicKey: key.publicKey },
      signingAlgorithm: signingAlgorithm(key.type),
      extensions: [
        new SubjectAlternativeNameExtension([{ type: identifier.type, value: identifier.value }]),
        new Extension(ID_PE_ACME_IDENTIFIER, true, acmeIdentifier),
      ],
    })
  } catch (cause) {
    throw new CryptoError(
      'ERR_CRYPTO_UNSUPPORTED_KEY',
      'the key pair could not sign the certificate',
      {
        cause,
      },
    )
  }
  return {
    certPem: encodePem('CERTIFICATE', new Uint8Array(certificate.rawData)),
    keyPem: await exportPrivateKeyPem(key),
  }
}
