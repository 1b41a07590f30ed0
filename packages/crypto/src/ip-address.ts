const IPV4_OCTET = /^(?:0|[1-9][0-9]{0,2})$/
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/

function parseIpv4(text: string): number[] | null {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  const bytes: number[] = []
  for (const part of parts) {
    // Leading zeros are refused: some parsers read `010` as octal, so its meaning is unclear.
    if (!IPV4_OCTET.test(part)) return null
    const value = Number(part)
    if (value > 255) return null
    bytes.push(value)
  }
  return bytes
}

function parseGroups(text: string, endsAddress: boolean): number[] | null {
  if (text === '') return []
  const groups: number[] = []
  const parts = text.split(':')
  for (const [index, part] of parts.entries()) {
    // An embedded IPv4 address may only close the whole address (RFC 4291 §2.2, form 3).
    if (endsAddress && index === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part)
      if (!v4) return null
      groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0))
    } else if (IPV6_GROUP.test(part)) {
      groups.push(Number.parseInt(part, 16))
    } else {
      return null
    }
  }
  return groups
}

function parseIpv6(text: string): number[] | null {
  const halves = text.split('::')
  if (halves.length > 2) return null
  const compressed = halves.length === 2
  const head = parseGroups(halves[0] ?? '', !compressed)
  const tail = compressed ? parseGroups(halves[1] ?? '', true) : []
  if (!head || !tail) return null
  let groups: number[]
  if (compressed) {
    const missing = 8 - head.length - tail.length
    // `::` stands for at least one group of zeros (RFC 4291 §2.2).
    if (missing < 1) return null
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail]
  } else {
    groups = head
  }
  if (groups.length !== 8) return null
  return groups.flatMap((group) => [group >> 8, group & 0xff])
}

/**
 * The address bytes of an IPv4 (4 bytes) or IPv6 (16 bytes) literal, or `null` when `text` is not
 * one. Accepts the bracketed form `[::1]`; refuses zone identifiers (`fe80::1%eth0`), prefixes
 * and IPv4 octets with leading zeros.
 */
export function parseIpAddress(text: string): Uint8Array | null {
  if (typeof text !== 'string' || text.length > 64) return null
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
  const bytes = bare.includes(':') ? parseIpv6(bare) : bare === text ? parseIpv4(bare) : null
  return bytes ? Uint8Array.from(bytes) : null
}

/**
 * The canonical text of 4 or 16 address bytes: dotted decimal for IPv4; for IPv6 the RFC 5952
 * form (lowercase, no leading zeros, the first longest run of two or more zero groups as `::`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5952#section-4
 */
export function formatIpAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.')
  if (bytes.length !== 16)
    throw new RangeError(`an IP address has 4 or 16 bytes, not ${bytes.length}`)
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0))
  let bestStart = -1
  let bestLength = 1
  for (let start = 0; start < 8; ) {
    if (groups[start] !== 0) {
      start++
      continue
    }
    let end = start
    while (end < 8 && groups[end] === 0) end++
    if (end - start > bestLength) {
      bestStart = start
      bestLength = end - start
    }
    start = end
  }
  const hex = groups.map((group) => group.toString(16))
  if (bestStart < 0) return hex.join(':')
  const head = hex.slice(0, bestStart).join(':')
  const tail = hex.slice(bestStart + bestLength).join(':')
  return `${head}::${tail}`
}

/**
 * Whether `text` is an IPv4 or IPv6 literal (the bracketed form `[::1]` included).
 *
 * @example
 * ```ts
 * isIpAddress('192.0.2.1') // true
 * isIpAddress('[2001:db8::1]') // true
 * isIpAddress('example.com') // false
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8738#section-3
 */
export function isIpAddress(text: string): boolean {
  return parseIpAddress(text) !== null
}
