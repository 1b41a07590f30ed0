import { compareVersions } from './pebble-version.js'

/**
 * The first Pebble release with each feature the tests use (from Pebble's changelog).
 * - `retryAfter`: Retry-After on order and authorization polls (config `retryAfter`), 2.5.0.
 * - `ari`: renewalInfo, `replaces` and `alreadyReplaced` came in 2.6.0; the windows are right,
 *   and the management API can set a certificate's renewal info, from 2.8.0.
 * - `profiles`: profiles in the directory meta and on orders, config `profiles`, 2.7.0.
 * - `invalidProfile`: the `invalidProfile` problem for an unknown profile, 2.9.0.
 * - `ariRetryAfter`: Retry-After (6 hours) on renewalInfo answers, 2.9.0.
 * - `dnsPersist01`: the dns-persist-01 challenge, with DNS queries over TCP, 2.10.0.
 */
export const PEBBLE_FEATURE_SINCE = {
  retryAfter: '2.5.0',
  ari: '2.8.0',
  profiles: '2.7.0',
  invalidProfile: '2.9.0',
  ariRetryAfter: '2.9.0',
  dnsPersist01: '2.10.0',
} as const

/** A capability of the test CA that some tests need. */
export type PebbleFeature = keyof typeof PEBBLE_FEATURE_SINCE

/** Which features a Pebble release has (none when its version is unknown). */
export type PebbleFeatures = Readonly<Record<PebbleFeature, boolean>>

/**
 * The command that installs a Pebble with every feature in {@link PEBBLE_FEATURE_SINCE}: both
 * `pebble` and `pebble-challtestsrv` (tools/dev/setup.sh runs it when Go >= 1.24 is present).
 */
export const PEBBLE_INSTALL_COMMAND =
  'go install github.com/letsencrypt/pebble/v2/cmd/...@v2.10.1 (Go >= 1.24)'

/** The features of Pebble `version`; an unknown version is assumed to have none. */
export function featuresOf(version: string | null): PebbleFeatures {
  const has = (since: string): boolean => version !== null && compareVersions(version, since) >= 0
  return {
    retryAfter: has(PEBBLE_FEATURE_SINCE.retryAfter),
    ari: has(PEBBLE_FEATURE_SINCE.ari),
    profiles: has(PEBBLE_FEATURE_SINCE.profiles),
    invalidProfile: has(PEBBLE_FEATURE_SINCE.invalidProfile),
    ariRetryAfter: has(PEBBLE_FEATURE_SINCE.ariRetryAfter),
    dnsPersist01: has(PEBBLE_FEATURE_SINCE.dnsPersist01),
  }
}
