import { AcmeError, type ProblemDocument } from './errors.js'

/** An identifier in an order or authorization (RFC 8555 §9.7.7; `ip` from RFC 8738). */
export interface AcmeIdentifier {
  readonly type: string
  readonly value: string
}

/**
 * The server's directory: endpoint URLs and metadata.
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.1.1
 */
export interface Directory {
  readonly newNonce: string
  readonly newAccount: string
  readonly newOrder: string
  readonly revokeCert: string
  readonly keyChange: string
  readonly newAuthz?: string
  /** RFC 9773: present when the CA offers ACME Renewal Information. */
  readonly renewalInfo?: string
  readonly meta: {
    readonly termsOfService?: string
    readonly website?: string
    readonly caaIdentities?: readonly string[]
    readonly externalAccountRequired?: boolean
    /** draft-ietf-acme-profiles: profile name → human-readable description. */
    readonly profiles?: Readonly<Record<string, string>>
  }
}

/**
 * An account object and its URL (the `kid` of later requests).
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.1.2
 */
export interface Account {
  readonly url: string
  readonly status: 'valid' | 'deactivated' | 'revoked'
  readonly contact: readonly string[]
  readonly termsOfServiceAgreed?: boolean
  readonly orders?: string
}

/** An order's status (RFC 8555 §7.1.6). */
export type OrderStatus = 'pending' | 'ready' | 'processing' | 'valid' | 'invalid'

/**
 * An order object and its URL.
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.1.3
 */
export interface Order {
  readonly url: string
  readonly status: OrderStatus
  readonly expires?: string
  readonly identifiers: readonly AcmeIdentifier[]
  readonly notBefore?: string
  readonly notAfter?: string
  readonly error?: ProblemDocument
  readonly authorizations: readonly string[]
  readonly finalize: string
  readonly certificate?: string
  /** draft-ietf-acme-profiles */
  readonly profile?: string
  /** RFC 9773 §5 */
  readonly replaces?: string
}

/** A challenge's status (RFC 8555 §7.1.6). */
export type ChallengeStatus = 'pending' | 'processing' | 'valid' | 'invalid'

/**
 * A challenge object.
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-8
 */
export interface Challenge {
  readonly type: string
  readonly url: string
  readonly status: ChallengeStatus
  readonly token: string
  readonly validated?: string
  readonly error?: ProblemDocument
}

/** An authorization's status (RFC 8555 §7.1.6). */
export type AuthorizationStatus =
  | 'pending'
  | 'valid'
  | 'invalid'
  | 'deactivated'
  | 'expired'
  | 'revoked'

/**
 * An authorization object and its URL.
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.1.4
 */
export interface Authorization {
  readonly url: string
  readonly identifier: AcmeIdentifier
  readonly status: AuthorizationStatus
  readonly expires?: string
  readonly challenges: readonly Challenge[]
  readonly wildcard?: boolean
}

type Json = Record<string, unknown>

function fail(what: string, url: string): never {
  throw new AcmeError('ERR_ACME_RESPONSE', `${what} in the response from ${url}`)
}

function object(value: unknown, what: string, url: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`expected a JSON object for ${what}`, url)
  }
  return value as Json
}

function string(json: Json, key: string, url: string): string {
  const value = json[key]
  if (typeof value !== 'string' || value === '') fail(`missing string "${key}"`, url)
  return value
}

function optionalString(json: Json, key: string, url: string): string | undefined {
  const value = json[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') fail(`"${key}" is not a string`, url)
  return value
}

function oneOf<T extends string>(json: Json, key: string, allowed: readonly T[], url: string): T {
  const value = string(json, key, url)
  if (!(allowed as readonly string[]).includes(value)) fail(`unknown ${key} "${value}"`, url)
  return value as T
}

function stringArray(value: unknown, key: string, url: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    fail(`"${key}" is not an array of strings`, url)
  }
  return value as string[]
}

function identifier(value: unknown, url: string): AcmeIdentifier {
  const json = object(value, 'an identifier', url)
  return { type: string(json, 'type', url), value: string(json, 'value', url) }
}

function problem(value: unknown): ProblemDocument | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const type = (value as Json).type
  return typeof type === 'string' ? (value as ProblemDocument) : undefined
}

