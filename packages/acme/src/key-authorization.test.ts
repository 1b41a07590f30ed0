import { describe, expect, it } from 'vitest'
import { dns01RecordName, dns01TxtValue, keyAuthorizationFor } from './key-authorization.js'

// RFC 7638 §3.1's example key; its SHA-256 thumbprint is printed there.
const RFC7638_JWK = {
  kty: 'RSA',
  n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
}

describe('key authorization (RFC 8555 §8.1)', () => {
  it('rfc8555 §8.1: token "." base64url(SHA-256 JWK thumbprint)', async () => {
    expect(await keyAuthorizationFor('tok-EN_1', RFC7638_JWK)).toBe(
      'tok-EN_1.NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    )
  })

  it('rfc8555 §8.4: the dns-01 value is base64url(SHA-256(key authorization)), no padding', async () => {
    // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
    expect(await dns01TxtValue('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0')
  })

  it('rfc8555 §8.4: the record lives at _acme-challenge, wildcards without "*."', () => {
    expect(dns01RecordName('example.com')).toBe('_acme-challenge.example.com')
    expect(dns01RecordName('*.example.com')).toBe('_acme-challenge.example.com')
  })
})
