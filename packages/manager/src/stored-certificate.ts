import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'
import { splitPem } from '@autotls/crypto'
import type { ServedKeyType } from './client-key-type.js'
import { ManagerError } from './errors.js'

/**
 * The facts about a leaf the manager acts on. Only these are kept (not the parsed certificate):
 * with tens of thousands of names in memory, every kilobyte per name counts.
 */
export interface LeafFacts {
  readonly serialNumber: string
  readonly notBefore: Date
  readonly notAfter: Date
}

/** A certificate as the manager keeps it: key and chain together, checked. */
export interface StoredCertificate {
  /** PKCS#8 PEM of the certificate key. Never logged. */
  readonly keyPem: string
  /** Leaf first, then intermediates. */
  readonly chainPem: string
  /** Facts about the leaf. */
  readonly leaf: LeafFacts
}

const KEY_LABEL = /^-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/

/**
 * The cache entry of a certificate: the private key PEM, then the chain PEM, in one value so a
 * reader never pairs one certificate's key with another's chain (as Go's autocert stores it).
 *
 * @example
 * await cache.put(certificateKey(name, keyType), encodeStoredCertificate(keyPem, chainPem))
 */
export function encodeStoredCertificate(keyPem: string, chainPem: string): Uint8Array {
  return new TextEncoder().encode(`${keyPem.trimEnd()}\n${chainPem.trimEnd()}\n`)
}

function invalid(name: string, reason: string, cause?: unknown): ManagerError {
  return new ManagerError(
    'ERR_MANAGER_CACHED_CERTIFICATE_INVALID',
    `the cached certificate for ${name} ${reason}; it will be replaced`,
    cause === undefined ? undefined : { cause },
  )
}

/**
 * Sorts the PEM blocks of a key-and-chain entry: the private keys, and the certificates joined in
 * their order. Shared by certificate entries and pending tls-alpn-01 answers.
 *
 * @example
 * const { keys, chainPem } = splitKeyAndChain(splitPem(text))
 */
export function splitKeyAndChain(blocks: readonly string[]): { keys: string[]; chainPem: string } {
  return {
    keys: blocks.filter((block) => KEY_LABEL.test(block)),
    chainPem: blocks.filter((block) => block.startsWith('-----BEGIN CERTIFICATE-----')).join(''),
  }
}

const CURVES: Readonly<Record<string, string>> = { prime256v1: 'ec-p256', secp384r1: 'ec-p384' }

/** The key type of `key` in the manager's terms (`ec-p256`, `rsa-2048`…), or what it is. */
function keyTypeOf(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {}
  if (key.asymmetricKeyType === 'ec') {
    return CURVES[details.namedCurve ?? ''] ?? `EC (${details.namedCurve})`
  }
  if (key.asymmetricKeyType === 'rsa') return `rsa-${details.modulusLength}`
  return String(key.asymmetricKeyType)
}

/**
 * Whether `leaf` names `name` (normalised) in its subject alternative names: an IP address
 * entry, the DNS name itself, or a wildcard for its first label (RFC 6125 §6.4.3); a wildcard
 * `name` only by that wildcard itself.
 */
function covers(leaf: X509Certificate, name: string): boolean {
  if (isIP(name) !== 0) return leaf.checkIP(name) !== undefined
  const dnsNames = (leaf.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).replace(/\.$/, '').toLowerCase())
  if (dnsNames.includes(name)) return true
  if (name.startsWith('*.')) return false
  const dot = name.indexOf('.')
  return dot > 0 && dnsNames.includes(`*${name.slice(dot)}`)
}

/**
 * Reads a cache entry and checks it before use: it parses, holds exactly one private key of the
 * expected type, the key matches the leaf, the leaf covers `name`, and `now` is within its
 * validity. Any failure is a `ManagerError` `ERR_MANAGER_CACHED_CERTIFICATE_INVALID` saying which check.
 *
 * @example
 * const stored = await decodeStoredCertificate(bytes, { name: 'example.com', keyType: 'ec-p256', now: Date.now() })
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5
 */
export async function decodeStoredCertificate(
  bytes: Uint8Array,
  expected: { name: string; keyType: ServedKeyType; now: number },
): Promise<StoredCertificate> {
  const { name } = expected
  let blocks: string[]
  try {
    blocks = splitPem(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (cause) {
    throw invalid(name, 'is not PEM', cause)
  }
  const { keys, chainPem } = splitKeyAndChain(blocks)
  const certificates = blocks.filter((block) => block.startsWith('-----BEGIN CERTIFICATE-----'))
  if (keys.length !== 1 || chainPem === '') {
    throw invalid(name, 'does not hold one private key and a certificate chain')
  }
  const keyPem = keys[0] as string
  // Read natively (OpenSSL): a fraction of a millisecond, where parsing the leaf in JavaScript
  // (twice, for its facts and the key match) and a WebCrypto import took about six.
  let leaf: X509Certificate
  try {
    const key = createPrivateKey(keyPem)
    const type = keyTypeOf(key)
    if (type !== expected.keyType) {
      throw invalid(name, `has a ${type} key where ${expected.keyType} was expected`)
    }
    leaf = new X509Certificate(chainPem)
    if (!leaf.checkPrivateKey(key)) {
      throw invalid(name, 'has a key that does not match its certificate')
    }
  } catch (error) {
    if (error instanceof ManagerError) throw error
    throw invalid(name, 'cannot be read', error)
  }
  const notBefore = new Date(leaf.validFrom)
  const notAfter = new Date(leaf.validTo)
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
    throw invalid(name, 'cannot be read (its validity dates)')
  }
  if (!covers(leaf, name)) throw invalid(name, 'does not cover that name')
  if (expected.now < notBefore.getTime()) throw invalid(name, 'is not valid yet')
  if (expected.now >= notAfter.getTime()) throw invalid(name, 'has expired')
  const serialNumber = leaf.serialNumber.toLowerCase()
  return new HeldCertificate(
    keyPem,
    certificates[0] as string,
    sharedIntermediates(certificates.slice(1).join('')),
    { serialNumber, notBefore, notAfter },
  )
}

/** Distinct intermediate chains kept at most (a CA has a handful; beyond it the map restarts). */
const INTERMEDIATES_KEPT = 16

/** Intermediate chains seen, each kept once: see {@link sharedIntermediates}. */
const intermediates = new Map<string, string>()

/**
 * The one copy of `pem` (the intermediates of a chain): every certificate of one CA carries the
 * same ones, about half of its chain's PEM, so 10,000 names held them 10,000 times (6 MB of the
 * heap). Read back as one string each time a context is built, they cost nothing per name.
 */
function sharedIntermediates(pem: string): string {
  const known = intermediates.get(pem)
  if (known !== undefined) return known
  if (intermediates.size >= INTERMEDIATES_KEPT) intermediates.clear()
  intermediates.set(pem, pem)
  return pem
}

/** A checked certificate as held in memory: its leaf's PEM apart from the shared intermediates. */
class HeldCertificate implements StoredCertificate {
  readonly keyPem: string
  readonly leaf: LeafFacts
  readonly #leafPem: string
  readonly #intermediatesPem: string

  constructor(keyPem: string, leafPem: string, intermediatesPem: string, leaf: LeafFacts) {
    this.keyPem = keyPem
    this.#leafPem = leafPem
    this.#intermediatesPem = intermediatesPem
    this.leaf = leaf
  }

  get chainPem(): string {
    return this.#leafPem + this.#intermediatesPem
  }
}
