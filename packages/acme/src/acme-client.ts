import {
  ariCertId,
  certificateInfo,
  chainInfo,
  exportPublicJwk,
  type KeyPair,
} from '@autotls/crypto'
import { base64url, type JWK } from 'jose'
import { AcmeHttp, type AcmeResponse, type Signer } from './acme-http.js'
import { pollDelay } from './backoff.js'
import { Deadline } from './deadline.js'
import { AcmeError, AcmeProblemError } from './errors.js'
import {
  type ExternalAccountBinding,
  externalAccountBindingJws,
} from './external-account-binding.js'
import { createHttpsFetch, type FetchLike } from './https-fetch.js'
import { signJws } from './jws.js'
import { keyAuthorizationFor } from './key-authorization.js'
import { linkTargets } from './link-header.js'
import { NoncePool } from './nonce-pool.js'
import { parseRenewalInfo, type RenewalInfo } from './renewal-info.js'
import {
  type Account,
  type AcmeIdentifier,
  type Authorization,
  type Challenge,
  type Directory,
  type Order,
  parseAccount,
  parseAuthorization,
  parseChallenge,
  parseDirectory,
  parseOrder,
} from './resources.js'
import { parseRetryAfter } from './retry-after.js'
import { DEFAULT_USER_AGENT } from './version.js'

/** How to reach a CA and with which account key. */
export interface AcmeClientOptions {
  /** The directory URL, e.g. {@link LETS_ENCRYPT_PRODUCTION}. */
  directoryUrl: string
  /** The account key (ES256, ES384 or RS256), e.g. from `generateKeyPair()` of @autotls/crypto. */
  accountKey: KeyPair
  /** The account URL when already known (skips a lookup); otherwise createAccount/findAccount. */
  accountUrl?: string
  /** Extra CA certificates to trust for the ACME API (a private CA, Pebble). */
  caPem?: string | readonly string[]
  /** Replaces the built-in transport (node:https). */
  fetch?: typeof globalThis.fetch
  now?: () => number
  random?: () => number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Deadline of each call, retries and polls included. Default 120 s. */
  timeoutMs?: number
  userAgent?: string
  /** Largest response body accepted. Default 1 MiB. */
  maxResponseBytes?: number
}

/** Options every call takes. */
export interface CallOptions {
  signal?: AbortSignal
  /** Overrides the client's deadline for this call. */
  timeoutMs?: number
}

/** Why a certificate is revoked (RFC 5280 §5.3.1 CRLReason). */
export type RevocationReason = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 8 | 9 | 10

/** A downloaded chain and the alternates the CA offered. */
export interface CertificateChain {
  /** PEM, leaf first. */
  readonly chainPem: string
  /** URLs of alternate chains (`Link: rel="alternate"`). */
  readonly alternates: readonly string[]
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

function commonName(dn: string): string | undefined {
  return /(?:^|[,/]\s*)CN=([^,/]+)/.exec(dn)?.[1]?.trim()
}

/**
 * Polls without Retry-After: the first after 10 ms (a CA that validates at once answers the first
 * poll), then half as long again each time, at most 3 s apart. Against a CA that takes seconds
 * this costs a handful of extra POST-as-GETs (12 requests in the first 2 s, against 6 with a
 * 100 ms start); against one that takes milliseconds it saves most of the issuance time.
 */
const POLL = { firstMs: 10, maxMs: 3000 }
const MAX_ORDER_PAGES = 100

/**
 * An RFC 8555 ACME client: directory, account, orders, authorizations, challenges,
 * certificates, revocation, ARI (RFC 9773) and profiles. Every method takes an AbortSignal and
 * runs under a deadline; retries follow what the server asks (Retry-After, badNonce).
 *
 * @example
 * const client = new AcmeClient({ directoryUrl: LETS_ENCRYPT_STAGING, accountKey: await generateKeyPair() })
 * await client.createAccount({ termsOfServiceAgreed: true, contact: ['mailto:ops@example.com'] })
 * @see https://www.rfc-editor.org/rfc/rfc8555
 */
export class AcmeClient {
  readonly directoryUrl: string
  readonly #http: AcmeHttp
  readonly #now: () => number
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  readonly #timeoutMs: number
  #accountKey: KeyPair
  #accountJwk: Promise<JWK> | undefined
  #accountUrl: string | undefined
  #directory: Promise<Directory> | undefined

