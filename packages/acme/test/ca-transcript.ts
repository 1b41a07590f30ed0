import { setTimeout as delay } from 'node:timers/promises'
import { generateKeyPair } from '@autotls/crypto'
import type { Pebble } from '@autotls/pebble'
import { AcmeClient, createHttpsFetch } from '../src/index.js'

/** One request the client sent and what the CA answered. */
export interface Exchange {
  readonly kind: 'exchange'
  readonly method: string
  readonly url: string
  /** The JWS payload, decoded (undefined for POST-as-GET and unsigned requests). */
  readonly payload: Record<string, unknown> | undefined
  /** The nonce the JWS carried (undefined for unsigned requests). */
  readonly nonce: string | undefined
  /** The Replay-Nonce of the answer. */
  readonly replayNonce: string | null
  readonly status: number
  readonly retryAfter: string | null
  /** The problem type's last segment for error answers, e.g. `alreadyReplaced`. */
  readonly problem: string | undefined
  /** The client's clock when the answer arrived (see {@link transcriptClient}). */
  readonly answeredAt: number
}

/** A wait the client asked its `sleep` for. */
export interface Pause {
  readonly kind: 'pause'
  readonly ms: number
}

/** A client for `pebble` whose every exchange and pause is recorded in order. */
export interface TranscriptClient {
  readonly client: AcmeClient
  readonly events: (Exchange | Pause)[]
  exchanges(match?: (e: Exchange) => boolean): Exchange[]
}

function decodeJws(body: unknown): {
  payload: Record<string, unknown> | undefined
  nonce: string | undefined
} {
  if (typeof body !== 'string') return { payload: undefined, nonce: undefined }
  const jws = JSON.parse(body) as { protected: string; payload: string }
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
  return {
    payload: jws.payload ? decode(jws.payload) : undefined,
    nonce: decode(jws.protected).nonce,
  }
}

/**
 * A client (registered unless `register` is false) that trusts `pebble` and records, in one ordered list, each exchange with the CA and
 * each pause it takes. Its clock (`now`) moves only when an answer arrives (to the real time) and
 * by each pause it takes: a Retry-After date the client turns into a wait is then measured from
 * the instant the transcript records, so a test can say exactly what wait the header asks for.
 */
export async function transcriptClient(
  pebble: Pebble,
  options: { register?: boolean } = {},
): Promise<TranscriptClient> {
  const inner = createHttpsFetch({ caPem: pebble.caPem })
  const events: (Exchange | Pause)[] = []
  let clock = Date.now()
  const fetch = async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = String(input)
    const response = await inner(url, init)
    clock = Date.now()
    let problem: string | undefined
    if (response.status >= 400) {
      const type = ((await response.clone().json()) as { type?: string }).type ?? ''
      problem = type.split(':').at(-1)
    }
    events.push({
      kind: 'exchange',
      method: init.method ?? 'GET',
      url,
      ...decodeJws(init.body),
      replayNonce: response.headers.get('replay-nonce'),
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      problem,
      answeredAt: clock,
    })
    return response
  }
  const client = new AcmeClient({
    directoryUrl: pebble.directoryUrl,
    accountKey: await generateKeyPair(),
    fetch: fetch as typeof globalThis.fetch,
    now: () => clock,
    sleep: async (ms, signal) => {
      events.push({ kind: 'pause', ms })
      await delay(ms, undefined, signal ? { signal } : {})
      clock += ms
    },
  })
  if (options.register !== false) await client.createAccount({ termsOfServiceAgreed: true })
  return {
    client,
    events,
    exchanges: (match = () => true) =>
      events.filter((e): e is Exchange => e.kind === 'exchange' && match(e)),
  }
}
