import { readFile, unlink } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import {
  type CacheCallOptions,
  CacheError,
  type CacheStore,
  type CacheWriteOptions,
  type Lease,
  type LockOptions,
} from '@autotls/cache'
import {
  checkCallOptions,
  checkLockOptions,
  checkWriteOptions,
  type KeptLease,
} from '@autotls/cache/backend'
import { writeFileAtomic } from './atomic-write.js'
import { acquireDirLock } from './dir-lock.js'
import { fencedCommit } from './fenced-commit.js'
import { lockPath, valuePath } from './key-path.js'
import { ensurePrivateDir } from './private-dir.js'
import { removeStaleTempFiles } from './stale-temp-files.js'

/** Options of {@link dirCache}. */
export interface DirCacheOptions {
  /**
   * The directory holding the cache, created (mode 0700) when missing. Every process sharing
   * certificates and locks points at the same directory, on a local file system: lock expiry is
   * compared across processes by wall clock, and NFS rename and link semantics are not relied on.
   */
  dir: string
  /** The clock lock expiry is measured on, in milliseconds. Default `Date.now`. */
  now?: () => number
}

/** The store {@link dirCache} returns. */
export interface DirCache extends CacheStore {
  /** The absolute cache directory. */
  readonly dir: string
  /**
   * Releases every lease this store handed out that is still held, so other processes need not
   * wait for them: call it at shutdown (after the manager's `close()`). Data stays on disk.
   */
  close(): Promise<void>
}

function checkOptions(options: DirCacheOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new CacheError('ERR_CACHE_INVALID_OPTION', 'dirCache needs options: { dir }')
  }
  if (typeof options.dir !== 'string' || options.dir === '' || options.dir.includes('\0')) {
    throw new CacheError(
      'ERR_CACHE_INVALID_OPTION',
      'dirCache needs { dir }: the directory to keep certificates in',
    )
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new CacheError(
      'ERR_CACHE_INVALID_OPTION',
      'now must be a function returning milliseconds',
    )
  }
}

function ioError(what: string, key: string, cause: unknown, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason
  if (cause instanceof CacheError) return cause
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error'
  return new CacheError(
    'ERR_CACHE_IO',
    `could not ${what} ${key} (${code}): check that the cache directory is writable and has space`,
    { cause },
  )
}

/**
 * A cache in a directory: each key is a file below `dir` (`v1/certs/example.com/ecdsa-p256` →
 * `<dir>/v1/certs/example.com/ecdsa-p256~`), directories 0700 and files 0600 whatever the
 * umask. Writes are atomic and durable (temporary file, fsync, rename, fsync of the directory),
 * so a crash leaves the old value or the new one; the temporary files of writers killed
 * mid-write are removed by the first later write in their directory, once ten minutes old.
 * Locks work across processes on one machine: a lock is a directory of generation files created
 * with `link()`, renewed by a heartbeat, taken over once expired — empty or half-written lock
 * files included — or at once when its holder's process on this host is gone. Writes that carry
 * a lease are fenced by generation: refused with `ERR_CACHE_STALE_LEASE` once a newer holder
 * took the lock (see the README for the exact guarantee).
 *
 * @example
 * ```ts
 * const store = dirCache({ dir: '/var/lib/autotls' })
 * await store.put('v1/certs/example.com/ecdsa-p256', pem)
 * ```
 */
export function dirCache(options: DirCacheOptions): DirCache {
  checkOptions(options)
  const root = resolve(options.dir)
  const now = options.now ?? Date.now
  const held = new Set<KeptLease>()
  const swept = new Set<string>()
  // The first write (or lock) in a directory clears what writers killed there earlier left
  // behind; once per directory per store keeps the cost out of every later call.
  const sweepOnce = async (dir: string): Promise<void> => {
    if (swept.has(dir)) return
    swept.add(dir)
    await removeStaleTempFiles(dir, now()).catch(() => swept.delete(dir))
  }

  return {
    dir: root,

    async get(key: string, callOptions?: CacheCallOptions): Promise<Uint8Array | null> {
      const parts = valuePath(root, key)
      const signal = checkCallOptions(callOptions)
      signal?.throwIfAborted()
      try {
        const data = await readFile(join(root, ...parts), { signal })
        return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !signal?.aborted) return null
        throw ioError('read', key, error, signal)
      }
    },

    async put(key: string, value: Uint8Array, callOptions?: CacheWriteOptions): Promise<void> {
      const parts = valuePath(root, key)
      const { signal, fence } = checkWriteOptions(callOptions)
      signal?.throwIfAborted()
      const path = join(root, ...parts)
      const write = { signal, guard: fence ? fencedCommit(root, fence) : undefined }
      try {
        try {
          await writeFileAtomic(path, value, write)
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
          // A directory made just now holds no leftovers: nothing to sweep there.
          if (await ensurePrivateDir(root, parts.slice(0, -1))) swept.add(dirname(path))
          await writeFileAtomic(path, value, write)
        }
      } catch (error) {
        throw ioError('write', key, error, signal)
      }
      await sweepOnce(dirname(path))
    },

    async delete(key: string, callOptions?: CacheWriteOptions): Promise<void> {
      const parts = valuePath(root, key)
      const { signal, fence } = checkWriteOptions(callOptions)
      signal?.throwIfAborted()
      const remove = async (): Promise<void> => {
        try {
          await unlink(join(root, ...parts))
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
        }
      }
      try {
        await (fence ? fencedCommit(root, fence)(Promise.resolve(), remove) : remove())
      } catch (error) {
        throw ioError('delete', key, error, signal)
      }
    },

    async lock(name: string, lockOptions: LockOptions): Promise<Lease> {
      const segments = lockPath(root, name)
      const { ttlMs, signal } = checkLockOptions(lockOptions)
      let lease: KeptLease
      try {
        const created = (dir: string): void => {
          swept.add(dir)
        }
        lease = await acquireDirLock({ name, root, segments, now, created }, ttlMs, signal)
      } catch (error) {
        throw ioError('lock', name, error, signal)
      }
      held.add(lease)
      await sweepOnce(join(root, ...segments))
      const release = lease.release.bind(lease)
      lease.release = async () => {
        held.delete(lease)
        await release()
      }
      return lease
    },

    async close(): Promise<void> {
      await Promise.all([...held].map((lease) => lease.release()))
    },
  }
}
