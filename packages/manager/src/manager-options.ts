import type { ChallengeSolver } from '@autotls/acme'
import type { CacheStore } from '@autotls/cache'
import type { ServedKeyType } from './client-key-type.js'
import type { HostPolicy } from './host-policy.js'
import type { Logger } from './logger.js'
import type { ManagerEvent } from './manager-event.js'

/**
 * A challenge type the manager can answer: `tls-alpn-01` and `http-01` by itself, `dns-01`
 * through the `dns` solver.
 */
export type ManagedChallenge = 'tls-alpn-01' | 'http-01' | 'dns-01'

/** Renewal tuning; the defaults suit Let's Encrypt and most CAs. */
export interface RenewalOptions {
  /** First retry delay after a failed renewal, doubled per failure. Default 60 s. */
  backoffBaseMs?: number
  /** Longest retry delay. Default 6 h (always shortened so two attempts fit before expiry). */
  backoffMaxMs?: number
}

/**
 * A bound on new orders, so that anyone able to send an SNI under an allowed pattern cannot spend
 * the CA's rate limits. Renewals of certificates already held are counted but never refused: new
 * names cannot starve them. Let's Encrypt allows 300 new orders per account per 3 hours and 50
 * certificates per registered domain per week; the defaults stay well under both.
 */
export interface IssuanceBudget {
  /** New orders in any `windowMs`, renewals included. Default 200. */
  maxOrders?: number
  /** Window of `maxOrders`. Default 3 h. */
  windowMs?: number
  /**
   * New orders per registered domain (taken as the last two labels, which is stricter than the
   * public suffix list for names like `a.example.co.uk`) in any `domainWindowMs`. Default 30.
   */
  maxOrdersPerDomain?: number
  /** Window of `maxOrdersPerDomain`. Default 7 days. */
  domainWindowMs?: number
}

/**
 * Everything {@link createManager} takes. Only `hosts` is required; read `acceptTerms` before
 * pointing it at a CA with terms of service (all public ones have them).
 */
