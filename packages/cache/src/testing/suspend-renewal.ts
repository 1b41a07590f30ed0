import type { Lease } from '../cache.js'
import { CacheError } from '../cache-error.js'
import { KeptLease, suspendKeptLease } from '../kept-lease.js'

/**
 * Stops renewing `lease` without releasing it, as if its holder froze or was killed: the lease
 * aborts `lost` once its expiry nears, and another caller gets the lock after its TTL. Works on
 * every lease built with `KeptLease` (all of ours); pass it as the suite's `suspendRenewal` hook.
 *
 * @example
 * ```ts
 * describeCache('myCache', () => Object.assign(myCache(), { suspendRenewal }))
 * ```
 */
export function suspendRenewal(lease: Lease): void {
  if (!(lease instanceof KeptLease)) {
    throw new CacheError(
      'ERR_CACHE_INVALID_OPTION',
      'suspendRenewal works on leases built with KeptLease from @autotls/cache/backend',
    )
  }
  suspendKeptLease(lease)
}
