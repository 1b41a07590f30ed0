import type { webcrypto } from 'node:crypto'
import type { JWK } from 'jose'
import { backoffDelay } from './backoff.js'
import type { Deadline } from './deadline.js'
import { AcmeError, AcmeProblemError, type ProblemDocument } from './errors.js'
import type { FetchLike } from './https-fetch.js'
import { signJws } from './jws.js'
import type { NoncePool } from './nonce-pool.js'
import { readBody } from './read-body.js'
import { RequestPacer } from './request-pacer.js'
import { parseRetryAfter } from './retry-after.js'

/** A response read into memory. */
export interface AcmeResponse {
  readonly url: string
  readonly status: number
  readonly headers: Headers
  readonly body: Uint8Array
}

/** What the request engine needs from its client. */
export interface AcmeHttpOptions {
  readonly fetch: FetchLike
  readonly now: () => number
  readonly random: () => number
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  readonly userAgent: string
  readonly maxResponseBytes: number
  readonly nonces: NoncePool
  /** Resolves the newNonce URL (from the directory). */
  readonly newNonceUrl: (deadline: Deadline) => Promise<string>
}

/**
 * Whether a failed request may simply be sent again. `'retry'`: repeating it changes nothing at
 * the CA (GETs, POST-as-GET, newAccount, challenge responses, finalize, contact updates). `'once'`:
 * the CA may have acted on it before the answer was lost (key change, revocation, newOrder,
 * deactivations): a 5xx or a lost connection is thrown at once for the caller to resolve.
 * badNonce and 429 answers are retried either way: the CA refused those without acting.
 */
export type Repeat = 'retry' | 'once'

/** Which bucket a request takes from, and whether it goes first (see {@link PostOptions}). */
export type Pace = 'newOrder' | 'finishing'

/** Options of one signed POST. */
export interface PostOptions {
  readonly accept?: string
  readonly repeat?: Repeat
  /**
   * `'newOrder'`: paced by {@link NEW_ORDER_PACE} instead of {@link REQUEST_PACE}. `'finishing'`
   * (finalize, order polls, certificate downloads): goes before other requests waiting for
   * {@link REQUEST_PACE}, so orders about to be done are not held up by orders just starting.
   */
  readonly pace?: Pace
}

/** Who signs a request: the key and either its `jwk` or the account URL. */
export interface Signer {
  readonly privateKey: webcrypto.CryptoKey
  readonly identity: { readonly jwk: JWK } | { readonly kid: string }
}

/**
 * badNonce answers retried per request, each with the nonce the error carried. A retry costs one
 * round trip; CAs refuse good nonces at random (Pebble's default is 5 %, its tests use 50 %), and
 * at 50 % a bound of 25 leaves one failed request in tens of millions.
 */
export const BAD_NONCE_RETRIES = 25
const SERVER_ERROR_RETRIES = 4
const RATE_LIMIT_RETRIES = 6
const BACKOFF = { baseMs: 250, maxMs: 8000 }
const PROBLEM_PREFIX = 'urn:ietf:params:acme:error:'
/**
 * Client-wide pace, far under Let's Encrypt's per-IP limits, which count each endpoint on its own
 * (new-nonce 20/s with a burst of 10, new-account 5/s, new-order 300/s with a burst of 200, every
 * other /acme/ endpoint 250/s with a burst of 125): newOrder has its own bucket (20/s, bursts of
 * 50), every other request shares one (at most 160 in any second, 80/s sustained: a third of
 * what the /acme/ endpoints allow), and newNonce also takes from its own (10/s, bursts of 5). A request that finds the nonce pool empty waits for whichever comes first, a nonce from
 * another answer or a newNonce token.
 */
export const REQUEST_PACE = { perSecond: 80, burst: 80 }
export const NEW_ORDER_PACE = { perSecond: 20, burst: 50 }
export const NEW_NONCE_PACE = { perSecond: 10, burst: 5 }

/** Is this failure one that a repeated request might not see (5xx, lost connection)? */
export function isTransient(error: unknown): boolean {
  if (error instanceof AcmeProblemError) return error.status >= 500
  return error instanceof AcmeError && error.code === 'ERR_ACME_NETWORK'
}

/**
 * The request engine: signs with fresh nonces (each used once), keeps the nonce pool filled,
 * paces requests, turns problem documents into {@link AcmeProblemError}, retries badNonce,
 * 429/rateLimited (as long as the deadline allows the wait Retry-After asks for) and, for
 * requests that are safe to repeat, 5xx and network failures (bounded, with jittered back-off).
 * Internal to the package.
 */
