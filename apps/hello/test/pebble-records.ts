import { httpsRequest, type Pebble } from '@autotls/pebble'

/** The serial numbers (lowercase hex, no leading zeros) of every certificate Pebble issued. */
export function issuedSerials(pebble: Pebble): string[] {
  return [...pebble.logs().matchAll(/Issued certificate serial ([0-9a-f]+) for order/g)].map(
    (match) => normaliseSerial(match[1] as string),
  )
}

/** A certificate serial in one spelling: lowercase hex without leading zeros. */
export function normaliseSerial(hex: string): string {
  return BigInt(`0x${hex}`).toString(16)
}

/**
 * How many orders Pebble holds per identifier, read from each order Pebble logged ("Added order")
 * through its order URL. Pebble answers a plain GET there outside its strict mode.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.1.3
 */
export async function ordersPerName(pebble: Pebble): Promise<Map<string, number>> {
  const ids = [...pebble.logs().matchAll(/Added order "([^"]+)"/g)].map((m) => m[1] as string)
  const base = new URL(pebble.directoryUrl).origin
  const perName = new Map<string, number>()
  for (const id of ids) {
    const res = await httpsRequest(`${base}/my-order/${id}`, pebble.caPem)
    if (res.status !== 200) throw new Error(`order ${id} answered ${res.status}: ${res.body}`)
    const order = JSON.parse(res.body) as { identifiers: Array<{ value: string }> }
    for (const { value } of order.identifiers) perName.set(value, (perName.get(value) ?? 0) + 1)
  }
  return perName
}
