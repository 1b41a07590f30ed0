/** Options every cache operation takes. */
export interface CacheCallOptions {
  /** Aborts the operation; the promise then rejects with the signal's reason. */
  signal?: AbortSignal
}

/** Options of {@link Cache.put} and {@link Cache.delete}. */
export interface CacheWriteOptions extends CacheCallOptions {
  /**
   * The lease of the lock this write is made under. The backend refuses the write, atomically and
   * with `ERR_CACHE_STALE_LEASE`, when a newer lease was granted for `lease.name` since: a holder
   * that lost its lock (a long pause, a partition) cannot overwrite its successor's work. Without
   * a lease the write is not fenced.
   */
  lease?: Lease
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
  /**
   * Stores `value` atomically: a concurrent reader sees the old value or the new one, never a mix.
   * With `options.lease`, rejects with `ERR_CACHE_STALE_LEASE` and writes nothing when a newer
   * lease was granted for that lock.
   */
  put(key: string, value: Uint8Array, options?: CacheWriteOptions): Promise<void>
  /**
   * Removes the key; resolves also when it was absent. With `options.lease`, rejects with
   * `ERR_CACHE_STALE_LEASE` and removes nothing when a newer lease was granted for that lock.
   */
  delete(key: string, options?: CacheWriteOptions): Promise<void>
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
  /** The lock name this lease was granted for, as passed to `lock()`. */
  readonly name: string
  /**
   * Fencing token: strictly increasing per lock name across all holders, as a decimal string.
   * Pass the lease with every write made under the lock (`put(key, value, { lease })`): the
   * backend refuses it once a newer token was granted.
   */
  readonly token: string
  /** Aborts when the lease could not be kept alive: stop the guarded work, it may overlap another holder's. */
  readonly lost: AbortSignal
  /** Gives the lock up. Safe to call twice; resolves also when the lease was already lost. */
  release(): Promise<void>
}

/** A store that holds both data and locks, as every backend of ours does. */
export interface CacheStore extends Cache, Locker {}