export interface ManagerOptions {
  /**
   * Which names to obtain certificates for: exact names, `*.example.com` patterns (one label),
   * or a function. Required: without it anyone pointing a name at the server could make it
   * request certificates and exhaust the CA's rate limits.
   */
  hosts: HostPolicy
  /**
   * Where certificates, the account key and pending challenge answers live, and the locks that
   * make processes sharing it issue once (`dirCache({ dir })`, `redisCache(…)`). Default: memory,
   * with a warning, since certificates are then lost on restart and re-issued (rate limits).
   */
  cache?: CacheStore
  /** Contact address(es) the CA may write to about expiring or revoked certificates. */
  email?: string | readonly string[]
  /**
   * Your acceptance of the CA's terms of service: `true`, or the exact terms URL you read (then a
   * change of terms stops issuance until you accept the new URL). Issuing fails with
   * `ERR_MANAGER_TERMS_NOT_ACCEPTED` when the CA has terms and this is not set.
   */
  acceptTerms?: boolean | string
  /** ACME directory URL. Default Let's Encrypt production. */
  directoryUrl?: string
  /** Extra CA certificates (PEM) to trust for the ACME API: a private CA or a test CA. */
  caPem?: string | readonly string[]
  /**
   * Certificate key types to serve, first preferred. Default both `ec-p256` and `rsa-2048`:
   * each client gets ECDSA when it supports it, RSA otherwise (as Go's autocert).
   */
  keyTypes?: readonly ServedKeyType[]
  /**
   * Challenge types to use for names that are not served by a wildcard certificate, in order of
   * preference. Default: `tls-alpn-01` once `createServer()` was called, `http-01` once
   * `httpHandler()` was called, then `dns-01` when `dns` is set. `dns-01` needs `dns`. Wildcard
   * certificates always use `dns-01` (the only challenge a CA accepts for them).
   */
  challenges?: readonly ManagedChallenge[]
  /**
   * DNS-01: a `dns-01` solver, `dns01Solver({ provider })` from `@autotls/dns` with a provider
   * such as `rfc2136Provider(…)` (it owns zone discovery, CNAME delegation and the propagation
   * checks). With it, each `*.example.com` pattern in a list `hosts` is served by ONE wildcard
   * certificate for `*.example.com` and `example.com`, obtained at the first handshake for any
   * subdomain (or the apex, which the pattern then allows too) and renewed like any other. It is
   * cached under `+.example.com` (`@autotls/cache` keys allow no `*`). Exact names keep using
   * `challenges`.
   */
  dns?: ChallengeSolver
  /** ACME profile to request (draft-ietf-acme-profiles), e.g. `shortlived`. Default none. */
  profile?: string
  /** Issuer common name of the chain to prefer among those the CA offers. Default: CA's default. */
  preferredChain?: string
  /** External Account Binding, for CAs that require one (ZeroSSL, Google, most private CAs). */
  externalAccountBinding?: { kid: string; hmacKey: string }
  /** Accept IP addresses as names (RFC 8738; few CAs issue for them). Default false. */
  allowIp?: boolean
  /** Renewal tuning. */
  renewal?: RenewalOptions
  /**
   * How long a handshake waits for a certificate that is being obtained before that handshake
   * fails (the issuance goes on). Default 30 s: most clients give up around then anyway.
   */
  handshakeTimeoutMs?: number
  /**
   * How long a failed issuance is remembered: handshakes for that name fail at once meanwhile, so
   * a flood of handshakes never becomes a flood of orders. Default 60 s. A failure because the
   * cache store was unreachable (no order was placed) is remembered for at most one second.
   */
  failureTtlMs?: number
  /** Deadline of one whole issuance (order to certificate). Default 5 minutes. */
  issuanceTimeoutMs?: number
  /**
   * Ready TLS contexts kept in an LRU (each holds ~30 KiB of OpenSSL state). A name evicted from
   * it gets a new context from the validated certificate kept in memory (~1 ms), so memory stays
   * bounded with tens of thousands of names. Default 1,000.
   */
  maxContexts?: number
  /**
   * Orders run at once by this process; more wait their turn, first come first served. An order
   * spends most of its time waiting for the CA to validate (seconds at a real CA), so the bound is
   * high: 50 new names at once against Pebble with its validation delays were all served in 5.5 s
   * (tools/bench, 2026-11-29; 22.8 s with a bound of 8). The CA is protected by the ACME client's request pace (see
   * `@autotls/acme`, "Request budget") and by `issuanceBudget`, not by this.
   * Default 100.
   */
  maxConcurrentIssuances?: number
  /**
   * Time to live of the cache lock an issuance holds, renewed while it runs. It bounds how long
   * a process that crashed mid-issuance blocks the others from issuing that name. Default 60 s;
   * at least 3 s (the lease is renewed every third of it).
   */
  lockTtlMs?: number
  /**
   * Bound on new orders per window, in total and per registered domain. Default
   * `{ maxOrders: 200, windowMs: 3 h, maxOrdersPerDomain: 30, domainWindowMs: 7 days }`; `false`
   * turns it off.
   */
  issuanceBudget?: IssuanceBudget | false
  /**
   * Failed names remembered at once (each for `failureTtlMs`); beyond it the oldest is forgotten,
   * so memory stays flat however many distinct names fail. Default 10,000.
   */
  maxFailures?: number
  /**
   * A refused handshake (name invalid or outside the policy, over budget, no certificate) is
   * logged at `warn` at most once per name per this interval, and at most 20 lines per interval
   * in all. Every refusal is counted and emitted as a `refused` event regardless. Default 60 s.
   */
  refusalLogIntervalMs?: number
  /** HTTPS port used in the port-80 redirects. Default 443. */
  httpsPort?: number
  /** Deadline for a client's whole ClientHello on `createServer()` servers. Default 10 s. */
  helloTimeoutMs?: number
  /**
   * Deadline of the client's part of a TLS handshake on `createServer()` servers (application and
   * challenge), from accept to secure connection; the time the manager spends obtaining a
   * certificate is not counted (that is bounded by `handshakeTimeoutMs`). A client that stalls
   * after its ClientHello is dropped then. Default `helloTimeoutMs`.
   */
  tlsHandshakeTimeoutMs?: number
  /** Where log lines go (pino-compatible). Default: warnings and errors to the console. */
  logger?: Logger
  /**
   * Called for every certificate obtained, renewed, or failed, and every refused handshake.
   * Exceptions are logged, not thrown.
   */
  onEvent?: (event: ManagerEvent) => void
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: () => number
  /** Randomness for jitter, in [0, 1). Default `Math.random`. */
  random?: () => number
  /** The transport to the CA (see `@autotls/acme`). Default node:https trusting `caPem` too. */
  fetch?: typeof globalThis.fetch
}
