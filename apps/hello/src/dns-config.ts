import { getServers } from 'node:dns'
import { readFileSync } from 'node:fs'
import { dns01Solver } from '@autotls/dns'
import { parseServerAddress } from '@autotls/dns/provider'
import { powerDnsProvider } from '@autotls/dns-powerdns'
import { parseTsigKey, rfc2136Provider, type TsigKey } from '@autotls/dns-rfc2136'
import type { ManagerOptions } from '@autotls/manager'
import { HelloError } from './hello-error.js'

/** Where DNS-01 records are written: an RFC 2136 primary with a TSIG key, or a PowerDNS API. */
export type DnsProviderConfig =
  | { readonly kind: 'rfc2136'; readonly server: string; readonly tsig: TsigKey }
  | { readonly kind: 'powerdns'; readonly apiUrl: string; readonly apiKey: string }

/** DNS-01 as configured by the `DNS_*` variables. Holds key material: never log it. */
export interface DnsConfig {
  readonly provider: DnsProviderConfig
  /** Recursive resolvers (IP[:port]) for CNAME and zone lookups; undefined: the system's. */
  readonly resolvers: readonly string[] | undefined
  /** Servers that must answer the record before the CA looks; undefined: the zone's NS. */
  readonly nameservers: readonly string[] | undefined
  readonly propagationTimeoutMs: number
  readonly propagationIntervalMs: number
}

const PROVIDERS = ['rfc2136', 'powerdns'] as const

/**
 * Reads the `DNS_*` variables (through `value`, which returns a trimmed non-empty value or
 * undefined) and the key file they name. Undefined when `DNS_PROVIDER` is unset: no DNS-01.
 * Throws a {@link HelloError} `ERR_HELLO_CONFIG` whose message names the variable to fix; the
 * message never contains key material.
 *
 * @example
 * loadDnsConfig((name) => process.env[name]?.trim() || undefined)
 */
export function loadDnsConfig(value: (name: string) => string | undefined): DnsConfig | undefined {
  const kind = value('DNS_PROVIDER')
  if (kind === undefined) {
    for (const name of ['DNS_SERVER', 'DNS_TSIG_KEY_FILE', 'DNS_API_URL', 'DNS_API_KEY_FILE']) {
      if (value(name) !== undefined) {
        throw new HelloError(
          'ERR_HELLO_CONFIG',
          `${name} is set but DNS_PROVIDER is not: set DNS_PROVIDER to ${PROVIDERS.join(' or ')}`,
        )
      }
    }
    return undefined
  }
  let provider: DnsProviderConfig
  if (kind === 'rfc2136') {
    const server = required(value, 'DNS_SERVER', 'the primary server of the zone, e.g. 192.0.2.53')
    serverAddress('DNS_SERVER', server)
    const keyFile = required(value, 'DNS_TSIG_KEY_FILE', 'a file written by tsig-keygen or keymgr')
    let tsig: TsigKey
    try {
      tsig = parseTsigKey(readKeyFile('DNS_TSIG_KEY_FILE', keyFile))
    } catch (error) {
      if (error instanceof HelloError) throw error
      throw new HelloError(
        'ERR_HELLO_CONFIG',
        `DNS_TSIG_KEY_FILE ${keyFile} holds no usable TSIG key: write it with tsig-keygen -a hmac-sha256 <name> (or keymgr -t <name>)`,
        { cause: error },
      )
    }
    provider = { kind, server, tsig }
  } else if (kind === 'powerdns') {
    const apiUrl = required(value, 'DNS_API_URL', 'the PowerDNS API, e.g. http://127.0.0.1:8081')
    if (!/^https?:\/\/[^/]/.test(apiUrl) || !URL.canParse(apiUrl)) {
      throw new HelloError(
        'ERR_HELLO_CONFIG',
        `DNS_API_URL must be an http or https URL, e.g. http://127.0.0.1:8081, not "${apiUrl}"`,
      )
    }
    const keyFile = required(value, 'DNS_API_KEY_FILE', "a file holding the server's api-key")
    const apiKey = readKeyFile('DNS_API_KEY_FILE', keyFile).trim()
    if (apiKey === '' || /\s/.test(apiKey)) {
      throw new HelloError(
        'ERR_HELLO_CONFIG',
        `DNS_API_KEY_FILE ${keyFile} must hold the PowerDNS api-key alone, on one line`,
      )
    }
    provider = { kind, apiUrl, apiKey }
  } else {
    throw new HelloError(
      'ERR_HELLO_CONFIG',
      `DNS_PROVIDER must be ${PROVIDERS.join(' or ')} (or unset for no DNS-01), not "${kind}"`,
    )
  }
  const resolvers = serverList(value, 'DNS_RESOLVERS')
  if (resolvers === undefined && getServers().length === 0) {
    throw new HelloError(
      'ERR_HELLO_CONFIG',
      'this system names no DNS resolver (/etc/resolv.conf): set DNS_RESOLVERS to a recursive resolver, e.g. 1.1.1.1',
    )
  }
  return {
    provider,
    resolvers,
    nameservers: serverList(value, 'DNS_NAMESERVERS'),
    propagationTimeoutMs: seconds(value, 'DNS_PROPAGATION_TIMEOUT', 120, 3600),
    propagationIntervalMs: seconds(value, 'DNS_PROPAGATION_INTERVAL', 2, 60),
  }
}

