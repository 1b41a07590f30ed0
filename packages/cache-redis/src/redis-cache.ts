import { randomBytes as nodeRandomBytes } from 'node:crypto'
import {
  type CacheCallOptions,
  CacheError,
  type CacheStore,
  type CacheWriteOptions,
  type Lease,
  type LockOptions,
} from '@autotls/cache'
import {
  assertValidKey,
  checkCallOptions,
  checkLockOptions,
  checkWriteOptions,
  type KeptLease,
  staleLeaseError,
  type WriteFence,
} from '@autotls/cache/backend'
import { Redis } from 'ioredis'
import { acquireLock } from './acquire-lock.js'
import { FENCED_DEL, FENCED_SET, type LuaScript, runScript } from './lock-scripts.js'
import { RedisConnection } from './redis-connection.js'
import { redisKeys } from './redis-keys.js'

/** Options of {@link redisCache}: give exactly one of `url` and `client`. */
export interface RedisCacheOptions {
  /**
   * `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. The cache creates the
   * client with fail-fast options (see the README), owns it and disconnects it on `close()`.
   */
  url?: string
  /**
   * An ioredis client you created and keep owning (`close()` leaves it connected). Create it with
   * `enableOfflineQueue: false`, `maxRetriesPerRequest: 0` and a `commandTimeout` so operations
   * fail fast while Redis is away instead of queueing.
   */
  client?: Redis
  /**
   * Namespace for every Redis key this cache writes, so several deployments can share one Redis.
   * 1–100 characters of `[A-Za-z0-9._:/-]`. Default `autotls`.
   */
  prefix?: string
  /** With `url`: how long one command may wait for its reply. Default 2000 ms. */
  commandTimeoutMs?: number
  /**
   * How long operations issued right after creation wait for the first connection before failing
   * with `ERR_CACHE_UNAVAILABLE`; afterwards a disconnected client fails at once. Default 5000 ms.
   */
  startupTimeoutMs?: number
  /** Clock for lease deadlines, in ms. Default `Date.now`. */
  now?: () => number
  /** Source of lock owner ids and poll jitter. Default `crypto.randomBytes`. */
  randomBytes?: (size: number) => Uint8Array
}

/** A Redis-backed {@link CacheStore} that can be closed. */
export interface RedisCache extends CacheStore {
  /**
   * Releases the leases it handed out that are still held, then disconnects the client if the cache created
   * it. Later calls reject with `ERR_CACHE_UNAVAILABLE`. Safe to call twice.
   */
  close(): Promise<void>
}

/** The shortest lease TTL accepted: renewal runs every third of it. */
const MIN_TTL_MS = 30

function invalidOption(message: string): CacheError {
  return new CacheError('ERR_CACHE_INVALID_OPTION', message)
}

function checkOptions(options: RedisCacheOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('redisCache needs options: { url } or { client }')
  }
  const { url, client } = options
  if ((url === undefined) === (client === undefined)) {
    throw invalidOption('redisCache needs exactly one of `url` (redis://host:port) and `client`')
  }
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\/./.test(url))) {
    throw invalidOption(
      'the Redis url must start with redis:// or rediss://, e.g. redis://127.0.0.1:6379',
    )
  }
  if (
    client !== undefined &&
    (typeof client !== 'object' || client === null || typeof client.evalsha !== 'function')
  ) {
    throw invalidOption('client must be an ioredis Redis client')
  }
  for (const name of ['commandTimeoutMs', 'startupTimeoutMs'] as const) {
    const value = options[name]
    if (value !== undefined && !(typeof value === 'number' && value > 0 && value < 2 ** 31)) {
      throw invalidOption(`${name} must be a positive number of milliseconds, got ${String(value)}`)
    }
  }
  for (const name of ['now', 'randomBytes'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw invalidOption(`${name} must be a function`)
    }
  }
}

/**
 * A certificate cache on Redis, shared by every replica that points at the same Redis and prefix.
 *
 * Values are stored as binary strings with `SET` (atomic). Locks are `SET NX PX` keys holding a
 * random owner id, renewed every `ttlMs / 3` and released by compare-and-set Lua scripts; each
 * acquisition draws a fencing token from a per-lock `INCR` counter in the same script; a write that
 * carries a lease compares its token with that counter and writes in one script. While Redis
 * is unreachable every operation rejects at once with `CacheError` `ERR_CACHE_UNAVAILABLE`, and
 * works again once the client has reconnected.
 *
 * @example
 * ```ts
 * const cache = redisCache({ url: 'redis://127.0.0.1:6379', prefix: 'autotls' })
 * const key = certificateKey('example.com', 'ecdsa-p256')
 * const lease = await cache.lock(lockName(key), { ttlMs: 30_000 })
 * try {
 *   await cache.put(key, bytes, { lease, signal: lease.lost })
 * } finally {
 *   await lease.release()
 * }
 * await cache.close()
 * ```
 * @see https://redis.io/docs/latest/develop/use/patterns/distributed-locks/
 * @see https://redis.io/docs/latest/commands/set/
 */
