import type { webcrypto } from 'node:crypto'
import type { JWK } from 'jose'
import { backoffDelay } from './backoff.js'
import type { Deadline } from './deadline.js'
import { AcmeError, AcmeProblemError, type ProblemDocument } from './errors.js'
import type { FetchLike } from './https-fetch.js'
import { signJws } from './jws.js'
import type { NoncePool } from './nonce-pool.js'
import { readBody } from './read-body.js'
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
 * The request engine: signs with fresh nonces, keeps the nonce pool filled, turns problem
 * documents into {@link AcmeProblemError}, retries badNonce, 429/rateLimited (as long as the
 * deadline allows the wait Retry-After asks for), 5xx and network failures (bounded, with
 * jittered back-off). Internal to the package.
 */
export class AcmeHttp {
  readonly #o: AcmeHttpOptions

  constructor(options: AcmeHttpOptions) {
    this.#o = options
  }

  /** An unauthenticated GET (directory, renewalInfo) with retries for 5xx, 429 and resets. */
  async get(url: string, deadline: Deadline, accept = 'application/json'): Promise<AcmeResponse> {
    return this.#withRetries(url, deadline, () => this.#send('GET', url, deadline, { accept }))
  }

  /** A signed POST (payload `undefined` = POST-as-GET) with every retry the RFC allows. */
  async post(
    url: string,
    payload: unknown,
    signer: Signer,
    deadline: Deadline,
    accept = 'application/json',
  ): Promise<AcmeResponse> {
    let badNonces = 0
    for (;;) {
      try {
        return await this.#withRetries(url, deadline, async () => {
          const nonce = await this.#nonce(deadline)
          const jws = await signJws({ ...signer, url, nonce, payload })
          return this.#send('POST', url, deadline, {
            accept,
            contentType: 'application/jose+json',
            body: JSON.stringify(jws),
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

  async #nonce(deadline: Deadline): Promise<string> {
    const pooled = this.#o.nonces.take()
    if (pooled) return pooled
    const url = await this.#o.newNonceUrl(deadline)
    const response = await this.#withRetries(url, deadline, () =>
      this.#send('HEAD', url, deadline, {}),
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
        if (failures >= SERVER_ERROR_RETRIES) throw error
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
      if (response.status >= 500 && failures < SERVER_ERROR_RETRIES) {
        const wait =
          problem.retryAfterMs ?? backoffDelay(failures, { ...BACKOFF, random: this.#o.random })
        failures++
        await this.#wait(wait, deadline, problem)
        continue
      }
      throw problem
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
    options: { accept?: string; contentType?: string; body?: string },
  ): Promise<AcmeResponse> {
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
    this.#o.nonces.add(response.headers.get('replay-nonce'))
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
