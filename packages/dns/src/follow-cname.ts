import { RR_TYPE } from './dns-message.js'
import { DnsError } from './errors.js'
import { queryAny, sameName } from './query.js'
import type { ServerAddress } from './server-address.js'

const MAX_HOPS = 8

/**
 * Where the record for `name` really lives: follows CNAME records (a `_acme-challenge` name
 * delegated into another zone) until a name that is not an alias.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-8.4
 */
export async function followCname(
  name: string,
  resolvers: readonly ServerAddress[],
  options: { signal: AbortSignal; timeoutMs?: number },
): Promise<string> {
  let current = name
  const seen = new Set<string>([name.toLowerCase()])
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const response = await queryAny(resolvers, current, RR_TYPE.CNAME, options)
    const alias = response.answers.find(
      (rr) => rr.type === RR_TYPE.CNAME && sameName(rr.name, current),
    )
    if (!alias?.data) return current
    current = alias.data
    if (seen.has(current.toLowerCase())) break
    seen.add(current.toLowerCase())
  }
  throw new DnsError(
    'ERR_DNS_CNAME_LOOP',
    `${name} is a CNAME chain longer than ${MAX_HOPS} or a loop (${[...seen].join(' -> ')}); fix the CNAME records`,
    { record: name },
  )
}