  constructor(options: AcmeClientOptions) {
    if (!/^https?:\/\//.test(options.directoryUrl)) {
      throw new AcmeError(
        'ERR_ACME_INVALID_ARGUMENT',
        `directoryUrl must be an https URL, got "${options.directoryUrl}"`,
      )
    }
    this.directoryUrl = options.directoryUrl
    this.#accountKey = options.accountKey
    this.#accountUrl = options.accountUrl
    this.#now = options.now ?? Date.now
    this.#sleep = options.sleep ?? defaultSleep
    this.#timeoutMs = options.timeoutMs ?? 120_000
    const fetch: FetchLike =
      (options.fetch as FetchLike | undefined) ?? createHttpsFetch({ caPem: options.caPem ?? [] })
    this.#http = new AcmeHttp({
      fetch,
      now: this.#now,
      random: options.random ?? Math.random,
      sleep: this.#sleep,
      userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
      maxResponseBytes: options.maxResponseBytes ?? 1024 * 1024,
      nonces: new NoncePool(),
      newNonceUrl: async (deadline) => (await this.#directoryWithin(deadline)).newNonce,
    })
  }

  /** The account URL (`kid`), once created or found. */
  get accountUrl(): string | undefined {
    return this.#accountUrl
  }

  /** The current account key (changes after {@link AcmeClient.rolloverKey}). */
  get accountKey(): KeyPair {
    return this.#accountKey
  }

  /**
   * The directory, fetched once and kept.
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.1.1
   */
  async directory(options: CallOptions = {}): Promise<Directory> {
    return this.#directoryWithin(this.#deadline(options))
  }

  /**
   * Profiles the CA offers (name → description); empty when it offers none.
   * @see https://datatracker.ietf.org/doc/draft-ietf-acme-profiles/
   */
  async profiles(options: CallOptions = {}): Promise<Readonly<Record<string, string>>> {
    return (await this.directory(options)).meta.profiles ?? {}
  }

