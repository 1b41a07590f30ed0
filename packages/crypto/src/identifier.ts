import { CryptoError } from './errors.js'
import { normalizeHostname } from './hostname.js'
import { isIpAddress } from './ip-address.js'

/**
 * An ACME identifier: a DNS name (RFC 8555 §9.7.7) or an IP address (RFC 8738), always in
 * normalised form — lowercase ASCII DNS names, canonical IP text.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-9.7.7
 * @see https://www.rfc-editor.org/rfc/rfc8738#section-3
 */
export type Identifier = { readonly type: 'dns' | 'ip'; readonly value: string }

/**
 * Normalises and classifies a name: an IP literal becomes an `ip` identifier in canonical text
 * form, anything else a normalised `dns` identifier (see {@link normalizeHostname}).
 *
 * @example
 * ```ts
 * parseIdentifier('WWW.Example.com.') // { type: 'dns', value: 'www.example.com' }
 * parseIdentifier('2001:DB8:0::1') // { type: 'ip', value: '2001:db8::1' }
 * parseIdentifier('*.example.com', { allowWildcard: true }) // { type: 'dns', value: '*.example.com' }
 * ```
 * @throws {CryptoError} `ERR_CRYPTO_INVALID_NAME` when the name is not valid.
 * @see https://www.rfc-editor.org/rfc/rfc8738#section-3
 */
export function parseIdentifier(
  name: string,
  options: { allowWildcard?: boolean } = {},
): Identifier {
  const value = normalizeHostname(name, { allowIp: true, allowWildcard: options.allowWildcard })
  return { type: isIpAddress(value) ? 'ip' : 'dns', value }
}

/**
 * Checks an identifier given either as text or as an object, and returns its normalised form.
 * An object whose `type` disagrees with its value (`{ type: 'dns', value: '192.0.2.1' }`) is
 * refused rather than silently reclassified.
 */
export function toIdentifier(
  input: Identifier | string,
  options: { allowWildcard?: boolean } = {},
): Identifier {
  if (typeof input === 'string') return parseIdentifier(input, options)
  if (input === null || typeof input !== 'object' || typeof input.value !== 'string') {
    throw new CryptoError(
      'ERR_CRYPTO_INVALID_IDENTIFIERS',
      'an identifier is a name string or { type: "dns" | "ip", value: string }',
    )
  }
  if (input.type !== 'dns' && input.type !== 'ip') {
    throw new CryptoError(
      'ERR_CRYPTO_INVALID_IDENTIFIERS',
      `identifier type ${JSON.stringify(input.type)} is not supported; use "dns" or "ip"`,
    )
  }
  const parsed = parseIdentifier(input.value, options)
  if (parsed.type !== input.type) {
    throw new CryptoError(
      'ERR_CRYPTO_INVALID_IDENTIFIERS',
      `identifier ${JSON.stringify(input.value)} has type "${input.type}" but is ${parsed.type === 'ip' ? 'an IP address' : 'a DNS name'}`,
    )
  }
  return parsed
}
