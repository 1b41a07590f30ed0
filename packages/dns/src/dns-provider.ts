/** One TXT record: `name` is absolute, without the trailing dot (`_acme-challenge.example.com`). */
export interface TxtRecord {
  readonly name: string
  /** The text; providers split values longer than 255 bytes into several strings. */
  readonly value: string
  /** Time to live in seconds. */
  readonly ttl: number
}

/** What every provider call receives besides its records. */
export interface ProviderCallOptions {
  readonly signal: AbortSignal
}

/**
 * Writes TXT records into a zone it serves. The DNS-01 solver owns everything else (which zone,
 * CNAME delegation, propagation). Both methods must be safe to call concurrently, also for the
 * same name: the apex and its wildcard publish two values at one `_acme-challenge` name.
 *
 * - `addTxtRecords` appends: records already at that name (other values) stay. Adding a record
 *   that exists already is not an error.
 * - `deleteTxtRecords` removes exactly the given name/value pairs; other values at the name stay;
 *   a record that is absent is not an error.
 *
 * Both throw `DnsError` (from `@autotls/dns`) naming the record and the server.
 *
 * @example
 * const provider: DnsProvider = {
 *   async addTxtRecords(zone, records, { signal }) { await api.append(zone, records, signal) },
 *   async deleteTxtRecords(zone, records, { signal }) { await api.remove(zone, records, signal) },
 * }
 */
export interface DnsProvider {
  /** `zone` is the zone apex without the trailing dot (`example.com`). */
  addTxtRecords(
    zone: string,
    records: readonly TxtRecord[],
    options: ProviderCallOptions,
  ): Promise<void>
  deleteTxtRecords(
    zone: string,
    records: readonly TxtRecord[],
    options: ProviderCallOptions,
  ): Promise<void>
}
