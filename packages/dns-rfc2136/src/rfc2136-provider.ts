import { randomInt } from 'node:crypto'
import {
  DnsError,
  type DnsProvider,
  decodeMessage,
  encodeMessage,
  exchange,
  type MessageInput,
  OPCODE,
  parseServerAddress,
  RR_CLASS,
  RR_TYPE,
  rcodeName,
  type TxtRecord,
  txtRdata,
} from '@autotls/dns/provider'
import { signMessage, type TsigKey, tsigErrorName, verifyResponse } from './tsig.js'

/** Where and how {@link rfc2136Provider} sends updates. */
export interface Rfc2136ProviderOptions {
  /** The primary server of the zones (IP[:port], port 53 by default). */
  server: string
  /** Sign every update with this key (strongly recommended: servers refuse unsigned updates). */
  tsig?: TsigKey
  /** How long one update may wait for the server. Default 5 s. */
  timeoutMs?: number
  /** Send over TCP from the start (default: UDP, and TCP when the answer is truncated). */
  tcp?: boolean
  /** Clock for TSIG's time signed, in milliseconds. Default `Date.now`. */
  now?: () => number
}

/**
 * A {@link DnsProvider} that changes zones by RFC 2136 dynamic update, signed with TSIG
 * (HMAC-SHA256). An add appends the record to the RRset (RFC 2136 §2.5.1); a delete removes
 * exactly that name/type/value with class NONE (§2.5.4), so other values at the name stay. Each
 * call is one UPDATE message, applied by the server atomically: concurrent calls are safe.
 *
 * @example
 * const provider = rfc2136Provider({
 *   server: '192.0.2.53',
 *   tsig: { name: 'acme-update', secret: process.env.TSIG_SECRET ?? '' },
 * })
 * @see https://www.rfc-editor.org/rfc/rfc2136
 * @see https://www.rfc-editor.org/rfc/rfc8945
 */
export function rfc2136Provider(options: Rfc2136ProviderOptions): DnsProvider {
  const server = parseServerAddress(options.server)
  const now = options.now ?? Date.now
  if (options.tsig) {
    if (options.tsig.algorithm !== undefined && options.tsig.algorithm !== 'hmac-sha256') {
      throw new DnsError('ERR_DNS_INVALID_ARGUMENT', 'tsig.algorithm must be hmac-sha256')
    }
    if (!/^[A-Za-z0-9+/]+=*$/.test(options.tsig.secret)) {
      throw new DnsError('ERR_DNS_INVALID_ARGUMENT', 'tsig.secret must be the base64 key secret')
    }
  }

  const update = async (
    what: 'add' | 'delete',
    zone: string,
    records: readonly TxtRecord[],
    signal: AbortSignal,
  ): Promise<void> => {
    if (records.length === 0) return
    const names = records.map((r) => r.name).join(', ')
    const id = randomInt(0x10000)
    const input: MessageInput = {
      id,
      opcode: OPCODE.UPDATE,
      questions: [{ name: zone, type: RR_TYPE.SOA, class: RR_CLASS.IN }],
      authorities: records.map((record) => ({
        name: record.name,
        type: RR_TYPE.TXT,
        class: what === 'add' ? RR_CLASS.IN : RR_CLASS.NONE,
        ttl: what === 'add' ? record.ttl : 0,
        rdata: txtRdata(record.value),
      })),
    }
    const nowSeconds = (): number => Math.floor(now() / 1000)
    const signed = options.tsig ? signMessage(input, options.tsig, nowSeconds()) : undefined
    const wire = await exchange(server, signed?.wire ?? encodeMessage(input), {
      signal,
      timeoutMs: options.timeoutMs ?? 5000,
      ...(options.tcp ? { tcp: true } : {}),
    }).catch((error: unknown) => {
      throw new DnsError(
        (error as DnsError).code ?? 'ERR_DNS_NETWORK',
        `UPDATE (${what} TXT ${names}) to ${server.label}: ${(error as Error).message}`,
        { record: records[0]?.name, server: server.label, cause: error },
      )
    })
    const response = decodeMessage(wire)
    if (!response.response || response.id !== id || response.opcode !== OPCODE.UPDATE) {
      throw new DnsError(
        'ERR_DNS_MALFORMED_RESPONSE',
        `${server.label} answered the UPDATE for ${names} with another message`,
        { record: records[0]?.name, server: server.label },
      )
    }
    const tsig =
      options.tsig && signed
        ? verifyResponse(wire, response, signed.mac, options.tsig, nowSeconds(), server.label)
        : null
    if (response.rcode !== 0 || (tsig && tsig.error !== 0)) {
      const rcode = `${rcodeName(response.rcode)}${tsig?.error ? ` (TSIG ${tsigErrorName(tsig.error)})` : ''}`
      const hint = tsig?.error
        ? 'check the TSIG key name and secret, and that the clocks agree'
        : response.rcode === 5
          ? 'check the server allows this key to update TXT records in the zone'
          : response.rcode === 9 || response.rcode === 10
            ? `check that ${server.label} is the primary of zone ${zone}`
            : 'see the server log'
      throw new DnsError(
        'ERR_DNS_UPDATE_REJECTED',
        `${server.label} refused the UPDATE (${what} TXT ${names} in zone ${zone}) with ${rcode}: ${hint}`,
        { record: records[0]?.name, server: server.label, rcode },
      )
    }
    if (options.tsig && !tsig) {
      throw new DnsError(
        'ERR_DNS_TSIG_INVALID',
        `${server.label} answered the signed UPDATE for ${names} without a TSIG signature`,
        { record: records[0]?.name, server: server.label },
      )
    }
  }

  return {
    addTxtRecords: (zone, records, { signal }) => update('add', zone, records, signal),
    deleteTxtRecords: (zone, records, { signal }) => update('delete', zone, records, signal),
  }
}
