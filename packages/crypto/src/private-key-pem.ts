import { createPrivateKey, type KeyObject } from 'node:crypto'
import { CryptoError } from './errors.js'
import { isKeyType, type KeyPair, type KeyType, keyAlgorithm } from './key-pair.js'
import { decodePem, encodePem } from './pem.js'
import type { JsonWebKey } from './webcrypto-types.js'

const PRIVATE_KEY_LABELS: Record<string, 'pkcs8' | 'sec1' | 'pkcs1'> = {
  'PRIVATE KEY': 'pkcs8',
  'EC PRIVATE KEY': 'sec1',
  'RSA PRIVATE KEY': 'pkcs1',
}

const CURVES: Record<string, KeyType> = { prime256v1: 'ec-p256', secp384r1: 'ec-p384' }

/**
 * Exports the private key as a PKCS#8 `PRIVATE KEY` PEM block, the form openssl, Node's `tls` and
 * Go's autocert all read.
 *
 * @example
 * ```ts
 * await writeFile('key.pem', await exportPrivateKeyPem(key), { mode: 0o600 })
 * ```
 * @throws {CryptoError} `ERR_CRYPTO_UNSUPPORTED_KEY` when the key is not extractable.
 * @see https://www.rfc-editor.org/rfc/rfc5208#section-5
 */
export async function exportPrivateKeyPem(key: KeyPair): Promise<string> {
  let der: ArrayBuffer
  try {
    der = await globalThis.crypto.subtle.exportKey('pkcs8', key.privateKey)
  } catch (cause) {
    throw new CryptoError(
      'ERR_CRYPTO_UNSUPPORTED_KEY',
      'the private key cannot be exported; generate it with extractable: true',
      { cause },
    )
  }
  return encodePem('PRIVATE KEY', new Uint8Array(der))
}

function keyTypeOf(key: KeyObject): KeyType {
  const details = key.asymmetricKeyDetails ?? {}
  let type: string | undefined
  if (key.asymmetricKeyType === 'ec') type = CURVES[details.namedCurve ?? '']
  if (key.asymmetricKeyType === 'rsa') type = `rsa-${details.modulusLength}`
  if (!isKeyType(type)) {
    const what =
      key.asymmetricKeyType === 'ec'
        ? `EC key on curve ${details.namedCurve}`
        : key.asymmetricKeyType === 'rsa'
          ? `${details.modulusLength}-bit RSA key`
          : `${key.asymmetricKeyType} key`
    throw new CryptoError(
      'ERR_CRYPTO_UNSUPPORTED_KEY',
      `a ${what} is not supported; use ECDSA P-256/P-384 or RSA 2048/3072/4096`,
    )
  }
  return type
}

/**
 * Imports a private key PEM: PKCS#8 (`PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`) or PKCS#1
 * (`RSA PRIVATE KEY`), as written by this package, openssl or Go's autocert. The key type is
 * detected; the public key is derived. The first private key block of a bundle is used, so a
 * file holding a key and its certificate chain works too.
 *
 * @example
 * ```ts
 * const key = await importPrivateKeyPem(await readFile('key.pem', 'utf8'))
 * key.type // 'ec-p256'
 * ```
 * @throws {CryptoError} `ERR_CRYPTO_INVALID_PEM` for malformed PEM; `ERR_CRYPTO_UNSUPPORTED_KEY` when there is
 *   no private key block, the key is encrypted, or its type or size is not supported.
 * @see https://www.rfc-editor.org/rfc/rfc5208#section-5
 * @see https://www.rfc-editor.org/rfc/rfc5915#section-3
 * @see https://www.rfc-editor.org/rfc/rfc8017#appendix-A.1.2
 */
export async function importPrivateKeyPem(pem: string): Promise<KeyPair> {
  const blocks = decodePem(pem)
  const block = blocks.find((candidate) => PRIVATE_KEY_LABELS[candidate.label] !== undefined)
  if (!block) {
    const encrypted = blocks.some((candidate) => candidate.label === 'ENCRYPTED PRIVATE KEY')
    throw new CryptoError(
      'ERR_CRYPTO_UNSUPPORTED_KEY',
      encrypted
        ? 'the private key is encrypted; decrypt it first (openssl pkey -in key.pem -out plain.pem)'
        : `no private key found: expected a "PRIVATE KEY", "EC PRIVATE KEY" or "RSA PRIVATE KEY" block, got ${blocks.length === 0 ? 'no PEM block' : blocks.map((b) => `"${b.label}"`).join(', ')}`,
    )
  }
  const format = PRIVATE_KEY_LABELS[block.label] ?? 'pkcs8'
  let keyObject: KeyObject
  try {
    keyObject = createPrivateKey({ key: Buffer.from(block.der), format: 'der', type: format })
  } catch (cause) {
    throw new CryptoError(
      'ERR_CRYPTO_UNSUPPORTED_KEY',
      `the "${block.label}" block does not hold a valid ${format.toUpperCase()} private key`,
      { cause },
    )
  }
  const type = keyTypeOf(keyObject)
  const algorithm = keyAlgorithm(type)
  const pkcs8 = keyObject.export({ format: 'der', type: 'pkcs8' })
  const subtle = globalThis.crypto.subtle
  const privateKey = await subtle.importKey('pkcs8', pkcs8, algorithm, true, ['sign'])
  const { kty, crv, x, y, n, e } = await subtle.exportKey('jwk', privateKey)
  const publicJwk: JsonWebKey = kty === 'EC' ? { kty, crv, x, y } : { kty, n, e }
  const publicKey = await subtle.importKey('jwk', publicJwk, algorithm, true, ['verify'])
  return { type, privateKey, publicKey }
}
