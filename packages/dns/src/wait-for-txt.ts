import { RR_TYPE, rcodeName } from './dns-message.js'
import { DnsError } from './errors.js'
import { query, sameName } from './query.js'
import type { ServerAddress } from './server-address.js'

/** How long and how often {@link waitForTxt} asks. */
export interface WaitForTxtOptions {
  readonly signal: AbortSignal
  readonly intervalMs: number
  readonly timeoutMs: number
  readonly queryTimeoutMs?: number
  readonly now: () => number
  /** Ask for recursion: true when `servers` may be resolvers rather than authoritative servers. */
  readonly recursionDesired: boolean
}

/**
 * Resolves once every one of `servers` answers the TXT record `name` with `value`; polls every
 * `intervalMs`. After `timeoutMs` it
 * fails (at most one query timeout later) with `ERR_DNS_PROPAGATION_TIMEOUT` naming the record and the first server that never
 * answered it, with what each such server last said.
 */
export async function waitForTxt(
  name: string,
  value: string,
  servers: readonly ServerAddress[],
  options: WaitForTxtOptions,
): Promise<void> {
  const deadline = options.now() + options.timeoutMs
  const pending = new Map<string, { server: ServerAddress; last: string }>(
    servers.map((server) => [server.label, { server, last: 'not asked yet' }]),
  )
  for (;;) {
    await Promise.all(
      [...pending.values()].map(async (entry) => {
        try {
          const response = await query(entry.server, name, RR_TYPE.TXT, {
            signal: options.signal,
            recursionDesired: options.recursionDesired,
            ...(options.queryTimeoutMs === undefined ? {} : { timeoutMs: options.queryTimeoutMs }),
          })
          const values = response.answers
            .filter((rr) => rr.type === RR_TYPE.TXT && sameName(rr.name, name))
            .map((rr) => rr.data)
          if (values.includes(value)) pending.delete(entry.server.label)
          else
            entry.last =
              response.rcode === 0
                ? `answered ${values.length} other TXT value(s)`
                : `answered ${rcodeName(response.rcode)}`
        } catch (error) {
          if (options.signal.aborted) throw error
          entry.last = (error as Error).message
        }
      }),
    )
    if (pending.size === 0) return
    const remaining = deadline - options.now()
    if (remaining <= 0) {
      const [first] = pending.values()
      const detail = [...pending.values()].map((e) => `${e.server.label}: ${e.last}`).join('; ')
      throw new DnsError(
        'ERR_DNS_PROPAGATION_TIMEOUT',
        `TXT ${name} was not visible on ${first?.server.label} after ${options.timeoutMs} ms (${detail}); raise propagationTimeoutMs or check that the server gets the zone's updates`,
        { record: name, ...(first ? { server: first.server.label } : {}) },
      )
    }
    await sleep(Math.min(options.intervalMs, remaining), options.signal)
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
