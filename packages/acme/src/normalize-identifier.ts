import { isIPv4, isIPv6 } from 'node:net'
import { AcmeError } from './errors.js'
import type { AcmeIdentifier } from './resources.js'

/**
 * The form a CA compares identifiers in: DNS names in lower case (RFC 8555 §7.1.4 — CAs
 * lowercase them), IPv6 addresses in RFC 5952 canonical text (lower case, longest zero run
 * compressed), which is how Boulder and Pebble echo them back in the order. Sending the canonical
 * form keeps the CA's order equal to the request instead of leaving a pending authorization behind
 * an order the client must then refuse.
 *
 * @example
 * normalizeIdentifier({ type: 'ip', value: '2001:DB8:0:0::1' }) // { type: 'ip', value: '2001:db8::1' }
 * @see https://www.rfc-editor.org/rfc/rfc8738#section-3
 */
export function normalizeIdentifier(identifier: AcmeIdentifier): AcmeIdentifier {
  if (identifier.type === 'dns') {
    return { type: 'dns', value: identifier.value.toLowerCase().replace(/\.$/, '') }
  }
  if (identifier.type !== 'ip') return identifier
  const value = identifier.value
  if (isIPv4(value)) return { type: 'ip', value }
  if (isIPv6(value)) {
    const mapped = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(value)
    const canonical = new URL(`http://[${value}]/`).hostname.slice(1, -1)
    // WHATWG prints an IPv4-mapped tail in hex; RFC 5952 §5 keeps it dotted.
    return {
      type: 'ip',
      value: mapped
        ? canonical.replace(/[0-9a-f]{1,4}:[0-9a-f]{1,4}$/, mapped[2] as string)
        : canonical,
    }
  }
  throw new AcmeError('ERR_ACME_INVALID_ARGUMENT', `"${value}" is not an IPv4 or IPv6 address`)
}
