import { CryptoError } from './errors.js'
import type { KeyPair } from './key-pair.js'
import type { JsonWebKey } from './webcrypto-types.js'

/**
 * The public half of a key pair as a JWK with only its public members (`kty`, `crv`, `x`, `y`
 * for EC; `kty`, `n`, `e` for RSA), ready for an ACME `jwk` header or a thumbprint.
 *
 * @example
 * ```ts
 * const jwk = await exportPublicJwk(accountKey) // { kty: 'EC', crv: 'P-256', x: '…', y: '…' }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7638#section-3.2
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-6.2
 */
export async function exportPublicJwk(key: KeyPair): Promise<JsonWebKey> {
  let jwk: JsonWebKey
  try {
    jwk = await globalThis.crypto.subtle.exportKey('jwk', key.publicKey)
  } catch (cause) {
    throw new CryptoError(
      'ERR_CRYPTO_UNSUPPORTED_KEY',
      'the public key cannot be exported as a JWK',
      {
        cause,
      },
    )
  }
  if (jwk.kty === 'EC') return { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y }
  if (jwk.kty === 'RSA') return { kty: 'RSA', n: jwk.n, e: jwk.e }
  throw new CryptoError(
    'ERR_CRYPTO_UNSUPPORTED_KEY',
    `JWK key type ${String(jwk.kty)} is not supported`,
  )
}
