import { RR_TYPE } from './dns-message.js'
import { DnsError } from './errors.js'
import { queryAny, sameName } from './query.js'
import type { ServerAddress } from './server-address.js'

/**
 * The apex of the zone that holds `name`, found by asking for SOA records from `name` up to the
 * root (an SOA in the answer is the apex itself; one in the authority section of a negative
 * answer names the enclosing zone).
 *
 * @see https://www.rfc-editor.org/rfc/rfc2308#section-3
 */
export async function findZone(
  name: string,
  resolvers: readonly ServerAddress[],
  options: { signal: AbortSignal; timeoutMs?: number },
): Promise<string> {
  const labels = name.replace(/\.$/, '').split('.')
  for (let i = 0; i < labels.length; i++) {
    const candidate = labels.slice(i).join('.')
    const response = await queryAny(resolvers, candidate, RR_TYPE.SOA, options)
    const own = response.answers.find(
      (rr) => rr.type === RR_TYPE.SOA && sameName(rr.name, candidate),
    )
    if (own) return candidate
    const enclosing = response.authorities.find(
      (rr) =>
        rr.type === RR_TYPE.SOA &&
        rr.name !== '' &&
        (sameName(rr.name, candidate) ||
          candidate.toLowerCase().endsWith(`.${rr.name.toLowerCase()}`)),
    )
    if (enclosing) return enclosing.name.toLowerCase()
  }
  throw new DnsError(
    'ERR_DNS_ZONE_NOT_FOUND',
    `no zone found for ${name}: no resolver returned an SOA record for it or any parent; check the resolvers option`,
    { record: name },
  )
}
