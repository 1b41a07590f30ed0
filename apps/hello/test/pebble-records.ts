import type { Pebble } from '@autotls/pebble'

/**
 * The serial numbers of every certificate Pebble issued so far, read from its log lines
 * ("Issued certificate serial … for order …"), in the spelling of {@link normaliseSerial}.
 */
export function issuedSerials(pebble: Pebble): string[] {
  return [...pebble.logs().matchAll(/Issued certificate serial ([0-9a-f]+) for order/g)].map(
    (match) => normaliseSerial(match[1] as string),
  )
}

/** A certificate serial in one spelling: lowercase hex without leading zeros. */
export function normaliseSerial(hex: string): string {
  return BigInt(`0x${hex}`).toString(16)
}
