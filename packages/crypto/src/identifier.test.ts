import { describe, expect, it } from 'vitest'
import { CryptoError } from './errors.js'
import { parseIdentifier, toIdentifier } from './identifier.js'

describe('parseIdentifier', () => {
  it('rfc8555 §9.7.7 / rfc8738 §3: classifies names and IP literals, normalising both', () => {
    expect(parseIdentifier('WWW.Example.com.')).toEqual({ type: 'dns', value: 'www.example.com' })
    expect(parseIdentifier('192.0.2.1')).toEqual({ type: 'ip', value: '192.0.2.1' })
    expect(parseIdentifier('[2001:DB8::0:1]')).toEqual({ type: 'ip', value: '2001:db8::1' })
  })

  it('accepts a wildcard only when asked', () => {
    expect(parseIdentifier('*.example.com', { allowWildcard: true })).toEqual({
      type: 'dns',
      value: '*.example.com',
    })
    expect(() => parseIdentifier('*.example.com')).toThrow(CryptoError)
  })
})

describe('toIdentifier', () => {
  it('refuses an object whose type disagrees with its value instead of reclassifying it', () => {
    expect(() => toIdentifier({ type: 'dns', value: '::1' })).toThrow(
      /has type "dns" but is an IP address/,
    )
    expect(() => toIdentifier({ type: 'ip', value: 'example.com' })).toThrow(
      /has type "ip" but is a DNS name/,
    )
    expect(toIdentifier({ type: 'ip', value: '::0001' })).toEqual({ type: 'ip', value: '::1' })
  })
})
