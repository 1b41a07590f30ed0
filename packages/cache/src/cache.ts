/** Options every cache operation takes. */
export interface CacheCallOptions {
  /** Aborts the operation; the promise then rejects with the signal's reason. */
  signal?: AbortSignal
}

/**
 * Where certificates, account keys and pending challenge answers live.
 *
 * Keys are `/`-separated segments of `[a-z0-9._+-]` built by the functions in `layout.ts` from
 * validated names only; a backend rejects any other key with `ERR_CACHE_INVALID_KEY`.
 */
export interface Cache {
  /** The stored bytes, or `null` when the key is absent. */
  get(key: string, options?: CacheCallOptions): Promise<Uint8Array | null>
  /** Stores `value` atomically: a concurrent reader sees the old value or the new one, never a mix. */
  put(key: string, value: Uint8Array, options?: CacheCallOptions): Promise<void>
  /** Removes the key; resolves also when it was absent. */
  delete(key: string, options?: CacheCallOptions): Promise<void>
}

/** Options of {@link Locker.lock}. */
export interface LockOptions {
  /**
   * How long the lease survives without its holder: the holder renews it well before this, and
   * when the holder dies, another process can take the lock this long after the last renewal.
   */
  ttlMs: number
  /** Stops waiting for the lock; the promise then rejects with the signal's reason. */
  signal?: AbortSignal
}

/** Mutual exclusion among every process sharing one store. */
export interface Locker {
  /** Waits until the lock on `name` is held by this caller, or until `signal` aborts. */
  lock(name: string, options: LockOptions): Promise<Lease>
}

/** A held lock. */
export interface Lease {
  /**
   * Fencing token: strictly increasing per lock name across all holders, as a decimal string.
   * Compare with `compareFencingTokens`, not as strings.
   */
  readonly token: string
  /** Aborts when the lease could not be kept alive: stop the guarded work, it may overlap another holder's. */
  readonly lost: AbortSignal
  /** Gives the lock up. Safe to call twice; resolves also when the lease was already lost. */
  release(): Promise<void>
}

/** A store that holds both data and locks, as every backend of ours does. */
export interface CacheStore extends Cache, Locker {}
