import { describe, expect, it } from 'vitest'
import { CryptoError } from './errors.js'
import { decodePem, encodePem, joinPem, normalizePem, splitPem } from './pem.js'

const bytes = (n: number, seed: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)

const a = encodePem('CERTIFICATE', bytes(100, 1))
const b = encodePem('CERTIFICATE', bytes(70, 2))

function pemError(fn: () => unknown): CryptoError {
  try {
    fn()
  } catch (error) {
    if (error instanceof CryptoError) return error
    throw error
  }
  throw new Error('accepted')
}

describe('PEM helpers', () => {
  it('rfc7468 §2: encodes 64-character base64 lines between matching boundaries', () => {
    const lines = a.split('\n')
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----')
    expect(lines[1]).toHaveLength(64)
    expect(lines.at(-2)).toBe('-----END CERTIFICATE-----')
    expect(a.endsWith('-----\n')).toBe(true)
    expect(decodePem(a)).toEqual([{ label: 'CERTIFICATE', der: bytes(100, 1) }])
  })

  it('splits a bundle with CRLF endings, blank lines and explanatory text into canonical blocks', () => {
    const messy = `Bag Attributes: x\r\n${a.replaceAll('\n', '\r\n')}\r\n\r\n  ${b.replace('\n', '\n  ')}`
    expect(splitPem(messy)).toEqual([a, b])
    expect(normalizePem(messy)).toBe(a + b)
    expect(splitPem('')).toEqual([])
  })

  it('rewraps base64 of any line length to 64 characters', () => {
    const body = Buffer.from(bytes(100, 1)).toString('base64')
    const oneLine = `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`
    expect(normalizePem(oneLine)).toBe(a)
  })

  it('joins blocks in order, each in canonical form, and joinPem∘splitPem is the identity', () => {
    const joined = joinPem([b, a.replaceAll('\n', '\r\n')])
    expect(joined).toBe(b + a)
    expect(joinPem(splitPem(joined))).toBe(joined)
  })

  it.each([
    ['a BEGIN without END', '-----BEGIN CERTIFICATE-----\nAAAA\n', /no END line/],
    ['an END without BEGIN', 'AAAA\n-----END CERTIFICATE-----\n', /END without BEGIN/],
    [
      'mismatched labels',
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n',
      /closes a "BEGIN CERTIFICATE"/,
    ],
    ['a body that is not base64', '-----BEGIN X-----\nA*AA\n-----END X-----\n', /not valid base64/],
    ['an empty body', '-----BEGIN X-----\n-----END X-----\n', /not valid base64/],
    ['bad padding', '-----BEGIN X-----\nAAA\n-----END X-----\n', /not valid base64/],
    [
      'legacy encrypted headers',
      '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAAAA\n-----END RSA PRIVATE KEY-----\n',
      /headers/,
    ],
    [
      'a nested BEGIN',
      '-----BEGIN X-----\nAAAA\n-----BEGIN X-----\nAAAA\n-----END X-----\n',
      /END line missing/,
    ],
  ])('refuses %s with ERR_CRYPTO_INVALID_PEM', (_, text, message) => {
    const error = pemError(() => splitPem(text))
    expect(error.code).toBe('ERR_CRYPTO_INVALID_PEM')
    expect(error.message).toMatch(message)
  })

  it('refuses a value that is not a string with the typed error', () => {
    expect(pemError(() => splitPem(undefined as unknown as string)).code).toBe(
      'ERR_CRYPTO_INVALID_PEM',
    )
  })
})
