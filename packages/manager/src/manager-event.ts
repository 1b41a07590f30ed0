import type { ServedKeyType } from './client-key-type.js'
import type { ManagerError } from './errors.js'

/** Why a handshake was refused (see the `refused` event). */
export type RefusalReason =
  | 'no-server-name'
  | 'invalid-name'
  | 'not-allowed'
  | 'over-budget'
  | 'no-certificate'

/** Why a connection was dropped before its handshake completed (see the `dropped` event). */
export type DropReason = 'malformed-hello' | 'slow-hello' | 'handshake-timeout'

/**
 * What the manager reports through its `onEvent` hook:
 * - `obtained`: a first certificate for the name was issued and stored;
 * - `renewed`: a certificate was replaced ahead of expiry (issued here or adopted from the cache
 *   after another process renewed it, then `adopted` is true);
 * - `failed`: obtaining or renewing failed; `error` says why, the old certificate (if any) is
 *   still served;
 * - `refused`: a handshake was refused with a TLS alert; `reason` says why, `name` is the server
 *   name the client sent (untrusted: at most 253 characters of it);
 * - `dropped`: a connection was closed before its handshake completed; `reason` says why, `name`
 *   is the server name its hello carried ('' when the hello was not read), untrusted as above.
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
  | {
      readonly type: 'refused'
      readonly name: string
      readonly reason: RefusalReason
      readonly error: ManagerError
    }
  | {
      readonly type: 'dropped'
      readonly name: string
      readonly reason: DropReason
      readonly error: ManagerError
    }
