import { AcmeClient } from '@autotls/acme'
import { accountKey, type CacheStore, lockName } from '@autotls/cache'
import { exportPrivateKeyPem, generateKeyPair, importPrivateKeyPem } from '@autotls/crypto'
import { abortable } from './abortable.js'
import { ManagerError } from './errors.js'
import type { ResolvedOptions } from './resolve-options.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * The ACME account and the client that uses it: the account key is read from the cache (or
 * created once, under the cache lock, so processes sharing the cache share one account), the
 * terms and External Account Binding are checked, and the account is registered once.
 *
 * The client is created under the manager's lifetime, not under any caller's: each caller races
 * its own signal against the shared creation, so one caller giving up never fails the others.
 *
 * @example
 * const account = new AcmeAccount(store, options, lifetime)
 * const client = await account.client(signal)
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.3
 */
export class AcmeAccount {
  readonly #store: CacheStore
  readonly #options: ResolvedOptions
  readonly #lifetime: AbortSignal
  #client: Promise<AcmeClient> | undefined
  /** Whether the CA offers ARI (RFC 9773); unknown until the directory was read. */
  #ariOffered: boolean | undefined

  constructor(store: CacheStore, options: ResolvedOptions, lifetime: AbortSignal) {
    this.#store = store
    this.#options = options
    this.#lifetime = lifetime
  }

  /** Whether the CA's directory lists `renewalInfo`; undefined before the first client. */
  get ariOffered(): boolean | undefined {
    return this.#ariOffered
  }

  /** The registered client, created once; `signal` stops this caller's wait only. */
  client(signal?: AbortSignal): Promise<AcmeClient> {
    if (!this.#client) {
      const created = this.#create(this.#lifetime)
      this.#client = created
      created.catch(() => {
        if (this.#client === created) this.#client = undefined
      })
    }
    return abortable(this.#client, signal)
  }

  async #accountKeyPem(signal: AbortSignal): Promise<Uint8Array> {
    const key = accountKey(this.#options.directoryUrl)
    const stored = await this.#store.get(key, { signal })
    if (stored !== null) return stored
    const lease = await this.#store.lock(lockName(key), {
      ttlMs: this.#options.lockTtlMs,
      signal,
    })
    try {
      const again = await this.#store.get(key, { signal })
      if (again !== null) return again
      const bytes = encoder.encode(await exportPrivateKeyPem(await generateKeyPair('ec-p256')))
      await this.#store.put(key, bytes, { signal, lease })
      return bytes
    } finally {
      await lease.release().catch(() => {})
    }
  }

  async #create(signal: AbortSignal): Promise<AcmeClient> {
    const options = this.#options
    const url = options.directoryUrl
    const client = new AcmeClient({
      directoryUrl: url,
      accountKey: await importPrivateKeyPem(decoder.decode(await this.#accountKeyPem(signal))),
      ...(options.caPem === undefined ? {} : { caPem: options.caPem }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      now: options.now,
      random: options.random,
    })
    const directory = await client.directory({ signal })
    this.#ariOffered = directory.renewalInfo !== undefined
    const terms = directory.meta.termsOfService
    const accepted = options.acceptTerms
    if (terms !== undefined && accepted !== true && accepted !== terms) {
      throw new ManagerError(
        'ERR_MANAGER_TERMS_NOT_ACCEPTED',
        typeof accepted === 'string'
          ? `the CA's terms of service changed to ${terms} (you accepted ${accepted}): read them, then set acceptTerms to the new URL`
          : `the CA at ${url} requires accepting its terms of service at ${terms}: read them, then set acceptTerms: true`,
      )
    }
    if (directory.meta.externalAccountRequired && !options.externalAccountBinding) {
      throw new ManagerError(
        'ERR_MANAGER_INVALID_OPTION',
        `the CA at ${url} requires External Account Binding: set externalAccountBinding: { kid, hmacKey } from your CA account`,
      )
    }
    await client.createAccount({
      ...(terms === undefined ? {} : { termsOfServiceAgreed: true }),
      ...(options.emails.length > 0
        ? { contact: options.emails.map((email) => `mailto:${email}`) }
        : {}),
      ...(options.externalAccountBinding
        ? { externalAccountBinding: options.externalAccountBinding }
        : {}),
      signal,
    })
    return client
  }
}
