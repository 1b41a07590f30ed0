import { randomBytes } from 'node:crypto'
import type { Cache } from '@autotls/cache'

const encoder = new TextEncoder()

/**
 * Proves that `cache` can be written, read back and cleaned up right now, by the user this
 * process runs as: a put, a get and a delete of a fresh key under `v1/probes/`. Rejects with the
 * backend's error, or when `signal` aborts.
 */
export async function probeCache(cache: Cache, signal: AbortSignal): Promise<void> {
  const key = `v1/probes/${process.pid}-${randomBytes(6).toString('hex')}`
  const value = encoder.encode('probe')
  await cache.put(key, value, { signal })
  const read = await cache.get(key, { signal })
  await cache.delete(key, { signal })
  if (read === null || read.length !== value.length) {
    throw new Error(`the cache did not return what was just written under ${key}`)
  }
}
