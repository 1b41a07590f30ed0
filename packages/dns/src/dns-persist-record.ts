import type { TxtRecord } from './dns-provider.js'

/** What the persistent dns-persist-01 record says. */
export interface DnsPersistRecordOptions {
  /** The name it authorizes, e.g. `example.com` (a leading `*.` is dropped). */
  name: string
  /**
   * The CA's issuer domain name: one of the challenge's `issuer-domain-names`, which CAs also
   * list as the directory's `meta.caaIdentities` (e.g. `letsencrypt.org`).
   */
  issuerDomainName: string
  /** The ACME account the record authorizes (`AcmeClient.accountUrl`). */
  accountUri: string
  /** Authorize names under `name` too, wildcards included (`policy=wildcard`). */
  wildcard?: boolean
  /** After this moment the CA must no longer accept the record. */
  persistUntil?: Date
  /** TTL in seconds. Default 3600: the record stays. */
  ttl?: number
}

/**
 * The TXT record that authorizes an ACME account for a name once and for all
 * (dns-persist-01): publish it once with any provider, and every later order by that account is
 * validated without a DNS write.
 *
 * @example
 * const record = dnsPersistRecord({
 *   name: 'example.com', issuerDomainName: 'letsencrypt.org', accountUri: client.accountUrl, wildcard: true,
 * })
 * await provider.addTxtRecords('example.com', [record], { signal })
 * // _validation-persist.example.com TXT "letsencrypt.org; accounturi=https://…/acct/123; policy=wildcard"
 * @see https://datatracker.ietf.org/doc/draft-ietf-acme-dns-persist/
 */
export function dnsPersistRecord(options: DnsPersistRecordOptions): TxtRecord {
  const base = options.name.startsWith('*.') ? options.name.slice(2) : options.name
  const parts = [options.issuerDomainName, `accounturi=${options.accountUri}`]
  if (options.wildcard) parts.push('policy=wildcard')
  if (options.persistUntil) {
    parts.push(`persistUntil=${Math.floor(options.persistUntil.getTime() / 1000)}`)
  }
  return {
    name: `_validation-persist.${base.toLowerCase()}`,
    value: parts.join('; '),
    ttl: options.ttl ?? 3600,
  }
}
