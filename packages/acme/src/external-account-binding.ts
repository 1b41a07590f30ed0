import { base64url, type FlattenedJWS, FlattenedSign, type JWK } from 'jose'
import { AcmeError } from './errors.js'

/** The key identifier and MAC key a CA hands out for External Account Binding. */
export interface ExternalAccountBinding {
  readonly kid: string
  /** The HMAC key, base64url as CAs publish it. */
  readonly hmacKey: string
}

/**
 * The `externalAccountBinding` member of a newAccount payload: the account's public JWK,
 * MACed with HS256 under the CA-issued key, with `kid` and the newAccount `url` in the header.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.3.4
 */
export async function externalAccountBindingJws(options: {
  binding: ExternalAccountBinding
  accountJwk: JWK
  url: string
}): Promise<FlattenedJWS> {
  let key: Uint8Array
  try {
    key = base64url.decode(options.binding.hmacKey)
  } catch (cause) {
    throw new AcmeError('ERR_ACME_INVALID_ARGUMENT', 'the EAB hmacKey must be base64url', { cause })
  }
  if (key.length === 0) {
    throw new AcmeError('ERR_ACME_INVALID_ARGUMENT', 'the EAB hmacKey is empty')
  }
  return new FlattenedSign(new TextEncoder().encode(JSON.stringify(options.accountJwk)))
    .setProtectedHeader({ alg: 'HS256', kid: options.binding.kid, url: options.url })
    .sign(key)
}