/** Validates a directory object. */
export function parseDirectory(value: unknown, url: string): Directory {
  const json = object(value, 'the directory', url)
  const meta = json.meta === undefined ? {} : object(json.meta, 'meta', url)
  const profiles =
    meta.profiles === undefined ? undefined : object(meta.profiles, 'meta.profiles', url)
  const optional = (key: string): Record<string, string> => {
    const v = optionalString(json, key, url)
    return v === undefined ? {} : { [key]: v }
  }
  return {
    newNonce: string(json, 'newNonce', url),
    newAccount: string(json, 'newAccount', url),
    newOrder: string(json, 'newOrder', url),
    revokeCert: string(json, 'revokeCert', url),
    keyChange: string(json, 'keyChange', url),
    ...optional('newAuthz'),
    ...optional('renewalInfo'),
    meta: {
      ...(typeof meta.termsOfService === 'string' ? { termsOfService: meta.termsOfService } : {}),
      ...(typeof meta.website === 'string' ? { website: meta.website } : {}),
      ...(Array.isArray(meta.caaIdentities)
        ? { caaIdentities: stringArray(meta.caaIdentities, 'caaIdentities', url) }
        : {}),
      ...(typeof meta.externalAccountRequired === 'boolean'
        ? { externalAccountRequired: meta.externalAccountRequired }
        : {}),
      ...(profiles
        ? {
            profiles: Object.fromEntries(
              Object.entries(profiles).map(([k, v]) => [k, typeof v === 'string' ? v : '']),
            ),
          }
        : {}),
    },
  }
}

/** Validates an account object fetched from `url`. */
export function parseAccount(value: unknown, url: string): Account {
  const json = object(value, 'the account', url)
  return {
    url,
    status: oneOf(json, 'status', ['valid', 'deactivated', 'revoked'], url),
    contact: json.contact === undefined ? [] : stringArray(json.contact, 'contact', url),
    ...(typeof json.termsOfServiceAgreed === 'boolean'
      ? { termsOfServiceAgreed: json.termsOfServiceAgreed }
      : {}),
    ...(typeof json.orders === 'string' ? { orders: json.orders } : {}),
  }
}

/** Validates an order object fetched from `url`. */
export function parseOrder(value: unknown, url: string): Order {
  const json = object(value, 'the order', url)
  if (!Array.isArray(json.identifiers)) fail('missing "identifiers"', url)
  const error = problem(json.error)
  const extra: Record<string, string> = {}
  for (const key of ['expires', 'notBefore', 'notAfter', 'certificate', 'profile', 'replaces']) {
    const v = optionalString(json, key, url)
    if (v !== undefined) extra[key] = v
  }
  return {
    url,
    status: oneOf(json, 'status', ['pending', 'ready', 'processing', 'valid', 'invalid'], url),
    identifiers: (json.identifiers as unknown[]).map((i) => identifier(i, url)),
    authorizations: stringArray(json.authorizations, 'authorizations', url),
    finalize: string(json, 'finalize', url),
    ...extra,
    ...(error ? { error } : {}),
  }
}

/** Validates a challenge object. */
export function parseChallenge(value: unknown, url: string): Challenge {
  const json = object(value, 'a challenge', url)
  const error = problem(json.error)
  const validated = optionalString(json, 'validated', url)
  return {
    type: string(json, 'type', url),
    url: string(json, 'url', url),
    status: oneOf(json, 'status', ['pending', 'processing', 'valid', 'invalid'], url),
    token: typeof json.token === 'string' ? json.token : '',
    ...(validated === undefined ? {} : { validated }),
    ...(error ? { error } : {}),
  }
}

/** Validates an authorization object fetched from `url`. */
export function parseAuthorization(value: unknown, url: string): Authorization {
  const json = object(value, 'the authorization', url)
  if (!Array.isArray(json.challenges)) fail('missing "challenges"', url)
  const expires = optionalString(json, 'expires', url)
  return {
    url,
    identifier: identifier(json.identifier, url),
    status: oneOf(
      json,
      'status',
      ['pending', 'valid', 'invalid', 'deactivated', 'expired', 'revoked'],
      url,
    ),
    challenges: (json.challenges as unknown[]).map((c) => parseChallenge(c, url)),
    ...(expires === undefined ? {} : { expires }),
    ...(json.wildcard === true ? { wildcard: true } : {}),
  }
}