/**
 * The manager's `dns` option for a {@link DnsConfig}: a dns-01 solver over its provider.
 *
 * @example
 * createManager({ hosts: ['*.example.com'], dns: dnsSolver(config.dns) })
 */
export function dnsSolver(config: DnsConfig): NonNullable<ManagerOptions['dns']> {
  const provider =
    config.provider.kind === 'rfc2136'
      ? rfc2136Provider({ server: config.provider.server, tsig: config.provider.tsig })
      : powerDnsProvider({ apiUrl: config.provider.apiUrl, apiKey: config.provider.apiKey })
  return dns01Solver({
    provider,
    ...(config.resolvers ? { resolvers: config.resolvers } : {}),
    ...(config.nameservers ? { nameservers: config.nameservers } : {}),
    propagationTimeoutMs: config.propagationTimeoutMs,
    propagationIntervalMs: config.propagationIntervalMs,
  })
}

function required(value: (name: string) => string | undefined, name: string, what: string): string {
  const text = value(name)
  if (text === undefined) {
    throw new HelloError(
      'ERR_HELLO_CONFIG',
      `DNS_PROVIDER=${value('DNS_PROVIDER')} needs ${name}: set it to ${what}`,
    )
  }
  return text
}

function serverAddress(name: string, text: string): void {
  try {
    parseServerAddress(text)
  } catch (error) {
    throw new HelloError(
      'ERR_HELLO_CONFIG',
      `${name} must list IP addresses with an optional port, e.g. 192.0.2.53 or 127.0.0.1:5353, not "${text}"`,
      { cause: error },
    )
  }
}

function serverList(
  value: (name: string) => string | undefined,
  name: string,
): readonly string[] | undefined {
  const text = value(name)
  if (text === undefined) return undefined
  const servers = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (servers.length === 0) return undefined
  for (const server of servers) serverAddress(name, server)
  return servers
}

function seconds(
  value: (name: string) => string | undefined,
  name: string,
  fallback: number,
  max: number,
): number {
  const text = value(name)
  const n = text === undefined ? fallback : Number(text)
  if (!Number.isFinite(n) || n <= 0 || n > max) {
    throw new HelloError(
      'ERR_HELLO_CONFIG',
      `${name} must be a number of seconds above 0 and at most ${max}, e.g. ${fallback}, not "${text}"`,
    )
  }
  return Math.max(1, Math.round(n * 1000))
}

function readKeyFile(name: string, file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new HelloError(
      'ERR_HELLO_CONFIG',
      `${name} ${file} cannot be read (${code}): point ${name} at a file this process can read`,
      { cause: error },
    )
  }
}
