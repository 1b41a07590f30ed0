import type { CacheStore } from '@autotls/cache'
import { dirCache } from '@autotls/cache-dir'
import type { Config } from './config.js'

/** The certificate store: Redis when `REDIS_URL` is set (replicas share it), else `CERTS_DIR`. */
export async function openCache(config: Config): Promise<CacheStore & { close?(): Promise<void> }> {
  if (config.redisUrl !== undefined) {
    // Loaded only when asked for, so single-node deployments never load the Redis client.
    const { redisCache } = await import('@autotls/cache-redis')
    return redisCache({ url: config.redisUrl })
  }
  return dirCache({ dir: config.certsDir })
}
