import { RR_TYPE } from './dns-message.js'
import { DnsError } from './errors.js'
import { queryAny, sameName } from './query.js'
import { parseServerAddress, type ServerAddress } from './server-address.js'

/**
 * The addresses of the authoritative servers of `zone`: its NS records, each resolved to its A
 * and AAAA addresses, at `port`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc1035#section-3.3.11
 */
export async function zoneNameservers(
  zone: string,
  resolvers: readonly ServerAddress[],
  options: { signal: AbortSignal; timeoutMs?: number; port: number },
): Promise<ServerAddress[]> {
  const ns = await queryAny(resolvers, zone, RR_TYPE.NS, options)
  const hosts = ns.answers
    .filter((rr) => rr.type === RR_TYPE.NS && sameName(rr.name, zone) && rr.data)
    .map((rr) => rr.data as string)
  const addresses = new Map<string, ServerAddress>()
  for (const host of hosts) {
    for (const type of [RR_TYPE.A, RR_TYPE.AAAA]) {
      const response = await queryAny(resolvers, host, type, options)
      for (const rr of response.answers) {
        if (rr.type !== type || !rr.data) continue
        const address = parseServerAddress(
          type === RR_TYPE.AAAA ? `[${rr.data}]:${options.port}` : `${rr.data}:${options.port}`,
        )
        addresses.set(address.label, address)
      }
    }
  }
  if (addresses.size === 0) {
    throw new DnsError(
      'ERR_DNS_ZONE_NOT_FOUND',
      `no address found for the name servers of ${zone} (${hosts.join(', ') || 'no NS records'}); set the nameservers option`,
      { record: zone },
    )
  }
  return [...addresses.values()]
}
