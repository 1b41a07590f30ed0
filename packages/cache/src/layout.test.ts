import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { accountKey, certificateKey, challengeKey, LAYOUT_VERSION, lockName } from './layout.js'
import { isValidKey } from './valid-key.js'

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

function code(call: () => unknown): unknown {
  try {
    call()
  } catch (error) {
    return (error as { code?: unknown }).code
  }
  return undefined
}

describe('layout v1', () => {
  it('starts every key with the layout version', () => {
    expect(LAYOUT_VERSION).toBe('v1')
    expect(certificateKey('example.com', 'ec-p256')).toBe('v1/certs/example.com/ec-p256')
  })

  it('writes a wildcard label as "+" in certificate keys only', () => {
    expect(certificateKey('*.example.com', 'rsa-2048')).toBe('v1/certs/+.example.com/rsa-2048')
    expect(code(() => challengeKey('dns-01', '*.example.com'))).toBe('ERR_CACHE_INVALID_KEY')
    expect(code(() => certificateKey('a.*.example.com', 'rsa-2048'))).toBe('ERR_CACHE_INVALID_KEY')
    expect(code(() => certificateKey('*', 'rsa-2048'))).toBe('ERR_CACHE_INVALID_KEY')
  })

  it('rfc5952: accepts IPv6 literals in canonical form only, writing ":" as "_"', () => {
    expect(certificateKey('2001:db8::1', 'ec-p256')).toBe('v1/certs/2001_db8__1/ec-p256')
    expect(certificateKey('::ffff:c000:201', 'ec-p256')).toBe('v1/certs/__ffff_c000_201/ec-p256')
    const bad = [
      '2001:DB8::1',
      '2001:0db8::1',
      '2001:db8:0:0:0:0:0:1',
      'fe80::1%eth0',
      '::ffff:192.0.2.1',
    ]
    for (const name of [...bad, '[::1]']) {
      expect(
        code(() => certificateKey(name, 'ec-p256')),
        name,
      ).toBe('ERR_CACHE_INVALID_KEY')
    }
  })

  it('accepts IPv4 literals and single-label names', () => {
    expect(certificateKey('192.0.2.1', 'ec-p256')).toBe('v1/certs/192.0.2.1/ec-p256')
    expect(certificateKey('localhost', 'ec-p256')).toBe('v1/certs/localhost/ec-p256')
    expect(certificateKey('1.example', 'ec-p256')).toBe('v1/certs/1.example/ec-p256')
    for (const name of ['01.2.3.4', '1.2.3', '256.1.1.1', 'example.123']) {
      expect(
        code(() => certificateKey(name, 'ec-p256')),
        name,
      ).toBe('ERR_CACHE_INVALID_KEY')
    }
  })

  it('rejects names that are not normalised host names', () => {
    const bad = [
      '',
      'Example.com',
      'example.com.',
      '.example.com',
      'exa mple.com',
      'ex_ample.com',
      '-example.com',
      'example-.com',
      'bücher.de',
      '../etc',
      'a/b',
      `${'a'.repeat(64)}.com`,
      `${'a.'.repeat(127)}aa`,
      'a..b',
    ]
    for (const name of bad) {
      expect(
        code(() => certificateKey(name, 'ec-p256')),
        name,
      ).toBe('ERR_CACHE_INVALID_KEY')
    }
    expect(certificateKey('xn--bcher-kva.de', 'ec-p256')).toBe('v1/certs/xn--bcher-kva.de/ec-p256')
  })

  it('rejects key types outside [a-z0-9-]', () => {
    for (const keyType of ['', 'ECDSA', 'ec/../x', 'rsa_2048', 'a'.repeat(33)]) {
      expect(
        code(() => certificateKey('example.com', keyType)),
        keyType,
      ).toBe('ERR_CACHE_INVALID_KEY')
    }
  })

  it('rfc8555 §7.3: keys an account by the SHA-256 of its directory URL, never the URL itself', () => {
    const url = 'https://acme-v02.api.letsencrypt.org/directory'
    expect(accountKey(url)).toBe(`v1/accounts/${sha256(url)}`)
    expect(accountKey('https://ACME-v02.api.letsencrypt.org/directory')).toBe(accountKey(url))
    expect(accountKey('https://localhost:14000/dir')).not.toBe(accountKey(url))
    expect(code(() => accountKey('not a url'))).toBe('ERR_CACHE_INVALID_KEY')
    expect(code(() => accountKey('file:///etc/passwd'))).toBe('ERR_CACHE_INVALID_KEY')
  })

  it('rfc8555 §8.3: keys an http-01 answer by name and hashed token', () => {
    const token = 'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA'
    expect(challengeKey('http-01', 'example.com', token)).toBe(
      `v1/challenges/http-01/example.com/${sha256(token)}`,
    )
    expect(code(() => challengeKey('http-01', 'example.com'))).toBe('ERR_CACHE_INVALID_KEY')
    for (const bad of ['', '../x', 'a/b', 'a.b', 'x'.repeat(513)]) {
      expect(
        code(() => challengeKey('http-01', 'example.com', bad)),
        bad,
      ).toBe('ERR_CACHE_INVALID_KEY')
    }
  })

  it('rfc8737 §3: keys a tls-alpn-01 answer by name alone', () => {
    expect(challengeKey('tls-alpn-01', 'example.com')).toBe('v1/challenges/tls-alpn-01/example.com')
    expect(code(() => challengeKey('tls-sni-01' as 'dns-01', 'example.com'))).toBe(
      'ERR_CACHE_INVALID_KEY',
    )
  })

  it('lockName puts the guarded key under v1/locks/', () => {
    const key = certificateKey('example.com', 'ec-p256')
    expect(lockName(key)).toBe('v1/locks/certs/example.com/ec-p256')
    expect(lockName(accountKey('https://a.example/dir'))).toMatch(
      /^v1\/locks\/accounts\/[0-9a-f]{64}$/,
    )
    for (const bad of ['certs/x', 'v2/certs/x', 'v1/locks/x', 'v1/../x']) {
      expect(
        code(() => lockName(bad)),
        bad,
      ).toBe('ERR_CACHE_INVALID_KEY')
    }
  })

  it('every key it builds is a valid key', () => {
    const keys = [
      certificateKey(
        `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`,
        'x',
      ),
      certificateKey('*.example.com', 'ecdsa-p384'),
      accountKey('https://example.com/dir'),
      challengeKey('http-01', 'ffff::1', 'tok'),
    ]
    for (const key of keys) {
      expect(isValidKey(key), key).toBe(true)
      expect(isValidKey(lockName(key)), key).toBe(true)
    }
  })
})