export class AcmeHttp {
  readonly #o: AcmeHttpOptions
  readonly #pace: RequestPacer
  readonly #noncePace: RequestPacer
  readonly #orderPace: RequestPacer
  /** Aborted (and replaced) whenever a nonce lands in the pool: wakes requests waiting for one. */
  #nonceArrived = new AbortController()

  constructor(options: AcmeHttpOptions) {
    this.#o = options
    this.#pace = new RequestPacer({ ...REQUEST_PACE, now: options.now })
    this.#noncePace = new RequestPacer({ ...NEW_NONCE_PACE, now: options.now })
    this.#orderPace = new RequestPacer({ ...NEW_ORDER_PACE, now: options.now })
  }

  /** An unauthenticated GET (directory, renewalInfo) with retries for 5xx, 429 and resets. */
  async get(url: string, deadline: Deadline, accept = 'application/json'): Promise<AcmeResponse> {
    return this.#withRetries(url, deadline, 'retry', () =>
      this.#send('GET', url, deadline, { accept }),
    )
  }

  /** A signed POST (payload `undefined` = POST-as-GET) with the retries `options.repeat` allows. */
  async post(
    url: string,
    payload: unknown,
    signer: Signer,
    deadline: Deadline,
    options: PostOptions = {},
  ): Promise<AcmeResponse> {
    const accept = options.accept ?? 'application/json'
    const repeat = options.repeat ?? 'retry'
    let badNonces = 0
    for (;;) {
      try {
        return await this.#withRetries(url, deadline, repeat, async () => {
          const nonce = await this.#nonce(deadline)
          const jws = await signJws({ ...signer, url, nonce, payload })
          return this.#send('POST', url, deadline, {
            accept,
            contentType: 'application/jose+json',
            body: JSON.stringify(jws),
            ...(options.pace === undefined ? {} : { pace: options.pace }),
          })
        })
      } catch (error) {
        if (
          error instanceof AcmeProblemError &&
          error.shortType === 'badNonce' &&
          badNonces < BAD_NONCE_RETRIES
        ) {
          // The error response carried a fresh Replay-Nonce; the pool hands it out next.
          badNonces++
          continue
        }
        throw error
      }
    }
  }

  /** Parses a JSON response body; wrong content types and invalid JSON are typed errors. */
  json(response: AcmeResponse): unknown {
    const type = response.headers.get('content-type') ?? ''
    if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
      throw new AcmeError(
        'ERR_ACME_RESPONSE',
        `expected JSON from ${response.url}, got content type "${type}"`,
      )
    }
    try {
      return JSON.parse(new TextDecoder().decode(response.body))
    } catch (cause) {
      throw new AcmeError('ERR_ACME_RESPONSE', `invalid JSON from ${response.url}`, { cause })
    }
  }

  /** A pooled nonce, else a fresh one from newNonce when its pace allows, else the first to come. */
  async #nonce(deadline: Deadline): Promise<string> {
    for (;;) {
      const pooled = this.#o.nonces.take()
      if (pooled) return pooled
      const wait = this.#noncePace.reserve()
      if (wait === 0) break
      const arrived = this.#nonceArrived.signal
      try {
        await this.#o.sleep(wait, AbortSignal.any([deadline.signal, arrived]))
      } catch (cause) {
        if (!arrived.aborted || deadline.signal.aborted) {
          throw deadline.error('waiting for a nonce', cause)
        }
      }
    }
    const url = await this.#o.newNonceUrl(deadline)
    // The nonce of this answer goes to this request only: it is not pooled (used once).
    const response = await this.#withRetries(url, deadline, 'retry', () =>
      this.#send('HEAD', url, deadline, { poolNonce: false }),
    )
    const nonce = response.headers.get('replay-nonce')
    if (!nonce) {
      throw new AcmeError('ERR_ACME_RESPONSE', `no Replay-Nonce header from ${url}`)
    }
    return nonce
  }

  async #withRetries(
    url: string,
    deadline: Deadline,
    repeat: Repeat,
    attempt: () => Promise<AcmeResponse>,
  ): Promise<AcmeResponse> {
    let failures = 0
    let rateLimits = 0
    for (;;) {
      deadline.check(`request to ${url}`)
      let response: AcmeResponse
      try {
        response = await attempt()
      } catch (error) {
        if (error instanceof AcmeError && error.code !== 'ERR_ACME_NETWORK') throw error
        if (deadline.signal.aborted) throw deadline.error(`request to ${url}`, error)
        if (repeat === 'once' || failures >= SERVER_ERROR_RETRIES) throw error
        await this.#wait(
          backoffDelay(failures++, { ...BACKOFF, random: this.#o.random }),
          deadline,
          error as Error,
        )
        continue
      }
      if (response.status < 400) return response
      const problem = this.#problem(response)
      const retryable429 = response.status === 429 || problem.shortType === 'rateLimited'
      if (retryable429 && rateLimits < RATE_LIMIT_RETRIES) {
        const wait =
          problem.retryAfterMs ?? backoffDelay(rateLimits, { ...BACKOFF, random: this.#o.random })
        rateLimits++
        await this.#wait(wait, deadline, problem)
        continue
      }
      if (response.status >= 500 && repeat === 'retry' && failures < SERVER_ERROR_RETRIES) {
        const wait =
          problem.retryAfterMs ?? backoffDelay(failures, { ...BACKOFF, random: this.#o.random })
        failures++
        await this.#wait(wait, deadline, problem)
        continue
      }
      throw problem
    }
  }

  /** Waits for a token of the request's bucket. */
  async #paced(kind: Pace | undefined, deadline: Deadline, what: string): Promise<void> {
    const pace = kind === 'newOrder' ? this.#orderPace : this.#pace
    const urgent = kind === 'finishing'
    let wait = pace.reserve(urgent)
    if (wait === 0) return
    const done = urgent ? pace.waitUrgent() : () => {}
    try {
      for (; wait > 0; wait = pace.reserve(urgent)) {
        await this.#wait(wait, deadline, deadline.error(what))
      }
    } finally {
      done()
    }
  }

  /** Sleeps `ms`, or throws `giveUp` at once when the wait would pass the deadline. */
  async #wait(ms: number, deadline: Deadline, giveUp: Error): Promise<void> {
    if (ms > deadline.remaining()) throw giveUp
    try {
      await this.#o.sleep(ms, deadline.signal)
    } catch (cause) {
      throw deadline.error('waiting to retry', cause)
    }
  }

  #pool(nonce: string | null): void {
    if (!this.#o.nonces.add(nonce)) return
    const arrived = this.#nonceArrived
    this.#nonceArrived = new AbortController()
    arrived.abort()
  }

  #problem(response: AcmeResponse): AcmeProblemError {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.#o.now())
    let document: ProblemDocument = {
      type: response.status >= 500 ? `${PROBLEM_PREFIX}serverInternal` : 'about:blank',
      detail: `HTTP ${response.status} without a problem document`,
    }
    const type = response.headers.get('content-type') ?? ''
    if (/json/i.test(type)) {
      try {
        const parsed = JSON.parse(new TextDecoder().decode(response.body)) as unknown
        if (
          typeof parsed === 'object' &&
          parsed !== null &&
          typeof (parsed as { type?: unknown }).type === 'string'
        ) {
          document = parsed as ProblemDocument
        }
      } catch {
        // Keep the synthetic document: the status still says what happened.
      }
    }
    return new AcmeProblemError(document, response.status, response.url, retryAfterMs)
  }

  async #send(
    method: string,
    url: string,
    deadline: Deadline,
    options: {
      accept?: string
      contentType?: string
      body?: string
      poolNonce?: boolean
      pace?: Pace
    },
  ): Promise<AcmeResponse> {
    await this.#paced(options.pace, deadline, `${method} ${url}`)
    const headers: Record<string, string> = { 'user-agent': this.#o.userAgent }
    if (options.accept) headers.accept = options.accept
    if (options.contentType) headers['content-type'] = options.contentType
    let response: Response
    try {
      response = await this.#o.fetch(url, {
        method,
        headers,
        signal: deadline.signal,
        ...(options.body === undefined ? {} : { body: options.body }),
      })
    } catch (cause) {
      if (deadline.signal.aborted) throw deadline.error(`${method} ${url}`, cause)
      const code = String((cause as { code?: unknown } | null)?.code ?? '')
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
        throw new AcmeError(
          'ERR_ACME_TLS',
          `${url} presented a certificate we do not trust (${code}); pass the CA that signed it as caPem`,
          { cause },
        )
      }
      throw new AcmeError(
        'ERR_ACME_NETWORK',
        `${method} ${url} failed: ${(cause as Error)?.message ?? String(cause)}`,
        { cause },
      )
    }
    if (options.poolNonce !== false) this.#pool(response.headers.get('replay-nonce'))
    let body: Uint8Array
    try {
      body = await readBody(response, this.#o.maxResponseBytes, url)
    } catch (cause) {
      if (cause instanceof AcmeError) throw cause
      if (deadline.signal.aborted) throw deadline.error(`${method} ${url}`, cause)
      throw new AcmeError('ERR_ACME_NETWORK', `reading the response from ${url} failed`, {
        cause,
      })
    }
    return { url, status: response.status, headers: response.headers, body }
  }
}
