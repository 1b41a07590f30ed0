import { createHttpsFetch } from '../src/index.js'

/** What to do to one request after (or instead of) passing it on. */
export type Fault = 'reset-after' | '500-after'

/** One request as sent by the client, with the nonce its JWS carried. */
export interface SentRequest {
  readonly method: string
  readonly url: string
  readonly nonce?: string
  readonly status?: number
  readonly problem?: string
  /** When it was sent (performance.now()). */
  readonly at: number
}

/**
 * A transport in front of a real CA that records every request (with its JWS nonce and the
 * problem type of error answers) and injects faults: `reset-after` passes the request on, lets
 * the CA act on it, then fails as a reset connection would; `500-after` answers 500 instead of
 * the CA's answer.
 */
export function faultFetch(caPem: string) {
  const inner = createHttpsFetch({ caPem })
  const sent: SentRequest[] = []
  const faults: { match: (url: string, method: string) => boolean; fault: Fault; times: number }[] =
    []
  const fetch = (async (input: string, init: RequestInit = {}) => {
    const url = String(input)
    const method = init.method ?? 'GET'
    let nonce: string | undefined
    if (typeof init.body === 'string') {
      const header = JSON.parse(init.body).protected as string
      nonce = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')).nonce
    }
    const at = performance.now()
    const response = await inner(url, init)
    let problem: string | undefined
    if (response.status >= 400) {
      const text = await response.clone().text()
      problem = /"type":\s*"urn:ietf:params:acme:error:(\w+)"/.exec(text)?.[1]
    }
    sent.push({
      method,
      url,
      at,
      status: response.status,
      ...(nonce ? { nonce } : {}),
      ...(problem ? { problem } : {}),
    })
    const fault = faults.find((f) => f.times > 0 && f.match(url, method))
    if (!fault) return response
    fault.times--
    await response.arrayBuffer()
    if (fault.fault === 'reset-after') {
      throw Object.assign(new TypeError('fetch failed'), {
        cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      })
    }
    return new Response(
      JSON.stringify({ type: 'urn:ietf:params:acme:error:serverInternal', detail: 'injected' }),
      { status: 500, headers: { 'content-type': 'application/problem+json' } },
    )
  }) as typeof globalThis.fetch
  return {
    fetch,
    sent,
    /** The next `times` requests matching `match` get `fault`. */
    inject(match: (url: string, method: string) => boolean, fault: Fault, times = 1): void {
      faults.push({ match, fault, times })
    },
  }
}
