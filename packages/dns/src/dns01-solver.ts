import { getServers } from 'node:dns'
import {
  type ChallengeArgs,
  type ChallengeSolver,
  dns01RecordName,
  dns01TxtValue,
} from '@autotls/acme'
import type { DnsProvider, TxtRecord } from './dns-provider.js'
import { asDnsError, DnsError } from './errors.js'
import { findZone } from './find-zone.js'
import { followCname } from './follow-cname.js'
import { parseServerAddress } from './server-address.js'
import { timeoutSignal } from './timeout-signal.js'
import { waitForTxt } from './wait-for-txt.js'
import { zoneNameservers } from './zone-nameservers.js'

/** Where and how the DNS-01 solver publishes and checks records. */
export interface Dns01SolverOptions {
  /** Writes the TXT records. */
  provider: DnsProvider
  /**
   * Recursive resolvers (IP[:port]) used to follow CNAMEs and find zones and their name servers.
   * Default: the system's (`dns.getServers()`).
   */
  resolvers?: readonly string[]
  /**
   * Servers (IP[:port]) that must all answer the record before the CA is told to look: the
   * zone's authoritative servers, or recursive resolvers (asked with recursion desired, they
   * answer what the CA would see). Default: the zone's authoritative servers, from its NS
   * records, at `nameserverPort`, asked without recursion.
   */
  nameservers?: readonly string[]
  /** Port of the authoritative servers found through NS records. Default 53. */
  nameserverPort?: number
  /**
   * Where the record for a name goes, skipping the CNAME lookup: return a name such as
   * `example.com.acme.example.net` for `_acme-challenge.example.com`, or undefined to look it up.
   * Its zone is still found by SOA walk.
   */
  challengeName?: (recordName: string) => string | undefined
  /** TTL of the TXT records, in seconds. Default 60. */
  ttl?: number
  /** How often to ask the servers whether they answer the record yet. Default 2 s. */
  propagationIntervalMs?: number
  /** How long to wait for every server to answer it. Default 2 minutes. */
  propagationTimeoutMs?: number
  /** Timeout of one DNS query. Default 2 s. */
  queryTimeoutMs?: number
  /** Clock of the propagation deadline. Default `Date.now`. */
  now?: () => number
}

interface Published {
  readonly zone: string
  readonly record: TxtRecord
}

const CLEANUP_TIMEOUT_MS = 10_000

/**
 * A dns-01 {@link ChallengeSolver}: for `_acme-challenge.<name>` it follows a CNAME (or asks
 * `challengeName`), finds the zone by SOA walk, appends the TXT record through the provider and
 * resolves once every authoritative server (or every server in `nameservers`) answers it. When
 * `present` fails or is aborted it deletes the record before it rejects; `cleanup` deletes it
 * after validation. Only the record added is deleted: other values at the name stay.
 *
 * @example
 * const solver = dns01Solver({
 *   provider: rfc2136Provider({ server: '192.0.2.53', tsig: { name: 'acme', secret } }),
 * })
 * await issueCertificate({ client, identifiers: ['*.example.com', 'example.com'], solvers: [solver] })
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-8.4
 */
export function dns01Solver(options: Dns01SolverOptions): ChallengeSolver {
  const resolvers = (options.resolvers ?? getServers()).map((s) => parseServerAddress(s))
  const nameservers = options.nameservers?.map((s) => parseServerAddress(s))
  const ttl = options.ttl ?? 60
  const intervalMs = options.propagationIntervalMs ?? 2000
  const timeoutMs = options.propagationTimeoutMs ?? 120_000
  const queryTimeoutMs = options.queryTimeoutMs ?? 2000
  const nameserverPort = options.nameserverPort ?? 53
  const now = options.now ?? Date.now
  for (const [key, value] of Object.entries({ ttl, intervalMs, timeoutMs, queryTimeoutMs })) {
    if (!Number.isInteger(value) || value < 0) {
      throw new DnsError('ERR_DNS_INVALID_ARGUMENT', `${key} must be a non-negative integer`)
    }
  }
  if (resolvers.length === 0) {
    throw new DnsError(
      'ERR_DNS_INVALID_ARGUMENT',
      'no resolvers: pass resolvers (IP[:port] of a recursive resolver)',
    )
  }
  const published = new Map<string, Published>()

  const withdraw = async (entry: Published): Promise<void> => {
    const deadline = timeoutSignal(undefined, CLEANUP_TIMEOUT_MS)
    try {
      await options.provider.deleteTxtRecords(entry.zone, [entry.record], {
        signal: deadline.signal,
      })
    } finally {
      deadline.dispose()
    }
  }

  return {
    type: 'dns-01',
    async present(args: ChallengeArgs): Promise<void> {
      const { signal } = args
      const call = { signal, timeoutMs: queryTimeoutMs }
      const recordName = dns01RecordName(args.identifier.value)
      let entry: Published | undefined
      try {
        const target =
          options.challengeName?.(recordName) ?? (await followCname(recordName, resolvers, call))
        const zone = await findZone(target, resolvers, call)
        const record: TxtRecord = {
          name: target.toLowerCase(),
          value: await dns01TxtValue(args.keyAuthorization),
          ttl,
        }
        signal.throwIfAborted()
        entry = { zone, record }
        await options.provider.addTxtRecords(zone, [record], { signal })
        const servers =
          nameservers ?? (await zoneNameservers(zone, resolvers, { ...call, port: nameserverPort }))
        await waitForTxt(record.name, record.value, servers, {
          signal,
          recursionDesired: nameservers !== undefined,
          intervalMs,
          timeoutMs,
          queryTimeoutMs,
          now,
        })
        published.set(args.token, entry)
      } catch (error) {
        if (entry) await withdraw(entry).catch(() => {})
        if (signal.aborted) {
          throw new DnsError('ERR_DNS_ABORTED', `aborted while publishing TXT ${recordName}`, {
            record: entry?.record.name ?? recordName,
            cause: signal.reason,
          })
        }
        throw asDnsError(error, 'ERR_DNS_PROVIDER_FAILED', `publishing TXT ${recordName} failed`, {
          record: entry?.record.name ?? recordName,
        })
      }
    },
    async cleanup(args: ChallengeArgs): Promise<void> {
      const entry = published.get(args.token)
      if (!entry) return
      published.delete(args.token)
      try {
        await options.provider.deleteTxtRecords(entry.zone, [entry.record], {
          signal: args.signal,
        })
      } catch (error) {
        throw asDnsError(
          error,
          'ERR_DNS_PROVIDER_FAILED',
          `deleting TXT ${entry.record.name} failed`,
          {
            record: entry.record.name,
          },
        )
      }
    },
  }
}
