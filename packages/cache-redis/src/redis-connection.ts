import { CacheError } from '@autotls/cache'
import type { Redis } from 'ioredis'
import { toCacheError } from './to-cache-error.js'

/** How {@link RedisConnection} treats its client. */
export interface RedisConnectionOptions {
  /** Whether `close()` disconnects the client (true when we created it from a URL). */
  owned: boolean
  /** How long operations issued right after creation wait for the first connection. */
  startupTimeoutMs: number
  now: () => number
}

/**
 * One ioredis client seen through the cache's rules: operations fail fast with
 * `ERR_CACHE_UNAVAILABLE` whenever the client is not connected, except during a short start-up
 * window in which they wait for the first connection; every error becomes a `CacheError`; a
 * caller's `AbortSignal` stops the wait for a reply.
 */
export class RedisConnection {
  readonly client: Redis
  readonly #owned: boolean
  readonly #startupDeadline: number
  readonly #now: () => number
  readonly #firstReady: Promise<void>
  #everReady: boolean
  #closed = false
  readonly #ignoreError = (): void => {}

  constructor(client: Redis, options: RedisConnectionOptions) {
    this.client = client
    this.#owned = options.owned
    this.#now = options.now
    this.#startupDeadline = options.now() + options.startupTimeoutMs
    this.#everReady = client.status === 'ready'
    this.#firstReady = this.#everReady
      ? Promise.resolve()
      : new Promise((resolve) =>
          client.once('ready', () => {
            this.#everReady = true
            resolve()
          }),
        )
    // ioredis prints unhandled `error` events to stderr; the errors of a client we own reach
    // callers as rejected operations instead.
    if (this.#owned) client.on('error', this.#ignoreError)
  }

  /** Runs `command` on the client once it is usable, mapping failures to `CacheError`s. */
  async run<T>(
    operation: string,
    command: (client: Redis) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    signal?.throwIfAborted()
    if (this.#closed) {
      throw new CacheError(
        'ERR_CACHE_UNAVAILABLE',
        `Redis ${operation} after close(): the cache is closed`,
      )
    }
    if (this.client.status !== 'ready') await this.#awaitReady(operation, signal)
    const reply = command(this.client).catch((error: unknown) => {
      throw toCacheError(error, operation)
    })
    return signal ? await abortable(reply, signal) : await reply
  }

  /** Stops using the client; disconnects it only when we created it. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (!this.#owned) return
    if (this.client.status === 'ready') await this.client.quit().catch(() => {})
    this.client.disconnect()
    this.client.off('error', this.#ignoreError)
  }

  async #awaitReady(operation: string, signal: AbortSignal | undefined): Promise<void> {
    const status = this.client.status
    const remaining = this.#startupDeadline - this.#now()
    if (this.#everReady || remaining <= 0 || status === 'end' || status === 'close') {
      throw new CacheError(
        'ERR_CACHE_UNAVAILABLE',
        `Redis ${operation} failed: not connected (client status ${status}); retry once Redis is back`,
      )
    }
    if (status === 'wait') this.client.connect().catch(() => {})
    // Its own timer rather than AbortSignal.any([signal, AbortSignal.timeout()]): on Node 20 that
    // composite can be garbage-collected before it fires, and this wait would never end.
    const timeout = new AbortController()
    const timer = setTimeout(() => timeout.abort(new Error('start-up window over')), remaining)
    timer.unref()
    const race = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal
    await abortable(this.#firstReady, race)
      .finally(() => clearTimeout(timer))
      .catch((error: unknown) => {
        if (signal?.aborted) throw signal.reason
        throw new CacheError(
          'ERR_CACHE_UNAVAILABLE',
          `Redis ${operation} failed: no connection within the start-up window; retry once Redis is reachable`,
          { cause: error },
        )
      })
  }
}

/** Settles like `promise`, or rejects with the signal's reason as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
