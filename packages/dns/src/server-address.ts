import { isIP } from 'node:net'
import { DnsError } from './errors.js'

/** A DNS server to talk to: an IP address and a port. */
export interface ServerAddress {
  readonly host: string
  readonly port: number
  /** `host:port` (`[v6]:port`), as errors name it. */
  readonly label: string
}

/**
 * Parses `192.0.2.1`, `192.0.2.1:5353`, `2001:db8::1` or `[2001:db8::1]:5353` (port 53 when
 * omitted). Servers are IP addresses, so that a lookup never depends on another lookup.
 *
 * @example
 * parseServerAddress('127.0.0.1:5353') // { host: '127.0.0.1', port: 5353, label: '127.0.0.1:5353' }
 */
export function parseServerAddress(text: string, defaultPort = 53): ServerAddress {
  let host = text
  let port = defaultPort
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text)
  if (bracketed) {
    host = bracketed[1] ?? ''
    if (bracketed[2] !== undefined) port = Number(bracketed[2])
  } else if (isIP(text) === 0) {
    const colon = text.lastIndexOf(':')
    if (colon > 0) {
      host = text.slice(0, colon)
      port = Number(text.slice(colon + 1))
    }
  }
  if (isIP(host) === 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DnsError(
      'ERR_DNS_INVALID_ARGUMENT',
      `invalid DNS server ${JSON.stringify(text)}: give an IP address with an optional port, e.g. 192.0.2.53:53`,
    )
  }
  return { host, port, label: isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}` }
}
