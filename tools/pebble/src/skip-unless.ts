/** Vitest test / describe options: skipped (reason in `meta.skipReason`) or run. */
export interface PebbleRequirement {
  readonly skip: boolean
  /** `skipReason` says why, for tools/dev/summarize-results.mjs and the reporters. */
  readonly meta: Readonly<Record<string, string>>
}

/**
 * Vitest options that run a test when `met`, else skip it with `reason`, which the closing line
 * of tools/dev/test.sh counts (a bare `it.skipIf` would be counted without one).
 *
 * @example
 * it('uses Debian’s Pebble', skipUnless(hasDebianPebble, 'apt-get install -y pebble'), async () => {})
 */
export function skipUnless(met: boolean, reason: string): PebbleRequirement {
  return met ? { skip: false, meta: {} } : { skip: true, meta: { skipReason: reason } }
}
