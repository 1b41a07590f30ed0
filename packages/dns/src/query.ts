import { randomInt } from 'node:crypto'
import {
  type DnsMessage,
  decodeMessage,
  encodeMessage,
  OPCODE,
  RR_CLASS,
  rcodeName,
} from './dns-message.js'
import { DnsError } from './errors.js'
import { exchange } from './exchange.js'
import type { ServerAddress } from './server-address.js'

/** How {@link query} asks. */
export interface QueryOptions {
  readonly signal: AbortSignal
  /** Ask a resolver to recurse (true) or an authoritative server for its own data (false). */
  readonly recursionDesired: boolean
  readonly timeoutMs?: number
}

/**
 * Asks `server` one question and resolves its answer when the response code is NOERROR or
 * NXDOMAIN; any other code is `ERR_DNS_QUERY_FAILED` naming the server and the code.
 */
export async function query(
  server: ServerAddress,
  name: string,
  type: number,
  options: QueryOptions,
): Promise<DnsMessage> {
  const id = randomInt(0x10000)
  const request = encodeMessage({
    id,
    opcode: OPCODE.QUERY,
    recursionDesired: options.recursionDesired,
    questions: [{ name, type, class: RR_CLASS.IN }],
  })
  const response = decodeMessage(
    await exchange(server, request, {
      signal: options.signal,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    }),
  )
  if (!response.response || response.id !== id) {
    throw new DnsError('ERR_DNS_MALFORMED_RESPONSE', `${server.label} answered another question`, {
      server: server.label,
      record: name,
    })
  }
  if (response.rcode !== 0 && response.rcode !== 3) {
    const rcode = rcodeName(response.rcode)
    throw new DnsError('ERR_DNS_QUERY_FAILED', `${server.label} answered ${rcode} for ${name}`, {
      server: server.label,
      record: name,
      rcode,
    })
  }
  return response
}

/** Asks each resolver in turn until one answers; throws the last failure when none does. */
export async function queryAny(
  resolvers: readonly ServerAddress[],
  name: string,
  type: number,
  options: { signal: AbortSignal; timeoutMs?: number },
): Promise<DnsMessage> {
  let last: unknown
  for (const resolver of resolvers) {
    try {
      return await query(resolver, name, type, { ...options, recursionDesired: true })
    } catch (error) {
      if (options.signal.aborted) throw error
      last = error
    }
  }
  throw last ?? new DnsError('ERR_DNS_INVALID_ARGUMENT', 'no resolvers configured')
}

/** Case-insensitive equality of two names, trailing dots ignored. */
export function sameName(a: string, b: string): boolean {
  return a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase()
}
