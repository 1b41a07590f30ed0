import { CryptoError } from './errors.js'
import { type Identifier, toIdentifier } from './identifier.js'
import { type KeyPair, signingAlgorithm } from './key-pair.js'
import { encodePem } from './pem.js'
import { Pkcs10CertificateRequestGenerator, SubjectAlternativeNameExtension } from './x509.js'

/** The longest commonName X.520 allows (`ub-common-name`). */
const MAX_COMMON_NAME = 64

/**
 * Creates a PKCS#10 certificate signing request for ACME finalization: every identifier becomes
 * a subjectAltName (dNSName or iPAddress), and the subject CN is the first DNS name when it fits
 * in 64 characters (omitted otherwise, which CAs accept). Names are normalised and duplicates
 * dropped, keeping the first occurrence's position.
 *
 * @example
 * ```ts
 * const key = await generateKeyPair()
 * const { der } = await createCsr({ key, identifiers: ['example.com', 'www.example.com'] })
 * // finalize: { csr: base64url(der) }
 * ```
 * @throws {CryptoError} `ERR_CRYPTO_INVALID_IDENTIFIERS` for an empty list or a malformed identifier,
 *   `ERR_CRYPTO_INVALID_NAME` for an invalid name, `ERR_CRYPTO_UNSUPPORTED_KEY` when the key cannot sign.
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.4
 * @see https://www.rfc-editor.org/rfc/rfc2986#section-4
 */
export async function createCsr(options: {
  key: KeyPair
  identifiers: readonly (Identifier | string)[]
}): Promise<{ der: Uint8Array; pem: string }> {
  const { key, identifiers } = options ?? {}
  if (!Array.isArray(identifiers) || identifiers.length === 0) {
    throw new CryptoError(
      'ERR_CRYPTO_INVALID_IDENTIFIERS',
      'a CSR needs at least one identifier (a DNS name or an IP address)',
    )
  }
  const unique = new Map<string, Identifier>()
  for (const input of identifiers) {
    const identifier = toIdentifier(input, { allowWildcard: true })
    const id = `${identifier.type}:${identifier.value}`
    if (!unique.has(id)) unique.set(id, identifier)
  }
  const names = [...unique.values()]
  const commonName = names.find((name) => name.type === 'dns')?.value
  let request: Awaited<ReturnType<typeof Pkcs10CertificateRequestGenerator.create>>
  try {
    request = await Pkcs10CertificateRequestGenerator.create({
      ...(commonName && commonName.length <= MAX_COMMON_NAME
        ? { name: [{ CN: [commonName] }] }
        : {}),
      extensions: [
        new SubjectAlternativeNameExtension(
          names.map((name) => ({ type: name.type, value: name.value })),
        ),
      ],
      signingAlgorithm: signingAlgorithm(key.type),
      keys: { privateKey: key.privateKey, publicKey: key.publicKey },
    })
  } catch (cause) {
    throw new CryptoError('ERR_CRYPTO_UNSUPPORTED_KEY', 'the key pair could not sign the CSR', {
      cause,
    })
  }
  const der = new Uint8Array(request.rawData)
  return { der, pem: encodePem('CERTIFICATE REQUEST', der) }
}
