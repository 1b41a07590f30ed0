import { CryptoError } from './errors.js'
import type {
  Algorithm,
  CryptoKey,
  CryptoKeyPair,
  EcdsaParams,
  EcKeyImportParams,
  RsaHashedImportParams,
} from './webcrypto-types.js'

/** The key types autotls issues certificates and signs ACME requests with. */
export type KeyType = 'ec-p256' | 'ec-p384' | 'rsa-2048' | 'rsa-3072' | 'rsa-4096'

/**
 * WebCrypto keys: ECDSA (namedCurve P-256/P-384) or RSASSA-PKCS1-v1_5 with SHA-256; extractable,
 * so they can be saved with {@link exportPrivateKeyPem}.
 */
export interface KeyPair {
  readonly type: KeyType
  readonly privateKey: CryptoKey
  readonly publicKey: CryptoKey
}

type KeyAlgorithmParams = EcKeyImportParams | RsaHashedImportParams

const ALGORITHMS: Record<KeyType, KeyAlgorithmParams> = {
  'ec-p256': { name: 'ECDSA', namedCurve: 'P-256' },
  'ec-p384': { name: 'ECDSA', namedCurve: 'P-384' },
  'rsa-2048': { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  'rsa-3072': { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  'rsa-4096': { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
}

const MODULUS_LENGTH: Partial<Record<KeyType, number>> = {
  'rsa-2048': 2048,
  'rsa-3072': 3072,
  'rsa-4096': 4096,
}

/** Whether `value` is one of the supported {@link KeyType} names. */
export function isKeyType(value: unknown): value is KeyType {
  return typeof value === 'string' && Object.hasOwn(ALGORITHMS, value)
}

/** The WebCrypto import parameters for a key type. */
export function keyAlgorithm(type: KeyType): KeyAlgorithmParams {
  return ALGORITHMS[type]
}

/**
 * The signature algorithm a key signs certificates and CSRs with: ECDSA with SHA-256 (P-256) or
 * SHA-384 (P-384), as RFC 5480 §4 pairs them; RSASSA-PKCS1-v1_5 with SHA-256.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5480#section-4
 */
export function signingAlgorithm(type: KeyType): Algorithm | EcdsaParams {
  if (type === 'ec-p256') return { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams
  if (type === 'ec-p384') return { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams
  return { name: 'RSASSA-PKCS1-v1_5' }
}

/**
 * Generates an extractable key pair. ECDSA P-256 is the default: small, fast and accepted by
 * every ACME CA for both account keys and certificates.
 *
 * @example
 * ```ts
 * const key = await generateKeyPair() // ec-p256
 * const rsa = await generateKeyPair('rsa-2048') // for clients that cannot do ECDSA
 * ```
 * @throws {CryptoError} `ERR_CRYPTO_UNSUPPORTED_KEY` for an unknown type.
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-6.2
 */
export async function generateKeyPair(type: KeyType = 'ec-p256'): Promise<KeyPair> {
  if (!isKeyType(type)) {
    throw new CryptoError(
      'ERR_CRYPTO_UNSUPPORTED_KEY',
      `key type ${JSON.stringify(type)} is not supported; use one of ${Object.keys(ALGORITHMS).join(', ')}`,
    )
  }
  const modulusLength = MODULUS_LENGTH[type]
  const algorithm =
    modulusLength === undefined
      ? ALGORITHMS[type]
      : {
          ...(ALGORITHMS[type] as RsaHashedImportParams),
          modulusLength,
          publicExponent: new Uint8Array([1, 0, 1]),
        }
  const pair = (await globalThis.crypto.subtle.generateKey(algorithm, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair
  return { type, privateKey: pair.privateKey, publicKey: pair.publicKey }
}
