import type { webcrypto } from 'node:crypto'
import { type FlattenedJWS, FlattenedSign, type JWK } from 'jose'
import { AcmeError } from './errors.js'

/** The JWS algorithms ACME CAs accept for account keys here. */
export type AcmeJwsAlgorithm = 'ES256' | 'ES384' | 'RS256'

/**
 * The JWS `alg` for a WebCrypto private key: ECDSA P-256 → ES256, P-384 → ES384,
 * RSASSA-PKCS1-v1_5 → RS256.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-6.2
 */
export function jwsAlgorithm(key: webcrypto.CryptoKey): AcmeJwsAlgorithm {
  const algorithm = key.algorithm as { name: string; namedCurve?: string }
  if (algorithm.name === 'ECDSA' && algorithm.namedCurve === 'P-256') return 'ES256'
  if (algorithm.name === 'ECDSA' && algorithm.namedCurve === 'P-384') return 'ES384'
  if (algorithm.name === 'RSASSA-PKCS1-v1_5') return 'RS256'
  throw new AcmeError(
    'ERR_ACME_INVALID_ARGUMENT',
    `account keys must be ECDSA P-256/P-384 or RSA (PKCS#1 v1.5); got ${algorithm.name} ${algorithm.namedCurve ?? ''}`.trim(),
  )
}

/** What one signed ACME request needs. */
export interface SignJwsOptions {
  readonly privateKey: webcrypto.CryptoKey
  /** `jwk` (newAccount, revocation by certificate key) or `kid` (the account URL). */
  readonly identity: { readonly jwk: JWK } | { readonly kid: string }
  /** The request URL, exactly as the server gave it. */
  readonly url: string
  /** Omitted only for the inner JWS of a key rollover (RFC 8555 §7.3.5). */
  readonly nonce?: string
  /** The JSON payload; `undefined` signs an empty payload (POST-as-GET). */
  readonly payload: unknown
}

/**
 * Signs an ACME request as a flattened JWS with only a protected header
 * (`alg`, `nonce`, `url`, and `jwk` or `kid`).
 *
 * @example
 * const body = await signJws({ privateKey, identity: { kid }, url, nonce, payload: undefined })
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-6.2
 */
export async function signJws(options: SignJwsOptions): Promise<FlattenedJWS> {
  const bytes =
    options.payload === undefined
      ? new Uint8Array(0)
      : new TextEncoder().encode(JSON.stringify(options.payload))
  return new FlattenedSign(bytes)
    .setProtectedHeader({
      alg: jwsAlgorithm(options.privateKey),
      ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
      url: options.url,
      ...options.identity,
    })
    .sign(options.privateKey)
}
