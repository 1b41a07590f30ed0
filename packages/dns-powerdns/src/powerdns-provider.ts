import {
  asDnsError,
  DnsError,
  type DnsProvider,
  type TxtRecord,
  timeoutSignal,
} from '@autotls/dns/provider'

/** The fetch this provider needs (Node's global `fetch` by default). */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

/** Where and how {@link powerDnsProvider} reaches the PowerDNS API. */
export interface PowerDnsProviderOptions {
  /** Base URL of the API, e.g. `http://127.0.0.1:8081` (the server's `webserver-address:port`). */
  apiUrl: string
  /** The server's `api-key`. */
  apiKey: string
  /** Server id in the API path. Default `localhost`. */
  serverId?: string
  /** How long one API request may take. Default 10 s. */
  timeoutMs?: number
  fetch?: FetchLike
}

interface RrSet {
  readonly name: string
  readonly type: string
  readonly ttl: number
  readonly records: readonly { readonly content: string; readonly disabled?: boolean }[]
}

/**
 * A {@link DnsProvider} for the PowerDNS Authoritative Server's HTTP API. PowerDNS 4.x can only
 * replace a whole RRset, so each call reads the TXT RRset and writes it back with the values
 * added or removed; calls on one provider are serialised per zone, so concurrent calls in one
 * process never lose each other's values. Several processes writing the same name at the same
 * moment can: give each process its own provider name space, or use RFC 2136 (PowerDNS supports
 * it with `dnsupdate=yes`) when that matters.
 *
 * @example
 * const provider = powerDnsProvider({ apiUrl: 'http://127.0.0.1:8081', apiKey: process.env.PDNS_API_KEY ?? '' })
 * @see https://doc.powerdns.com/authoritative/http-api/zone.html
 */
