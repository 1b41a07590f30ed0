/** A test zone: its apex, its name servers and any extra records. */
export interface ZoneSpec {
  /** Apex without the trailing dot, e.g. `example.test`. */
  readonly name: string
  /**
   * Name-server addresses published as `ns1`, `ns2`, … A records with NS records at the apex.
   * Default `['127.0.0.1']`.
   */
  readonly nameservers?: readonly string[]
  /** Extra records in zone-file syntax, e.g. `_acme-challenge CNAME _acme-challenge.other.test.`. */
  readonly records?: readonly string[]
  /** SOA refresh in seconds: how often a secondary asks the primary for changes. Default 3600. */
  readonly refresh?: number
}

/**
 * The zone file of `zone`: SOA, NS, `@ A 127.0.0.1` and `* A 127.0.0.1` (Pebble resolves every
 * name through the test server), TTL 1 second everywhere so resolvers do not keep old answers.
 */
export function zoneFile(zone: ZoneSpec): string {
  const nameservers = zone.nameservers ?? ['127.0.0.1']
  return [
    '$TTL 1',
    `$ORIGIN ${zone.name}.`,
    `@ IN SOA ns1.${zone.name}. hostmaster.${zone.name}. 1 ${zone.refresh ?? 3600} 1 600 1`,
    ...nameservers.map((_, i) => `@ IN NS ns${i + 1}.${zone.name}.`),
    ...nameservers.map((address, i) => `ns${i + 1} IN A ${address}`),
    '@ IN A 127.0.0.1',
    '* IN A 127.0.0.1',
    ...(zone.records ?? []),
    '',
  ].join('\n')
}