  /**
   * Registers the account key (or finds its account: servers answer 200 for a known key).
   * With `externalAccountBinding` the request carries an HS256 binding (§7.3.4).
   *
   * @example
   * const account = await client.createAccount({ termsOfServiceAgreed: true, contact: ['mailto:a@example.com'] })
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.3
   */
  async createAccount(
    options: CallOptions & {
      termsOfServiceAgreed?: boolean
      contact?: readonly string[]
      externalAccountBinding?: ExternalAccountBinding
      onlyReturnExisting?: boolean
    } = {},
  ): Promise<Account> {
    const deadline = this.#deadline(options)
    const directory = await this.#directoryWithin(deadline)
    const jwk = await this.#jwk()
    const payload: Record<string, unknown> = {}
    if (options.termsOfServiceAgreed !== undefined) {
      payload.termsOfServiceAgreed = options.termsOfServiceAgreed
    }
    if (options.contact) payload.contact = [...options.contact]
    if (options.onlyReturnExisting) payload.onlyReturnExisting = true
    if (options.externalAccountBinding) {
      payload.externalAccountBinding = await externalAccountBindingJws({
        binding: options.externalAccountBinding,
        accountJwk: jwk,
        url: directory.newAccount,
      })
    }
    const response = await this.#http.post(
      directory.newAccount,
      payload,
      { privateKey: this.#accountKey.privateKey, identity: { jwk } },
      deadline,
    )
    const url = this.#location(response)
    this.#accountUrl = url
    return parseAccount(this.#http.json(response), url)
  }

  /**
   * Finds the existing account of this key without creating one (`onlyReturnExisting`);
   * rejects with the `accountDoesNotExist` problem when there is none.
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.3.1
   */
  async findAccount(options: CallOptions = {}): Promise<Account> {
    return this.createAccount({ ...options, onlyReturnExisting: true })
  }

  /**
   * Fetches the account object (POST-as-GET to the account URL).
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.3.3
   */
  async account(options: CallOptions = {}): Promise<Account> {
    const deadline = this.#deadline(options)
    const url = await this.#kid(deadline)
    return parseAccount(this.#http.json(await this.#postAsGet(url, deadline)), url)
  }

  /**
   * Replaces the account's contact URLs.
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.3.2
   */
  async updateAccount(options: CallOptions & { contact: readonly string[] }): Promise<Account> {
    const deadline = this.#deadline(options)
    const url = await this.#kid(deadline)
    const response = await this.#post(url, { contact: [...options.contact] }, deadline)
    return parseAccount(this.#http.json(response), url)
  }

  /**
   * Deactivates the account for good; its authorizations stop working.
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.3.6
   */
  async deactivateAccount(options: CallOptions = {}): Promise<Account> {
    const deadline = this.#deadline(options)
    const url = await this.#kid(deadline)
    const response = await this.#post(url, { status: 'deactivated' }, deadline)
    return parseAccount(this.#http.json(response), url)
  }

  /**
   * Moves the account to `newKey` (key rollover); later requests are signed with it.
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.3.5
   */
  async rolloverKey(newKey: KeyPair, options: CallOptions = {}): Promise<void> {
    const deadline = this.#deadline(options)
    const directory = await this.#directoryWithin(deadline)
    const account = await this.#kid(deadline)
    const newJwk = (await exportPublicJwk(newKey)) as JWK
    const inner = await signJws({
      privateKey: newKey.privateKey,
      identity: { jwk: newJwk },
      url: directory.keyChange,
      payload: { account, oldKey: await this.#jwk() },
    })
    await this.#post(directory.keyChange, inner, deadline)
    this.#accountKey = newKey
    this.#accountJwk = Promise.resolve(newJwk)
  }

  /** The key authorization for a challenge token under the current account key (§8.1). */
  async keyAuthorization(token: string): Promise<string> {
    return keyAuthorizationFor(token, await this.#jwk())
  }

  /**
   * Creates an order. `replaces` (RFC 9773 §5) is sent only when the CA has renewalInfo, and
   * dropped for one retry when the CA answers `alreadyReplaced`. The server's identifiers must
   * equal the requested ones.
   *
   * @example
   * const order = await client.newOrder({ identifiers: [{ type: 'dns', value: 'example.com' }] })
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.4
   */
  async newOrder(
    options: CallOptions & {
      identifiers: readonly AcmeIdentifier[]
      notBefore?: Date | string
      notAfter?: Date | string
      profile?: string
      replaces?: string
    },
  ): Promise<Order> {
    if (options.identifiers.length === 0) {
      throw new AcmeError('ERR_ACME_INVALID_ARGUMENT', 'an order needs at least one identifier')
    }
    const deadline = this.#deadline(options)
    const directory = await this.#directoryWithin(deadline)
    const stamp = (d: Date | string): string => (typeof d === 'string' ? d : d.toISOString())
    const payload: Record<string, unknown> = {
      identifiers: options.identifiers.map((i) => ({ type: i.type, value: i.value })),
    }
    if (options.notBefore !== undefined) payload.notBefore = stamp(options.notBefore)
    if (options.notAfter !== undefined) payload.notAfter = stamp(options.notAfter)
    if (options.profile !== undefined) payload.profile = options.profile
    if (options.replaces !== undefined && directory.renewalInfo) payload.replaces = options.replaces
    let response: AcmeResponse
    try {
      response = await this.#post(directory.newOrder, payload, deadline)
    } catch (error) {
      if (
        !(error instanceof AcmeProblemError && error.shortType === 'alreadyReplaced') ||
        payload.replaces === undefined
      ) {
        throw error
      }
      delete payload.replaces
      response = await this.#post(directory.newOrder, payload, deadline)
    }
    const order = parseOrder(this.#http.json(response), this.#location(response))
    const key = (i: AcmeIdentifier): string => `${i.type}:${i.value.toLowerCase()}`
    const asked = new Set(options.identifiers.map(key))
    const got = new Set(order.identifiers.map(key))
    if (asked.size !== got.size || [...asked].some((i) => !got.has(i))) {
      throw new AcmeError(
        'ERR_ACME_RESPONSE',
        `the order at ${order.url} is for [${[...got].join(', ')}], not the requested [${[...asked].join(', ')}]`,
      )
    }
    return order
  }

  /**
   * Fetches an order.
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.1.3
   */
  async getOrder(url: string, options: CallOptions = {}): Promise<Order> {
    const deadline = this.#deadline(options)
    return parseOrder(this.#http.json(await this.#postAsGet(url, deadline)), url)
  }

  /**
   * Lists the URLs of the account's orders, following `Link: rel="next"` pages.
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.1.2.1
   */
  async listOrders(options: CallOptions = {}): Promise<string[]> {
    const deadline = this.#deadline(options)
    const kid = await this.#kid(deadline)
    const account = parseAccount(this.#http.json(await this.#postAsGet(kid, deadline)), kid)
    if (!account.orders) {
      throw new AcmeError('ERR_ACME_UNSUPPORTED', `the account at ${kid} has no orders URL`)
    }
    const urls: string[] = []
    let next: string | undefined = account.orders
    for (let page = 0; next && page < MAX_ORDER_PAGES; page++) {
      const response = await this.#postAsGet(next, deadline)
      const body = this.#http.json(response) as { orders?: unknown }
      if (!Array.isArray(body.orders) || body.orders.some((o) => typeof o !== 'string')) {
        throw new AcmeError('ERR_ACME_RESPONSE', `the orders list at ${next} has no "orders" array`)
      }
      urls.push(...(body.orders as string[]))
      next = linkTargets(response.headers, 'next', next)[0]
    }
    return urls
  }

  /**
   * Finalizes a ready order with a CSR (DER). On `orderNotReady` it waits for the order to become
   * ready and tries once more. Returns the order as the server left it (often `processing`).
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.4
   */
  async finalizeOrder(order: Order, csrDer: Uint8Array, options: CallOptions = {}): Promise<Order> {
    const deadline = this.#deadline(options)
    const payload = { csr: base64url.encode(csrDer) }
    try {
      return parseOrder(
        this.#http.json(await this.#post(order.finalize, payload, deadline)),
        order.url,
      )
    } catch (error) {
      if (!(error instanceof AcmeProblemError && error.shortType === 'orderNotReady')) throw error
      const current = await this.#pollOrder(order.url, deadline, (s) => s !== 'pending')
      if (current.status !== 'ready') return this.#orderOutcome(current)
      return parseOrder(
        this.#http.json(await this.#post(order.finalize, payload, deadline)),
        order.url,
      )
    }
  }

  /**
   * Polls an order until it is `valid` (honouring Retry-After, else short growing waits);
   * `invalid` rejects with ERR_ACME_ORDER_INVALID carrying the order's problem.
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.4
   */
  async waitForOrder(order: Order | string, options: CallOptions = {}): Promise<Order> {
    const deadline = this.#deadline(options)
    const url = typeof order === 'string' ? order : order.url
    const done = await this.#pollOrder(url, deadline, (s) => s !== 'processing' && s !== 'pending')
    return this.#orderOutcome(done)
  }

  /**
   * Downloads the certificate chain (`application/pem-certificate-chain`). With
   * `preferredChain`, returns the first of the default and alternate chains in which some
   * certificate's issuer common name (or full DN) equals it; the default chain otherwise.
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.4.2
   */
  async downloadCertificate(
    order: Order | string,
    options: CallOptions & { preferredChain?: string } = {},
  ): Promise<CertificateChain> {
    const deadline = this.#deadline(options)
    const url = typeof order === 'string' ? order : order.certificate
    if (!url) {
      throw new AcmeError(
        'ERR_ACME_INVALID_ARGUMENT',
        `the order ${(order as Order).url} has no certificate yet; wait for it with waitForOrder`,
      )
    }
    const first = await this.#fetchChain(url, deadline)
    const preferred = options.preferredChain
    if (preferred === undefined || this.#chainMatches(first.chainPem, preferred)) return first
    for (const alternate of first.alternates) {
      const candidate = await this.#fetchChain(alternate, deadline)
      if (this.#chainMatches(candidate.chainPem, preferred)) {
        return { chainPem: candidate.chainPem, alternates: first.alternates }
      }
    }
    return first
  }

  /**
   * Fetches an authorization.
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.5
   */
  async getAuthorization(url: string, options: CallOptions = {}): Promise<Authorization> {
    const deadline = this.#deadline(options)
    return parseAuthorization(this.#http.json(await this.#postAsGet(url, deadline)), url)
  }

  /**
   * Deactivates an authorization (e.g. one left pending after a failure).
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.5.2
   */
  async deactivateAuthorization(url: string, options: CallOptions = {}): Promise<Authorization> {
    const deadline = this.#deadline(options)
    const response = await this.#post(url, { status: 'deactivated' }, deadline)
    return parseAuthorization(this.#http.json(response), url)
  }

  /**
   * Tells the CA the challenge response is in place (POST `{}` to the challenge URL).
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.5.1
   */
  async respondToChallenge(
    challenge: Challenge | string,
    options: CallOptions = {},
  ): Promise<Challenge> {
    const deadline = this.#deadline(options)
    const url = typeof challenge === 'string' ? challenge : challenge.url
    return parseChallenge(this.#http.json(await this.#post(url, {}, deadline)), url)
  }

  /**
   * Polls an authorization until it leaves `pending` (Retry-After honoured; otherwise waits of
   * 100 ms growing by half to 3 s). Resolves with `valid`; any other final status rejects with
   * ERR_ACME_AUTHORIZATION_INVALID carrying the challenge's problem as `cause`.
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.5.1
   */
  async waitForAuthorization(url: string, options: CallOptions = {}): Promise<Authorization> {
    const deadline = this.#deadline(options)
    const authz = await this.#poll(
      url,
      deadline,
      (body) => parseAuthorization(body, url),
      (a) => a.status !== 'pending',
    )
    if (authz.status === 'valid') return authz
    const failed = authz.challenges.find((c) => c.error)
    const cause = failed?.error
      ? new AcmeProblemError(failed.error, failed.error.status ?? 403, failed.url)
      : undefined
    throw new AcmeError(
      'ERR_ACME_AUTHORIZATION_INVALID',
      `authorization for ${authz.identifier.value} is ${authz.status}${cause ? `: ${cause.detail}` : ''}`,
      { cause },
    )
  }

  /**
   * Revokes a certificate, signed by the account key or, with `certificateKey`, by the
   * certificate's own key (then with a `jwk` header).
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.6
   */
  async revokeCertificate(
    certificatePem: string,
    options: CallOptions & { reason?: RevocationReason; certificateKey?: KeyPair } = {},
  ): Promise<void> {
    const deadline = this.#deadline(options)
    const directory = await this.#directoryWithin(deadline)
    const payload: Record<string, unknown> = {
      certificate: base64url.encode(certificateInfo(certificatePem).der),
    }
    if (options.reason !== undefined) payload.reason = options.reason
    const signer: Signer = options.certificateKey
      ? {
          privateKey: options.certificateKey.privateKey,
          identity: { jwk: (await exportPublicJwk(options.certificateKey)) as JWK },
        }
      : await this.#signer(deadline)
    await this.#http.post(directory.revokeCert, payload, signer, deadline)
  }

  /**
   * Asks the CA when to renew (unauthenticated GET of renewalInfo/&lt;certID&gt;). Takes the
   * certID (RFC 9773 §4.1) or the certificate PEM, from which the certID is computed.
   *
   * @example
   * const { suggestedWindow, retryAfterMs } = await client.renewalInfo(chainPem)
   * @see https://www.rfc-editor.org/rfc/rfc9773#section-4.2
   */
  async renewalInfo(certIdOrPem: string, options: CallOptions = {}): Promise<RenewalInfo> {
    const certId = certIdOrPem.includes('-----BEGIN') ? ariCertId(certIdOrPem) : certIdOrPem
    const deadline = this.#deadline(options)
    const directory = await this.#directoryWithin(deadline)
    if (!directory.renewalInfo) {
      throw new AcmeError(
        'ERR_ACME_UNSUPPORTED',
        `${this.directoryUrl} offers no renewalInfo (ARI)`,
      )
    }
    const url = `${directory.renewalInfo.replace(/\/$/, '')}/${certId}`
    const response = await this.#http.get(url, deadline)
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), this.#now())
    return parseRenewalInfo(this.#http.json(response), retryAfter, url)
  }

  #deadline(options: CallOptions): Deadline {
    return new Deadline(this.#now, options.timeoutMs ?? this.#timeoutMs, options.signal)
  }

  #directoryWithin(deadline: Deadline): Promise<Directory> {
    if (!this.#directory) {
      const url = this.directoryUrl
      const loading = this.#http
        .get(url, deadline)
        .then((response) => parseDirectory(this.#http.json(response), url))
      loading.catch(() => {
        if (this.#directory === loading) this.#directory = undefined
      })
      this.#directory = loading
    }
    return this.#directory
  }

  #jwk(): Promise<JWK> {
    this.#accountJwk ??= exportPublicJwk(this.#accountKey) as Promise<JWK>
    return this.#accountJwk
  }

  async #kid(deadline: Deadline): Promise<string> {
    if (this.#accountUrl) return this.#accountUrl
    const account = await this.createAccount({
      onlyReturnExisting: true,
      signal: deadline.signal,
      timeoutMs: deadline.remaining(),
    })
    return account.url
  }

  async #signer(deadline: Deadline): Promise<Signer> {
    return { privateKey: this.#accountKey.privateKey, identity: { kid: await this.#kid(deadline) } }
  }

  async #post(
    url: string,
    payload: unknown,
    deadline: Deadline,
    accept?: string,
  ): Promise<AcmeResponse> {
    return this.#http.post(url, payload, await this.#signer(deadline), deadline, accept)
  }

  #postAsGet(url: string, deadline: Deadline, accept?: string): Promise<AcmeResponse> {
    return this.#post(url, undefined, deadline, accept)
  }

  #location(response: AcmeResponse): string {
    const location = response.headers.get('location')
    if (!location) {
      throw new AcmeError(
        'ERR_ACME_RESPONSE',
        `no Location header in the response from ${response.url}`,
      )
    }
    return new URL(location, response.url).toString()
  }

  async #poll<T>(
    url: string,
    deadline: Deadline,
    parse: (body: unknown) => T,
    done: (value: T) => boolean,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.#postAsGet(url, deadline)
      const value = parse(this.#http.json(response))
      if (done(value)) return value
      const wait =
        parseRetryAfter(response.headers.get('retry-after'), this.#now()) ??
        pollDelay(attempt, POLL)
      if (wait > deadline.remaining()) throw deadline.error(`polling ${url}`)
      try {
        await this.#sleep(wait, deadline.signal)
      } catch (cause) {
        throw deadline.error(`polling ${url}`, cause)
      }
    }
  }

  #pollOrder(
    url: string,
    deadline: Deadline,
    done: (status: Order['status']) => boolean,
  ): Promise<Order> {
    return this.#poll(
      url,
      deadline,
      (body) => parseOrder(body, url),
      (o) => done(o.status),
    )
  }

  #orderOutcome(order: Order): Order {
    if (order.status === 'invalid') {
      const cause = order.error
        ? new AcmeProblemError(order.error, order.error.status ?? 403, order.url)
        : undefined
      throw new AcmeError(
        'ERR_ACME_ORDER_INVALID',
        `the order ${order.url} is invalid${cause ? `: ${cause.detail}` : ''}`,
        { cause },
      )
    }
    return order
  }

  async #fetchChain(url: string, deadline: Deadline): Promise<CertificateChain> {
    const response = await this.#postAsGet(url, deadline, 'application/pem-certificate-chain')
    const type = response.headers.get('content-type') ?? ''
    if (!/^application\/pem-certificate-chain\s*(?:;|$)/i.test(type)) {
      throw new AcmeError('ERR_ACME_RESPONSE', `expected a PEM chain from ${url}, got "${type}"`)
    }
    const chainPem = new TextDecoder().decode(response.body)
    if (!chainPem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new AcmeError('ERR_ACME_RESPONSE', `no certificate in the chain from ${url}`)
    }
    return { chainPem, alternates: linkTargets(response.headers, 'alternate', url) }
  }

  #chainMatches(chainPem: string, preferred: string): boolean {
    return chainInfo(chainPem).some(
      (info) => info.issuer === preferred || commonName(info.issuer) === preferred,
    )
  }
}