export function powerDnsProvider(options: PowerDnsProviderOptions): DnsProvider {
  const doFetch = options.fetch ?? ((url, init) => fetch(url, init))
  const base = `${options.apiUrl.replace(/\/+$/, '')}/api/v1/servers/${encodeURIComponent(options.serverId ?? 'localhost')}/zones/`
  const queues = new Map<string, Promise<unknown>>()

  const request = async (
    method: 'GET' | 'PATCH',
    zone: string,
    body: unknown,
    signal: AbortSignal,
    record: string,
  ): Promise<unknown> => {
    const url = `${base}${encodeURIComponent(`${zone}.`)}`
    let response: Response
    const deadline = timeoutSignal(signal, options.timeoutMs ?? 10_000)
    try {
      response = await doFetch(url, {
        method,
        headers: { 'X-API-Key': options.apiKey, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: deadline.signal,
      })
    } catch (error) {
      deadline.dispose()
      throw new DnsError(
        signal.aborted
          ? 'ERR_DNS_ABORTED'
          : deadline.timedOut()
            ? 'ERR_DNS_TIMEOUT'
            : 'ERR_DNS_NETWORK',
        `PowerDNS API ${method} ${url} failed: ${(error as Error).message}`,
        { record, server: options.apiUrl, cause: error },
      )
    }
    let text: string
    try {
      text = await response.text()
    } catch (error) {
      // A body cut short is no answer: never read it as "no records" (the caller rewrites the set).
      throw new DnsError(
        signal.aborted
          ? 'ERR_DNS_ABORTED'
          : deadline.timedOut()
            ? 'ERR_DNS_TIMEOUT'
            : 'ERR_DNS_NETWORK',
        `PowerDNS API ${method} ${url}: the answer broke off: ${(error as Error).message}`,
        { record, server: options.apiUrl, cause: error },
      )
    } finally {
      deadline.dispose()
    }
    if (!response.ok) {
      const detail = safeJson(text)?.error ?? text.slice(0, 200)
      const hint =
        response.status === 401
          ? 'check apiKey'
          : response.status === 404 || response.status === 422
            ? `check that PowerDNS serves zone ${zone}`
            : 'see the PowerDNS log'
      throw new DnsError(
        'ERR_DNS_PROVIDER_FAILED',
        `PowerDNS API ${method} zone ${zone} (TXT ${record}) answered ${response.status} ${detail}: ${hint}`,
        { record, server: options.apiUrl },
      )
    }
    return text === '' ? undefined : safeJson(text)
  }

  const change = (
    zone: string,
    records: readonly TxtRecord[],
    signal: AbortSignal,
    apply: (values: Set<string>, name: string) => void,
  ): Promise<void> => {
    const run = async (): Promise<void> => {
      const names = [...new Set(records.map((r) => r.name.toLowerCase()))]
      try {
        const current = (await request('GET', zone, undefined, signal, names.join(', '))) as {
          rrsets?: unknown
        }
        // The record set is rewritten whole: without the zone's current sets, refuse rather than
        // drop the values other processes put there.
        if (!Array.isArray(current?.rrsets)) {
          throw new DnsError(
            'ERR_DNS_PROVIDER_FAILED',
            `PowerDNS API GET zone ${zone} answered without an rrsets list; TXT ${names.join(', ')} left as it is`,
            { record: names.join(', '), server: options.apiUrl },
          )
        }
        const sets = current.rrsets as RrSet[]
        const rrsets = names.map((name) => {
          const existing = sets.find(
            (set) => set.type === 'TXT' && set.name.toLowerCase() === `${name}.`,
          )
          const values = new Set(existing?.records.map((r) => unquote(r.content)) ?? [])
          apply(values, name)
          const ttl = records.find((r) => r.name.toLowerCase() === name)?.ttl ?? existing?.ttl ?? 60
          return values.size === 0
            ? { name: `${name}.`, type: 'TXT', changetype: 'DELETE' }
            : {
                name: `${name}.`,
                type: 'TXT',
                ttl,
                changetype: 'REPLACE',
                records: [...values].map((value) => ({ content: quote(value), disabled: false })),
              }
        })
        await request('PATCH', zone, { rrsets }, signal, names.join(', '))
      } catch (error) {
        throw asDnsError(
          error,
          'ERR_DNS_PROVIDER_FAILED',
          `PowerDNS change of zone ${zone} failed`,
          {
            server: options.apiUrl,
            ...(names[0] ? { record: names[0] } : {}),
          },
        )
      }
    }
    const previous = queues.get(zone) ?? Promise.resolve()
    const next = previous.then(run, run)
    const settled = next.catch(() => {})
    queues.set(zone, settled)
    void settled.then(() => {
      if (queues.get(zone) === settled) queues.delete(zone)
    })
    return next
  }

  return {
    addTxtRecords: (zone, records, { signal }) =>
      change(zone, records, signal, (values, name) => {
        for (const r of records) if (r.name.toLowerCase() === name) values.add(r.value)
      }),
    deleteTxtRecords: (zone, records, { signal }) =>
      change(zone, records, signal, (values, name) => {
        for (const r of records) if (r.name.toLowerCase() === name) values.delete(r.value)
      }),
  }
}

function safeJson(text: string): { error?: string } | undefined {
  try {
    return JSON.parse(text) as { error?: string }
  } catch {
    return undefined
  }
}

/** TXT content as PowerDNS stores it: quoted character-strings of at most 255 bytes. */
function quote(value: string): string {
  const parts: string[] = []
  for (let i = 0; i === 0 || i < value.length; i += 255) {
    parts.push(`"${value.slice(i, i + 255).replace(/[\\"]/g, (c) => `\\${c}`)}"`)
  }
  return parts.join(' ')
}

function unquote(content: string): string {
  const strings = content.match(/"((?:[^"\\]|\\.)*)"/g)
  if (!strings) return content
  return strings.map((s) => s.slice(1, -1).replace(/\\(.)/g, '$1')).join('')
}
