import { describe, expect, it } from 'vitest'
import { formatIpAddress, isIpAddress, parseIpAddress } from './ip-address.js'

const canonical = (text: string): string | null => {
  const bytes = parseIpAddress(text)
  return bytes ? formatIpAddress(bytes) : null
}

describe('IP literals', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['[::1]', '::1'],
    ['::', '::'],
    ['1::', '1::'],
    // rfc5952 §4.2.2: a single zero group is not shortened to "::".
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    // rfc5952 §4.2.3: the longest run is shortened; on a tie, the first.
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['64:ff9b::198.51.100.7', '64:ff9b::c633:6407'],
  ])('rfc5952 §4: %s is canonically %s', (input, expected) => {
    expect(canonical(input)).toBe(expected)
    expect(canonical(expected)).toBe(expected)
    expect(isIpAddress(input)).toBe(true)
  })

  it.each([
    '256.0.0.1',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4',
    '1.2.3.4/24',
    '[192.0.2.1]',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1::2::3',
    '1:2:3:4:5:6:7::8',
    '12345::',
    'fe80::1%eth0',
    '1.2.3.4::',
    ':1::',
    'example.com',
    '',
    '[::1',
  ])('%j is not an IP literal', (input) => {
    expect(isIpAddress(input)).toBe(false)
  })
})
