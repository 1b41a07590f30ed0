import { describe, expect, it } from 'vitest'
import { normalizeIdentifier } from './normalize-identifier.js'

const ip = (value: string) => normalizeIdentifier({ type: 'ip', value }).value

describe('normalizeIdentifier', () => {
  it('rfc5952 §4: IPv6 in canonical text: lower case, zeros compressed, no leading zeros', () => {
    expect(ip('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1')
    expect(ip('2001:0db8:0000:0000:0001:0000:0000:0001')).toBe('2001:db8::1:0:0:1')
    expect(ip('::1')).toBe('::1')
    expect(ip('0:0:0:0:0:FFFF:192.0.2.1')).toBe('::ffff:192.0.2.1')
  })

  it('keeps IPv4 as is and refuses what is no address', () => {
    expect(ip('192.0.2.1')).toBe('192.0.2.1')
    expect(() => ip('999.1.1.1')).toThrow(/not an IPv4 or IPv6/)
  })

  it('rfc8555 §7.1.4: DNS names in lower case, without a trailing dot', () => {
    expect(normalizeIdentifier({ type: 'dns', value: 'WWW.Example.COM.' })).toEqual({
      type: 'dns',
      value: 'www.example.com',
    })
    expect(normalizeIdentifier({ type: 'dns', value: '*.Example.com' }).value).toBe('*.example.com')
  })
})
