import {
  ariCertId,
  certificateInfo,
  chainInfo,
  exportPublicJwk,
  type KeyPair,
} from '@autotls/crypto'
import { base64url, type JWK } from 'jose'
import {
  AcmeHttp,
  type AcmeResponse,
  isTransient,
  type Pace,
  type PostOptions,
  type Signer,
} from './acme-http.js'
import {
  AUTHORIZATION_POLLS,
  backoffDelay,
  firstPollDelay,
  ORDER_POLLS,
  type PollSchedule,
  pollDelay,
} from './backoff.js'
import { Deadline } from './deadline.js'
import { isAllowedDirectoryUrl } from './directory-url-allowed.js'
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
import { normalizeIdentifier } from './normalize-identifier.js'
import { type PollPlan, pollResource } from './poll-resource.js'
import type { PollWaker, WAKE_QUIET_MS } from './poll-waker.js'
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
  /** In [0, 1): jitter of polls and back-offs. */
  random?: () => number
  /** Waits `ms`; rejects when `signal` aborts (wake-ups and deadlines abort it). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Deadline of each call, retries and polls included; also of shared work. Default 120 s. */
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

function sameIdentifiers(a: readonly AcmeIdentifier[], b: readonly AcmeIdentifier[]): boolean {
  const key = (i: AcmeIdentifier): string => {
    try {
      const n = normalizeIdentifier(i)
      return `${n.type}:${n.value}`
    } catch {
      return `${i.type}:${i.value}` // not an address: compared as sent
    }
  }
  const left = new Set(a.map(key))
  const right = new Set(b.map(key))
  return left.size === right.size && [...left].every((i) => right.has(i))
}

/**
 * Did the CA refuse a newOrder because of its `replaces` field? Boulder refuses `replaces` with
 * alreadyReplaced, with 404 when it does not know the certificate (another CA, staging), with 403
 * when it belongs to another account, and with malformed when it shares no identifier.
 */
function refusedForReplaces(error: unknown): boolean {
  if (!(error instanceof AcmeProblemError)) return false
  if (error.shortType === 'alreadyReplaced') return true
  if (error.status === 404 || error.status === 403) return true
  return error.shortType === 'malformed' && /replace|renewal|ARI|certID/i.test(error.detail)
}

function commonName(dn: string): string | undefined {
  return /(?:^|[,/]\s*)CN=([^,/]+)/.exec(dn)?.[1]?.trim()
}

const MAX_ORDER_PAGES = 100
/** Repeats of a request that is not safe to repeat blindly, each after checking what happened. */
const UNSAFE_RETRIES = 3
const RETRY_BACKOFF = { baseMs: 250, maxMs: 8000 }
/** Newest orders of the account looked at when a lost newOrder answer must be found. */
const RECENT_ORDERS = 10
/** Orders this client handed out, remembered so a lost answer is never matched to one of them. */
const KNOWN_ORDERS = 1000
/** Finalize, order polls and certificate downloads go first at the client's pace. */
const FINISHING = { pace: 'finishing' } as const

