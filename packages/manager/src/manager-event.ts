import type { ServedKeyType } from './client-key-type.js'

/**
 * What the manager reports through its `onEvent` hook:
 * - `obtained`: a first certificate for the name was issued and stored;
 * - `renewed`: a certificate was replaced ahead of expiry (issued here or adopted from the cache
 *   after another process renewed it, then `adopted` is true);
 * - `failed`: obtaining or renewing failed; `error` says why, the old certificate (if any) is
 *   still served.
 *
 * @example
 * createManager({ hosts, onEvent: (e) => metrics.increment(`autotls.${e.type}`) })
 */
export type ManagerEvent =
  | {
      readonly type: 'obtained' | 'renewed'
      readonly name: string
      readonly keyType: ServedKeyType
      readonly notAfter: Date
      readonly adopted: boolean
    }
  | {
      readonly type: 'failed'
      readonly name: string
      readonly keyType: ServedKeyType
      readonly renewing: boolean
      readonly error: Error
    }
