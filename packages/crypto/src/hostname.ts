import { domainToASCII, domainToUnicode } from 'node:url'
import { CryptoError } from './errors.js'
import { formatIpAddress, parseIpAddress } from './ip-address.js'

const MAX_NAME = 253
const MAX_LABEL = 63
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/
// A last label that a URL parser would read as a number turns the name into an IPv4 address.
const NUMERIC_LABEL = /^(?:[0-9]+|0x[0-9a-f]*)$/
// ASCII that can never be part of a host name. Non-ASCII goes through IDNA, which decides.
const FORBIDDEN_ASCII = /[\0-,/:-@[-`{-\x7f]/

// Invisible and control characters are shown escaped, so a message can neither hide them nor
// carry them into a log line.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/gu

function invalid(name: string, reason: string): CryptoError {
  const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name).replace(
    INVISIBLE,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
  return new CryptoError('ERR_CRYPTO_INVALID_NAME', `invalid host name ${shown}: ${reason}`)
}

function toAscii(name: string, original: string): string {
  const forbidden = FORBIDDEN_ASCII.exec(name)
  if (forbidden) {
    const char = forbidden[0]
    const shown = /[\x21-\x7e]/.test(char)
      ? `'${char}'`
      : `U+${char.charCodeAt(0).toString(16).padStart(4, '0')}`
    throw invalid(original, `${shown} is not allowed; use letters, digits, '-' and '.'`)
  }
  if (!/[^\0-\x7f]/.test(name) && !/(?:^|\.)xn--/i.test(name)) return name.toLowerCase()
  let ascii: string
  try {
    ascii = domainToASCII(name)
  } catch (cause) {
    throw new CryptoError('ERR_CRYPTO_INVALID_NAME', `invalid host name: IDNA conversion failed`, {
      cause,
    })
  }
  if (ascii === '' || ascii.split('.').some(isBadPunycode)) {
    throw invalid(original, 'not a valid internationalised name (IDNA)')
  }
  return ascii
}

/**
 * An `xn--` label must decode to Unicode and encode back to itself. Node 20's URL parser refuses
 * undecodable labels itself; Node 22+ (ada) passes them through unchanged, so check here.
 */
function isBadPunycode(label: string): boolean {
  if (!label.startsWith('xn--')) return false
  const unicode = domainToUnicode(label)
  return unicode === label || unicode === '' || domainToASCII(unicode) !== label
}

function checkLabels(ascii: string, original: string): void {
  if (ascii.length > MAX_NAME) throw invalid(original, `longer than ${MAX_NAME} characters`)
  const labels = ascii.split('.')
  for (const label of labels) {
    if (label === '') throw invalid(original, 'empty label (two dots in a row, or a leading dot)')
    if (label.length > MAX_LABEL) throw invalid(original, `a label is longer than ${MAX_LABEL}`)
    if (label === '*') throw invalid(original, "'*' is only allowed as the whole leftmost label")
    if (!LABEL.test(label)) {
      throw invalid(original, `label ${JSON.stringify(label)} must not start or end with '-'`)
    }
  }
  if (NUMERIC_LABEL.test(labels[labels.length - 1] ?? '')) {
    throw invalid(original, 'the last label is numeric, so it reads as an IP address, not a name')
  }
}

/**
 * Normalises a host name and decides whether it is valid — the one place in autotls that does.
 *
 * Steps: one trailing dot removed; an IP literal is recognised (v4, v6, `[v6]`) and returned in
 * canonical form when `allowIp` is set, refused otherwise; the rest is lowercased and converted
 * with IDNA (UTS #46) to its ASCII form (punycode), then checked: at most 253 characters, labels
 * of 1–63 characters from `[a-z0-9-]` that neither start nor end with `-`, no empty labels, a last
 * label that is not numeric. A wildcard is accepted only as the whole leftmost label (`*.`) and
 * only with `allowWildcard`. Single-label names such as `localhost` are valid (tests and private
 * CAs use them; a public CA will refuse them itself). Underscores are refused: CAs do not issue
 * for them.
 *
 * @example
 * ```ts
 * normalizeHostname('Bücher.Example.') // 'xn--bcher-kva.example'
 * normalizeHostname('*.example.com', { allowWildcard: true }) // '*.example.com'
 * normalizeHostname('[2001:DB8::0:1]', { allowIp: true }) // '2001:db8::1'
 * normalizeHostname('a..b') // throws CryptoError ERR_CRYPTO_INVALID_NAME
 * ```
 * @throws {CryptoError} `ERR_CRYPTO_INVALID_NAME`, with a message saying what is wrong.
 * @see https://www.rfc-editor.org/rfc/rfc5890#section-2.3.2.1
 * @see https://www.rfc-editor.org/rfc/rfc1123#section-2.1
 */
export function normalizeHostname(
  name: string,
  options: { allowWildcard?: boolean; allowIp?: boolean } = {},
): string {
  if (typeof name !== 'string') {
    throw new CryptoError(
      'ERR_CRYPTO_INVALID_NAME',
      `a host name must be a string, not ${typeof name}`,
    )
  }
  if (name.length > 4 * MAX_NAME) throw invalid(name, `longer than ${MAX_NAME} characters`)
  const ip = parseIpAddress(name)
  if (ip) {
    if (options.allowIp) return formatIpAddress(ip)
    throw invalid(name, 'an IP address is not allowed here; use a DNS name')
  }
  if (name === '') throw invalid(name, 'empty')
  let rest = name.endsWith('.') ? name.slice(0, -1) : name
  let prefix = ''
  if (rest.startsWith('*.')) {
    if (!options.allowWildcard) throw invalid(name, 'wildcards are not allowed here')
    prefix = '*.'
    rest = rest.slice(2)
  }
  if (rest === '') throw invalid(name, 'empty')
  const ascii = toAscii(rest, name)
  checkLabels(ascii, name)
  const result = prefix + ascii
  if (result.length > MAX_NAME) throw invalid(name, `longer than ${MAX_NAME} characters`)
  return result
}
