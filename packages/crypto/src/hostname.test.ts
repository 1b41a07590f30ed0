import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CryptoError } from './errors.js'
import { normalizeHostname } from './hostname.js'

function rejection(name: string, options?: Parameters<typeof normalizeHostname>[1]): CryptoError {
  try {
    normalizeHostname(name, options)
  } catch (error) {
    if (error instanceof CryptoError) return error
    throw error
  }
  throw new Error(`${JSON.stringify(name)} was accepted`)
}

describe('normalizeHostname', () => {
  it.each([
    ['Example.COM', 'example.com'],
    ['example.com.', 'example.com'],
    ['Bücher.example', 'xn--bcher-kva.example'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['ß.de', 'xn--zca.de'],
    ['ＡＢＣ.com', 'abc.com'],
    ['exa\u3002mple.com', 'exa.mple.com'],
    ['例え.テスト', 'xn--r8jz45g.xn--zckzah'],
    ['localhost', 'localhost'],
    ['a-b.c0', 'a-b.c0'],
    [`${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`],
  ])('rfc5890 §2.3.2.1: %s normalises to %s', (input, expected) => {
    expect(normalizeHostname(input)).toBe(expected)
  })

  it('accepts exactly 253 characters and refuses 254', () => {
    const label = 'a'.repeat(62)
    const name253 = `${label}.${label}.${label}.${label}.b`
    expect(name253).toHaveLength(253)
    expect(normalizeHostname(name253)).toBe(name253)
    expect(normalizeHostname(`${name253}.`)).toBe(name253)
    expect(rejection(`${name253}b`).message).toMatch(/longer than 253/)
  })

  it.each([
    ['', /empty/],
    ['.', /empty/],
    ['a..b', /empty label/],
    ['.example.com', /empty label/],
    ['example.com..', /empty label/],
    ['../etc', /empty label|'\/' is not allowed/],
    ['a b.com', /U\+0020 is not allowed/],
    ['a/b.com', /'\/' is not allowed/],
    ['a\\b.com', /'\\' is not allowed/],
    ['under_score.com', /'_' is not allowed/],
    ['host:443', /':' is not allowed/],
    ['user@host.com', /'@' is not allowed/],
    ['-lead.com', /must not start or end with '-'/],
    ['trail-.com', /must not start or end with '-'/],
    [`${'a'.repeat(64)}.com`, /label is longer than 63/],
    ['a'.repeat(300), /longer than 253|label is longer/],
    ['xn--zz.com', /IDNA/],
    ['\uD800.com', /"\\ud800\.com": not a valid internationalised name \(IDNA\)/],
    ['a\u200Db.com', /"a\\u200db\.com": not a valid internationalised name/],
    ['\u0301a.com', /IDNA/],
    ['a\uFF0Fb.com', /IDNA/],
    ['a\u0000b.com', /U\+0000/],
    ['example.123', /numeric/],
    ['1.2.3', /numeric/],
    ['example.0x1f', /numeric/],
    ['１２７.0.0.1', /numeric/],
  ])('refuses %j with ERR_CRYPTO_INVALID_NAME (%s)', (input, message) => {
    const error = rejection(input)
    expect(error.code).toBe('ERR_CRYPTO_INVALID_NAME')
    expect(error.message).toMatch(message)
  })

  it('refuses a wildcard unless asked, and then only as the whole leftmost label', () => {
    expect(rejection('*.example.com').message).toMatch(/wildcards are not allowed/)
    const allow = { allowWildcard: true }
    expect(normalizeHostname('*.Example.com.', allow)).toBe('*.example.com')
    expect(normalizeHostname('*.bücher.example', allow)).toBe('*.xn--bcher-kva.example')
    for (const bad of ['a.*.example.com', 'f*.example.com', '*', '*.', '**.example.com', '*.*.x']) {
      expect(rejection(bad, allow).code).toBe('ERR_CRYPTO_INVALID_NAME')
    }
  })

  it('rfc8738: recognises IP literals, canonicalised only with allowIp', () => {
    expect(rejection('192.0.2.1').message).toMatch(/IP address is not allowed/)
    expect(rejection('::1').message).toMatch(/IP address is not allowed/)
    const allow = { allowIp: true }
    expect(normalizeHostname('192.0.2.1', allow)).toBe('192.0.2.1')
    expect(normalizeHostname('[2001:DB8:0:0::1]', allow)).toBe('2001:db8::1')
    expect(normalizeHostname('::FFFF:192.0.2.1', allow)).toBe('::ffff:c000:201')
    expect(rejection('fe80::1%eth0', allow).code).toBe('ERR_CRYPTO_INVALID_NAME')
    expect(rejection('192.0.2.01', allow).code).toBe('ERR_CRYPTO_INVALID_NAME')
  })

  it('refuses a value that is not a string with the typed error, not a TypeError', () => {
    expect(rejection(42 as unknown as string).code).toBe('ERR_CRYPTO_INVALID_NAME')
    expect(rejection(null as unknown as string).code).toBe('ERR_CRYPTO_INVALID_NAME')
  })
})

describe('normalizeHostname properties', () => {
  const options = fc.record({ allowWildcard: fc.boolean(), allowIp: fc.boolean() })
  const labelChar = fc.constantFrom(...'abcXYZ09-_.*/\\: üßé例\u0000'.split(''))
  const hostish = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 80 }),
    fc.string({ unit: labelChar, maxLength: 70 }),
    fc.ipV4(),
    fc.ipV6(),
    fc.domain(),
    fc.domain().map((d) => `*.${d.toUpperCase()}.`),
  )

  it('never throws anything but CryptoError ERR_CRYPTO_INVALID_NAME', () => {
    fc.assert(
      fc.property(hostish, options, (name, opts) => {
        try {
          normalizeHostname(name, opts)
        } catch (error) {
          return error instanceof CryptoError && error.code === 'ERR_CRYPTO_INVALID_NAME'
        }
        return true
      }),
      { numRuns: 3000 },
    )
  })

  it('is idempotent, and valid output has no slash, backslash, "..", uppercase or space', () => {
    fc.assert(
      fc.property(hostish, options, (name, opts) => {
        let once: string
        try {
          once = normalizeHostname(name, opts)
        } catch {
          return true
        }
        expect(normalizeHostname(once, opts)).toBe(once)
        expect(once).not.toMatch(/[/\\\sA-Z]|\.\./)
        expect(once.length).toBeLessThanOrEqual(253)
        return true
      }),
      { numRuns: 3000 },
    )
  })

  it('accepts every generated domain name', () => {
    fc.assert(
      fc.property(fc.domain(), (domain) => {
        expect(normalizeHostname(domain)).toBe(domain.toLowerCase())
      }),
    )
  })
})