export function redisCache(options: RedisCacheOptions): RedisCache {
  checkOptions(options)
  const { url, client } = options
  const keys = redisKeys(options.prefix ?? 'autotls')
  const now = options.now ?? Date.now
  const randomBytes = options.randomBytes ?? nodeRandomBytes
  const connection = new RedisConnection(client ?? createClient(url ?? '', options), {
    owned: client === undefined,
    startupTimeoutMs: options.startupTimeoutMs ?? 5000,
    now,
  })
  const leases = new Set<KeptLease>()

  async function fencedWrite(
    operation: string,
    lua: LuaScript,
    dataKey: string,
    fence: WriteFence,
    value: Buffer | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const args = [fence.token.toString(), ...(value ? [value] : [])]
    const reply = await connection.run(
      operation,
      (redis) => runScript(redis, lua, [dataKey, keys.fence(fence.name)], args),
      signal,
    )
    if (!Array.isArray(reply) || (reply[0] !== 0 && reply[0] !== 1)) {
      throw new CacheError(
        'ERR_CACHE_CORRUPT',
        `unexpected reply from the fenced ${operation} script: ${JSON.stringify(reply)}`,
      )
    }
    if (reply[0] === 0) throw staleLeaseError(fence, BigInt(String(reply[1])))
  }

  return {
    async get(key: string, callOptions?: CacheCallOptions): Promise<Uint8Array | null> {
      assertValidKey(key)
      const signal = checkCallOptions(callOptions)
      const value = await connection.run('GET', (redis) => redis.getBuffer(keys.data(key)), signal)
      return value === null ? null : new Uint8Array(value)
    },

    async put(key: string, value: Uint8Array, callOptions?: CacheWriteOptions): Promise<void> {
      assertValidKey(key)
      if (!(value instanceof Uint8Array)) {
        throw invalidOption('cache values must be a Uint8Array (or Buffer)')
      }
      const { signal, fence } = checkWriteOptions(callOptions)
      const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
      if (fence) return fencedWrite('SET', FENCED_SET, keys.data(key), fence, bytes, signal)
      await connection.run('SET', (redis) => redis.set(keys.data(key), bytes), signal)
    },

    async delete(key: string, callOptions?: CacheWriteOptions): Promise<void> {
      assertValidKey(key)
      const { signal, fence } = checkWriteOptions(callOptions)
      if (fence) return fencedWrite('DEL', FENCED_DEL, keys.data(key), fence, undefined, signal)
      await connection.run('DEL', (redis) => redis.del(keys.data(key)), signal)
    },

    async lock(name: string, lockOptions: LockOptions): Promise<Lease> {
      assertValidKey(name)
      const { ttlMs, signal } = checkLockOptions(lockOptions)
      if (!Number.isSafeInteger(ttlMs) || ttlMs < MIN_TTL_MS) {
        throw invalidOption(`ttlMs must be a whole number of at least ${MIN_TTL_MS}, got ${ttlMs}`)
      }
      const lease = await acquireLock({
        connection,
        name,
        lockKey: keys.lock(name),
        fenceKey: keys.fence(name),
        ttlMs,
        signal,
        now,
        randomBytes,
        onEnd: (ended) => leases.delete(ended),
      })
      leases.add(lease)
      return lease
    },

    async close(): Promise<void> {
      // Give held locks back so other replicas need not wait out their TTL; a lease whose
      // release cannot reach Redis expires there on its own.
      await Promise.allSettled([...leases].map((lease) => lease.release()))
      leases.clear()
      await connection.close()
    },
  }
}

function createClient(url: string, options: RedisCacheOptions): Redis {
  try {
    return newClient(url, options)
  } catch (cause) {
    throw new CacheError('ERR_CACHE_INVALID_OPTION', `the Redis url ${url} does not parse`, {
      cause,
    })
  }
}

function newClient(url: string, options: RedisCacheOptions): Redis {
  return new Redis(url, {
    // Fail at once while disconnected instead of queueing until Redis is back.
    enableOfflineQueue: false,
    // A command in flight when the connection drops fails instead of being resent later.
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    connectTimeout: 2000,
    // Reconnect quickly: 50 ms, doubling, at most 1 s apart.
    retryStrategy: (attempt) => Math.min(50 * 2 ** (attempt - 1), 1000),
  })
}
