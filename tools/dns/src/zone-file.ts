/** A test zone: its apex and any extra records (it has one name server, ns1 → 127.0.0.1). */
export interface ZoneSpec {
  /** Apex without the trailing dot, e.g. `example.test`. */
  readonly name: string
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
  return [
    '$TTL 1',
    `$ORIGIN ${zone.name}.`,
    `@ IN SOA ns1.${zone.name}. hostmaster.${zone.name}. 1 ${zone.refresh ?? 3600} 1 600 1`,
    `@ IN NS ns1.${zone.name}.`,
    'ns1 IN A 127.0.0.1',
    '@ IN A 127.0.0.1',
    '* IN A 127.0.0.1',
    ...(zone.records ?? []),
    '',
  ].join('\n')
}
