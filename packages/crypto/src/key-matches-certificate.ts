import { createPublicKey } from 'node:crypto'
import { certificateInfo } from './certificate-info.js'
import { CryptoError } from './errors.js'
import type { KeyPair } from './key-pair.js'
import { importPrivateKeyPem } from './private-key-pem.js'
import type { JsonWebKey } from './webcrypto-types.js'

function publicMembers(jwk: JsonWebKey): string {
  return jwk.kty === 'EC'
    ? JSON.stringify(['EC', jwk.crv, jwk.x, jwk.y])
    : JSON.stringify([jwk.kty, jwk.n, jwk.e])
}

/**
 * Whether a private key (a {@link KeyPair} or a private key PEM) belongs to the leaf — the first
 * certificate — of a PEM chain. Compares the public key members, so encoding differences
 * (compressed EC points, RSA parameter encodings) do not matter.
 *
 * @example
 * ```ts
 * if (!(await keyMatchesCertificate(keyPem, chainPem))) throw new Error('key and chain differ')
 * ```
 * @throws {CryptoError} `ERR_CRYPTO_INVALID_PEM`, `ERR_CRYPTO_INVALID_CERTIFICATE` or `ERR_CRYPTO_UNSUPPORTED_KEY`
 *   when an input cannot be read — never a quiet `true`.
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.7
 */
export async function keyMatchesCertificate(
  key: KeyPair | string,
  certPem: string,
): Promise<boolean> {
  const info = certificateInfo(certPem)
  const pair = typeof key === 'string' ? await importPrivateKeyPem(key) : key
  let certificateJwk: JsonWebKey
  let keyJwk: JsonWebKey
  try {
    certificateJwk = createPublicKey({
      key: Buffer.from(info.publicKey),
      format: 'der',
      type: 'spki',
    }).export({ format: 'jwk' }) as JsonWebKey
  } catch (cause) {
    throw new CryptoError(
      'ERR_CRYPTO_INVALID_CERTIFICATE',
      'the certificate public key cannot be read',
      {
        cause,
      },
    )
  }
  try {
    keyJwk = await globalThis.crypto.subtle.exportKey('jwk', pair.publicKey)
  } catch (cause) {
    throw new CryptoError('ERR_CRYPTO_UNSUPPORTED_KEY', 'the public key cannot be exported', {
      cause,
    })
  }
  return publicMembers(certificateJwk) === publicMembers(keyJwk)
}
