import {
  type DnsServer,
  newTsigKey,
  startBind,
  startKnot,
  type TsigKey,
  type ZoneSpec,
} from '@autotls/dns-servers'

/** The two RFC 2136 servers every provider test runs against. */
export const SERVERS: readonly {
  name: string
  start: (zones: readonly ZoneSpec[], tsigKey: TsigKey) => Promise<DnsServer>
}[] = [
  { name: 'BIND 9', start: (zones, tsigKey) => startBind({ zones, tsigKey }) },
  { name: 'Knot', start: (zones, tsigKey) => startKnot({ zones, tsigKey }) },
]

export { newTsigKey }
