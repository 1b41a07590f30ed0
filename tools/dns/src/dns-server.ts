/** A DNS server a test started; it dies with the test process. */
export interface DnsServer {
  /** Loopback address it listens on (UDP and TCP). */
  readonly host: string
  readonly port: number
  /** `host:port`, as the DNS-01 solver and providers take it. */
  readonly address: string
  /** The zone's records (see {@link zoneRecords}). */
  zoneRecords(zone: string): Promise<string[]>
  /** Everything the server printed. */
  logs(): string
  /** Stops it and removes its files. Safe to call twice. */
  stop(): Promise<void>
}