/**
 * An RFC 8555 ACME client: directory, account, orders, authorizations, challenges,
 * certificates, revocation, ARI (RFC 9773) and profiles. Every method takes an AbortSignal and
 * runs under a deadline; shared work (directory, newAccount) runs under the client's own deadline,
 * so one caller giving up does not fail the others. Requests are paced per client (80/s, bursts
 * of 80; newOrder 20/s, bursts of 50; newNonce 10/s), each nonce is used once, Retry-After is honoured everywhere, polls
 * without it follow a jittered schedule, and only requests that are safe to repeat are repeated
 * blindly (see the package README, "Polling, retries and the request budget").
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
  readonly #random: () => number
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  readonly #timeoutMs: number
  #accountKey: KeyPair
  #accountJwk: Promise<JWK> | undefined
  #accountUrl: string | undefined
  #directory: Promise<Directory> | undefined
  /** newAccount requests in flight, by what they ask: concurrent callers share one. */
  readonly #accountFlights = new Map<string, Promise<Account>>()
  /** Retry-After of the finalize answer that produced an order object. */
  readonly #retryAfter = new WeakMap<Order, number>()
  readonly #knownOrders = new Set<string>()

  constructor(options: AcmeClientOptions) {
    if (!isAllowedDirectoryUrl(options.directoryUrl)) {
      throw new AcmeError(
        'ERR_ACME_INVALID_ARGUMENT',
        `directoryUrl must be an https URL (http only for localhost or a loopback address), got "${options.directoryUrl}"`,
      )
    }
    this.directoryUrl = options.directoryUrl
    this.#accountKey = options.accountKey
    this.#accountUrl = options.accountUrl
    this.#now = options.now ?? Date.now
    this.#random = options.random ?? Math.random
    this.#sleep = options.sleep ?? defaultSleep
    this.#timeoutMs = options.timeoutMs ?? 120_000
    const fetch: FetchLike =
      (options.fetch as FetchLike | undefined) ?? createHttpsFetch({ caPem: options.caPem ?? [] })
    this.#http = new AcmeHttp({
      fetch,
      now: this.#now,
      random: this.#random,
      sleep: this.#sleep,
      userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
      maxResponseBytes: options.maxResponseBytes ?? 1024 * 1024,
      nonces: new NoncePool({ now: this.#now }),
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
   * With `externalAccountBinding` the request carries an HS256 binding (§7.3.4). Concurrent calls
   * asking the same share one request (it runs under the client's deadline, each caller waits
   * under its own signal), so 20 parallel issuances on a fresh client send one newAccount.
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
    const ask = {
      ...(options.termsOfServiceAgreed === undefined
        ? {}
        : { termsOfServiceAgreed: options.termsOfServiceAgreed }),
      ...(options.contact ? { contact: options.contact } : {}),
      ...(options.externalAccountBinding
        ? { externalAccountBinding: options.externalAccountBinding }
        : {}),
      ...(options.onlyReturnExisting ? { onlyReturnExisting: true } : {}),
    }
    const key = JSON.stringify([
      ask.termsOfServiceAgreed,
      ask.contact,
      ask.externalAccountBinding?.kid,
      ask.onlyReturnExisting,
    ])
    let flight = this.#accountFlights.get(key)
    if (!flight) {
      flight = this.#newAccount(ask, this.#deadline({}))
      const shared = flight
      this.#accountFlights.set(key, shared)
      shared.then(
        () => this.#accountFlights.delete(key),
        () => this.#accountFlights.delete(key),
      )
    }
    return deadline.race(flight, 'newAccount')
  }

  async #newAccount(
    options: {
      termsOfServiceAgreed?: boolean
      contact?: readonly string[]
      externalAccountBinding?: ExternalAccountBinding
      onlyReturnExisting?: boolean
    },
    deadline: Deadline,
  ): Promise<Account> {
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
    const response = await this.#post(url, { status: 'deactivated' }, deadline, { repeat: 'once' })
    return parseAccount(this.#http.json(response), url)
  }

  /**
   * Moves the account to `newKey` (key rollover); later requests are signed with it. A key change
   * is not repeated blindly: when its answer is lost (5xx, reset), the client asks the CA with the
   * new key whether the account moved, and sends the key change again only if it did not.
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
    for (let failures = 0; ; failures++) {
      try {
        await this.#post(directory.keyChange, inner, deadline, { repeat: 'once' })
        break
      } catch (error) {
        if (!isTransient(error)) throw error
        if (await this.#accountMovedTo(newKey, newJwk, account, directory, deadline)) break
        await this.#backOff(failures, error, deadline)
      }
    }
    this.#accountKey = newKey
    this.#accountJwk = Promise.resolve(newJwk)
  }

  /** Asks with `key` (onlyReturnExisting) whether the account at `account` now has that key. */
  async #accountMovedTo(
    key: KeyPair,
    jwk: JWK,
    account: string,
    directory: Directory,
    deadline: Deadline,
  ): Promise<boolean> {
    try {
      const response = await this.#http.post(
        directory.newAccount,
        { onlyReturnExisting: true },
        { privateKey: key.privateKey, identity: { jwk } },
        deadline,
      )
      return this.#location(response) === account
    } catch (error) {
      if (error instanceof AcmeProblemError && error.shortType === 'accountDoesNotExist') {
        return false
      }
      throw error
    }
  }

  /** The key authorization for a challenge token under the current account key (§8.1). */
  async keyAuthorization(token: string): Promise<string> {
    return keyAuthorizationFor(token, await this.#jwk())
  }

  /**
   * Creates an order for the identifiers in canonical form (DNS names in lower case, IPv6 per
   * RFC 5952). `replaces` (RFC 9773 §5) is sent only when the CA has renewalInfo, and dropped for
   * one retry when the CA refuses it (alreadyReplaced; 404 unknown certificate; 403 another
   * account's; malformed about it). The server's identifiers must equal the requested ones.
   * A lost answer (5xx, reset) is not simply repeated: the account's newest orders (when the CA
   * lists them) are searched for the order the CA created; otherwise the request is repeated,
   * which on Let's Encrypt returns the same pending order (Boulder reuses it).
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
    const identifiers = options.identifiers.map(normalizeIdentifier)
    const deadline = this.#deadline(options)
    const directory = await this.#directoryWithin(deadline)
    const stamp = (d: Date | string): string => (typeof d === 'string' ? d : d.toISOString())
    const payload: Record<string, unknown> = {
      identifiers: identifiers.map((i) => ({ type: i.type, value: i.value })),
    }
    if (options.notBefore !== undefined) payload.notBefore = stamp(options.notBefore)
    if (options.notAfter !== undefined) payload.notAfter = stamp(options.notAfter)
    if (options.profile !== undefined) payload.profile = options.profile
    if (options.replaces !== undefined && directory.renewalInfo) payload.replaces = options.replaces
    let order: Order | undefined
    for (let failures = 0; !order; ) {
      try {
        const response = await this.#post(directory.newOrder, payload, deadline, {
          repeat: 'once',
          pace: 'newOrder',
        })
        order = parseOrder(this.#http.json(response), this.#location(response))
      } catch (error) {
        if (payload.replaces !== undefined && refusedForReplaces(error)) {
          delete payload.replaces
          continue
        }
        if (!isTransient(error)) throw error
        order = await this.#createdOrder(identifiers, deadline)
        if (!order) await this.#backOff(failures++, error, deadline)
      }
    }
    if (!sameIdentifiers(identifiers, order.identifiers)) {
      const list = (ids: readonly AcmeIdentifier[]): string =>
        ids.map((i) => `${i.type}:${i.value}`).join(', ')
      throw new AcmeError(
        'ERR_ACME_RESPONSE',
        `the order at ${order.url} is for [${list(order.identifiers)}], not the requested [${list(identifiers)}]`,
      )
    }
    this.#knownOrders.add(order.url)
    if (this.#knownOrders.size > KNOWN_ORDERS) {
      this.#knownOrders.delete(this.#knownOrders.values().next().value as string)
    }
    return order
  }

  /**
   * After a lost newOrder answer: the newest pending or ready order of the account for exactly
   * these identifiers that this client has not handed out yet, if the CA lists orders.
   */
  async #createdOrder(
    identifiers: readonly AcmeIdentifier[],
    deadline: Deadline,
  ): Promise<Order | undefined> {
    const kid = await this.#kid(deadline)
    const account = parseAccount(this.#http.json(await this.#postAsGet(kid, deadline)), kid)
    if (!account.orders) return undefined
    const urls = await this.#orderUrls(account.orders, deadline)
    for (const url of urls.slice(-RECENT_ORDERS).reverse()) {
      if (this.#knownOrders.has(url)) continue
      const order = parseOrder(this.#http.json(await this.#postAsGet(url, deadline)), url)
      if (
        (order.status === 'pending' || order.status === 'ready') &&
        sameIdentifiers(identifiers, order.identifiers)
      ) {
        return order
      }
    }
    return undefined
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
    return this.#orderUrls(account.orders, deadline)
  }

  async #orderUrls(first: string, deadline: Deadline): Promise<string[]> {
    const urls: string[] = []
    let next: string | undefined = first
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
   * Finalizes a ready order with a CSR (DER). On `orderNotReady` it waits for the order to leave
   * `pending` and, if it is then `ready`, tries once more (a repeated finalize whose first answer
   * was lost lands here too, and finds the order `processing` or `valid`). Returns the order as the
   * server left it (often `processing`); the answer's Retry-After is kept for
   * {@link AcmeClient.waitForOrder}.
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.4
   */
  async finalizeOrder(order: Order, csrDer: Uint8Array, options: CallOptions = {}): Promise<Order> {
    const deadline = this.#deadline(options)
    const payload = { csr: base64url.encode(csrDer) }
    try {
      return this.#finalized(
        await this.#post(order.finalize, payload, deadline, FINISHING),
        order.url,
      )
    } catch (error) {
      if (!(error instanceof AcmeProblemError && error.shortType === 'orderNotReady')) throw error
      const current = await this.#pollOrder(order.url, deadline, (s) => s !== 'pending')
      if (current.status !== 'ready') return this.#orderOutcome(current)
      return this.#finalized(
        await this.#post(order.finalize, payload, deadline, FINISHING),
        order.url,
      )
    }
  }

  #finalized(response: AcmeResponse, url: string): Order {
    const order = parseOrder(this.#http.json(response), url)
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), this.#now())
    if (retryAfter !== undefined) this.#retryAfter.set(order, retryAfter)
    return order
  }

  /**
   * Waits until an order leaves `pending` and `processing`: resolves with it once `valid` (or
   * `ready`, when it waits for {@link AcmeClient.finalizeOrder}); `invalid` rejects with
   * ERR_ACME_ORDER_INVALID carrying the order's problem. Given an order object it polls only if
   * that object is still pending or processing, first after the Retry-After its finalize answer
   * carried, else after the schedule's first step (`processing`: about 5 ms, then 20 ms growing to
   * 5 s; `pending`: about 1 s, growing to 5 s; each ±20 %). Later polls honour Retry-After too.
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.4
   */
  async waitForOrder(order: Order | string, options: CallOptions = {}): Promise<Order> {
    const deadline = this.#deadline(options)
    const busy = (s: Order['status']): boolean => s === 'processing' || s === 'pending'
    if (typeof order !== 'string' && !busy(order.status)) return this.#orderOutcome(order)
    const url = typeof order === 'string' ? order : order.url
    const firstWaitMs =
      typeof order === 'string'
        ? undefined
        : (this.#retryAfter.get(order) ?? firstPollDelay(this.#orderSchedule(order), this.#random))
    const done = await this.#poll(
      url,
      deadline,
      {
        parse: (body) => parseOrder(body, url),
        done: (o) => !busy(o.status),
        schedule: (o) => this.#orderSchedule(o),
        ...(firstWaitMs === undefined ? {} : { firstWaitMs }),
      },
      'finishing',
    )
    return this.#orderOutcome(done)
  }

  /**
   * Downloads the certificate chain (`application/pem-certificate-chain`). With
   * `preferredChain` (an issuer common name or full DN), returns the first of the default and
   * alternate chains whose topmost certificate was issued by it (the root the chain leads to);
   * failing that, the first chain in which any certificate was issued by it; else the default.
   * Matching the top first matters with cross-signed roots: Let's Encrypt's long chain contains
   * "ISRG Root X1" too, but leads to the older root that cross-signed it.
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
    const issuedBy = (issuer: string): boolean =>
      issuer === preferred || commonName(issuer) === preferred
    const topIssuedBy = (pem: string): boolean => issuedBy(chainInfo(pem).at(-1)?.issuer ?? '')
    if (preferred === undefined || topIssuedBy(first.chainPem)) return first
    const chains = [first.chainPem]
    for (const alternate of first.alternates) {
      const candidate = await this.#fetchChain(alternate, deadline)
      if (topIssuedBy(candidate.chainPem)) {
        return { chainPem: candidate.chainPem, alternates: first.alternates }
      }
      chains.push(candidate.chainPem)
    }
    const deeper = chains.find((pem) => chainInfo(pem).some((info) => issuedBy(info.issuer)))
    return { chainPem: deeper ?? first.chainPem, alternates: first.alternates }
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
    const response = await this.#post(url, { status: 'deactivated' }, deadline, { repeat: 'once' })
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
   * Polls an authorization until it leaves `pending`, call it after
   * {@link AcmeClient.respondToChallenge}. Every poll, the first included, comes after a wait: the
   * CA's Retry-After when it sent one, else about 1 s, then 1.5 s, 2.25 s, 3.4 s and every 5 s
   * (each ±20 %, at least 500 ms apart). With `waker`, the poll comes {@link WAKE_QUIET_MS} after
   * the last wake-up instead (still at least 500 ms after the previous poll). Resolves with
   * `valid`; any other final status rejects with ERR_ACME_AUTHORIZATION_INVALID carrying the
   * challenge's problem as `cause`.
   * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.5.1
   */
  async waitForAuthorization(
    url: string,
    options: CallOptions & { waker?: PollWaker } = {},
  ): Promise<Authorization> {
    const deadline = this.#deadline(options)
    const authz = await this.#poll(url, deadline, {
      parse: (body) => parseAuthorization(body, url),
      done: (a) => a.status !== 'pending',
      schedule: () => AUTHORIZATION_POLLS,
      firstWaitMs: pollDelay(0, AUTHORIZATION_POLLS, this.#random),
      ...(options.waker ? { waker: options.waker } : {}),
    })
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
   * certificate's own key (then with a `jwk` header). When an answer is lost (5xx, reset) the
   * request is repeated, and `alreadyRevoked` on a repeat is success: the lost one did it.
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
    for (let failures = 0; ; failures++) {
      try {
        await this.#http.post(directory.revokeCert, payload, signer, deadline, { repeat: 'once' })
        return
      } catch (error) {
        const repeated = failures > 0
        if (repeated && error instanceof AcmeProblemError && error.shortType === 'alreadyRevoked') {
          return
        }
        if (!isTransient(error)) throw error
        await this.#backOff(failures, error, deadline)
      }
    }
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

  /**
   * The directory, loaded once under the client's own deadline (not the first caller's): a
   * caller that gives up stops waiting, the load goes on for the others.
   */
  #directoryWithin(deadline: Deadline): Promise<Directory> {
    if (!this.#directory) {
      const url = this.directoryUrl
      const loading = this.#http
        .get(url, this.#deadline({}))
        .then((response) => parseDirectory(this.#http.json(response), url))
      loading.catch(() => {
        if (this.#directory === loading) this.#directory = undefined
      })
      this.#directory = loading
    }
    return deadline.race(this.#directory, `loading the directory ${this.directoryUrl}`)
  }

  /** Waits before repeat number `failures` of an unsafe request, or throws `error` when spent. */
  async #backOff(failures: number, error: unknown, deadline: Deadline): Promise<void> {
    if (failures >= UNSAFE_RETRIES) throw error
    const problemWait = error instanceof AcmeProblemError ? error.retryAfterMs : undefined
    const wait = problemWait ?? backoffDelay(failures, { ...RETRY_BACKOFF, random: this.#random })
    if (wait > deadline.remaining()) throw error
    try {
      await this.#sleep(wait, deadline.signal)
    } catch (cause) {
      throw deadline.error('waiting to retry', cause)
    }
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
    options: PostOptions = {},
  ): Promise<AcmeResponse> {
    return this.#http.post(url, payload, await this.#signer(deadline), deadline, options)
  }

  #postAsGet(
    url: string,
    deadline: Deadline,
    options: { accept?: string; pace?: Pace } = {},
  ): Promise<AcmeResponse> {
    return this.#post(url, undefined, deadline, options)
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

  #poll<T>(url: string, deadline: Deadline, plan: PollPlan<T>, pace?: Pace): Promise<T> {
    return pollResource(url, deadline, plan, {
      now: this.#now,
      random: this.#random,
      sleep: this.#sleep,
      fetch: async (target) => {
        const response = await this.#postAsGet(target, deadline, pace === undefined ? {} : { pace })
        return { body: this.#http.json(response), retryAfter: response.headers.get('retry-after') }
      },
    })
  }

  #orderSchedule(order: Order | undefined): PollSchedule {
    return order?.status === 'pending' ? AUTHORIZATION_POLLS : ORDER_POLLS
  }

  #pollOrder(
    url: string,
    deadline: Deadline,
    done: (status: Order['status']) => boolean,
  ): Promise<Order> {
    return this.#poll(url, deadline, {
      parse: (body) => parseOrder(body, url),
      done: (o) => done(o.status),
      schedule: (o) => this.#orderSchedule(o),
    })
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
    const response = await this.#postAsGet(url, deadline, {
      accept: 'application/pem-certificate-chain',
      pace: 'finishing',
    })
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
}
