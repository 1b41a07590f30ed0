import { createHash } from 'node:crypto'
import { isIPv4, isIPv6 } from 'node:net'
import { CacheError } from './cache-error.js'
import { isValidKey } from './valid-key.js'

/**
 * The version segment every key of this layout starts with. A future layout gets `v2/` and can
 * live beside this one in the same store, so old and new releases can share a cache while a
 * fleet upgrades.
 */
export const LAYOUT_VERSION = 'v1'

/** The challenge types whose answers live in the cache. */
export type ChallengeKind = 'http-01' | 'tls-alpn-01' | 'dns-01'

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const KEY_TYPE = /^[a-z0-9][a-z0-9-]{0,31}$/
const TOKEN = /^[A-Za-z0-9_-]{1,512}$/
const CHALLENGE_KINDS: readonly string[] = ['http-01', 'tls-alpn-01', 'dns-01']

function invalid(what: string, value: unknown, fix: string): CacheError {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value
  return new CacheError('ERR_CACHE_INVALID_KEY', `invalid ${what} ${shown}: ${fix}`)
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

function isHostName(name: string): boolean {
  const labels = name.split('.')
  if (name.length > 253 || !labels.every((label) => LABEL.test(label))) return false
  // A numeric last label makes the name an IPv4 address: only the canonical dotted quad passes.
  return !/^[0-9]+$/.test(labels[labels.length - 1] ?? '') || isIPv4(name)
}

function isCanonicalIPv6(name: string): boolean {
  if (!isIPv6(name) || !/^[0-9a-f:.]+$/.test(name)) return false
  return new URL(`http://[${name}]/`).hostname === `[${name}]`
}

/**
 * The key segment for a normalised name: a lowercase host name as is, an IPv6 literal with `:`
 * written as `_`, and (only where allowed) a leading wildcard label `*` written as `+`.
 */
function nameSegment(name: string, allowWildcard: boolean): string {
  if (typeof name === 'string') {
    if (allowWildcard && name.startsWith('*.') && isHostName(name.slice(2))) {
      return `+${name.slice(1)}`
    }
    if (isHostName(name)) return name
    if (isCanonicalIPv6(name)) return name.replaceAll(':', '_')
  }
  throw invalid(
    'name',
    name,
    allowWildcard
      ? 'pass a normalised host name (lowercase ASCII, no trailing dot), "*." plus one, or an IP address'
      : 'pass a normalised host name (lowercase ASCII, no trailing dot) or an IP address',
  )
}

function checked(key: string): string {
  if (!isValidKey(key)) throw invalid('cache key', key, 'shorten the name or key type')
  return key
}

/**
 * Where the certificate of `name` with key type `keyType` lives: one entry holding the private
 * key and the chain together, so a reader never pairs one certificate's key with another's chain.
 *
 * `name` must already be normalised (lowercase, IDNA → ASCII, no trailing dot); IPv4 as a dotted
 * quad, IPv6 in canonical form (RFC 5952: lowercase hex, `::` for the longest zero run, no dotted
 * tail), as `@autotls/crypto` formats them. A wildcard `*.example.com` is allowed here.
 *
 * @example
 * ```ts
 * certificateKey('example.com', 'ec-p256') // 'v1/certs/example.com/ec-p256'
 * certificateKey('*.example.com', 'rsa-2048') // 'v1/certs/+.example.com/rsa-2048'
 * certificateKey('2001:db8::1', 'ec-p256') // 'v1/certs/2001_db8__1/ec-p256'
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc5952#section-4
 */
export function certificateKey(name: string, keyType: string): string {
  const segment = nameSegment(name, true)
  if (typeof keyType !== 'string' || !KEY_TYPE.test(keyType)) {
    throw invalid('key type', keyType, 'use a short lowercase id such as "ec-p256"')
  }
  return checked(`${LAYOUT_VERSION}/certs/${segment}/${keyType}`)
}

/**
 * Where the account (key and account URL) registered with the CA at `directoryUrl` lives. The URL
 * is hashed (SHA-256, hex): a URL never becomes part of a path.
 *
 * @example
 * ```ts
 * accountKey('https://acme-v02.api.letsencrypt.org/directory')
 * // 'v1/accounts/<64 hex digits>'
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.3
 */
export function accountKey(directoryUrl: string): string {
  let url: URL
  try {
    url = new URL(directoryUrl)
  } catch (cause) {
    throw new CacheError(
      'ERR_CACHE_INVALID_KEY',
      'invalid ACME directory URL: pass an absolute URL such as https://acme.example/directory',
      { cause },
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid('ACME directory URL', directoryUrl, 'use an https URL')
  }
  return `${LAYOUT_VERSION}/accounts/${sha256Hex(url.href)}`
}

/**
 * Where the answer to a pending challenge lives, so that any replica sharing the cache can answer
 * the CA. An http-01 answer is looked up by name and token (the token, base64url, is hashed to
 * keep keys lowercase and short); a tls-alpn-01 answer by name alone, since the TLS ClientHello
 * carries no token. Wildcards never appear here: a wildcard's authorization is for its base name.
 *
 * @example
 * ```ts
 * challengeKey('http-01', 'example.com', token) // 'v1/challenges/http-01/example.com/<hash>'
 * challengeKey('tls-alpn-01', 'example.com') // 'v1/challenges/tls-alpn-01/example.com'
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-8.3
 * @see https://www.rfc-editor.org/rfc/rfc8737#section-3
 */
export function challengeKey(kind: ChallengeKind, name: string, token?: string): string {
  if (!CHALLENGE_KINDS.includes(kind)) {
    throw invalid('challenge kind', kind, 'use "http-01", "tls-alpn-01" or "dns-01"')
  }
  const segment = nameSegment(name, false)
  if (token === undefined) {
    if (kind === 'http-01') throw invalid('token', token, 'http-01 answers are stored per token')
    return checked(`${LAYOUT_VERSION}/challenges/${kind}/${segment}`)
  }
  if (typeof token !== 'string' || !TOKEN.test(token)) {
    throw invalid('challenge token', token, 'pass the base64url token from the challenge object')
  }
  return checked(`${LAYOUT_VERSION}/challenges/${kind}/${segment}/${sha256Hex(token)}`)
}

/**
 * The lock name that guards writes to `key` (a key built by this layout): `v1/locks/…` followed
 * by the key's own path. Issuing or renewing a certificate holds `lockName(certificateKey(…))`;
 * registering an account holds `lockName(accountKey(…))`.
 *
 * @example
 * ```ts
 * const lease = await store.lock(lockName(certificateKey('example.com', 'ec-p256')), {
 *   ttlMs: 60_000,
 * })
 * ```
 */
export function lockName(key: string): string {
  const prefix = `${LAYOUT_VERSION}/`
  if (!isValidKey(key) || !key.startsWith(prefix) || key.startsWith(`${prefix}locks/`)) {
    throw invalid(
      'key to lock',
      key,
      'pass a key built by certificateKey(), accountKey() or challengeKey()',
    )
  }
  return checked(`${prefix}locks/${key.slice(prefix.length)}`)
}
