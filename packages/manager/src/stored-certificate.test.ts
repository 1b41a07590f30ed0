import { certificateInfo, splitPem } from '@autotls/crypto'
import { describe, expect, it } from 'vitest'
import { selfSigned } from '../test/helpers/self-signed.js'
import { decodeStoredCertificate, encodeStoredCertificate } from './stored-certificate.js'

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'ok'
  } catch (error) {
    return `${(error as { code: string }).code}: ${(error as Error).message}`
  }
}

describe('decodeStoredCertificate (validation before use)', async () => {
  const ec = await selfSigned('a.test', 'ec')
  const other = await selfSigned('a.test', 'ec')
  const rsa = await selfSigned('a.test', 'rsa')
  const now = Date.now()
  const expected = { name: 'a.test', keyType: 'ec-p256' as const, now }

  it('accepts a key and chain that match, cover the name and are within validity', async () => {
    const stored = await decodeStoredCertificate(encodeStoredCertificate(ec.key, ec.cert), expected)
    const { serialNumber, notBefore, notAfter } = certificateInfo(ec.cert)
    expect(stored.leaf).toEqual({ serialNumber, notBefore, notAfter })
    expect(stored.keyPem.trim()).toBe(ec.key.trim())
    expect(stored.chainPem).toContain('BEGIN CERTIFICATE')
  })

  it('gives back each chain whole, leaf first, when certificates share their intermediates', async () => {
    const intermediate = rsa.cert
    const first = await decodeStoredCertificate(
      encodeStoredCertificate(ec.key, `${ec.cert}${intermediate}`),
      expected,
    )
    const second = await decodeStoredCertificate(
      encodeStoredCertificate(other.key, `${other.cert}${intermediate}`),
      expected,
    )
    expect(first.chainPem).toBe(splitPem(`${ec.cert}${intermediate}`).join(''))
    expect(second.chainPem).toBe(splitPem(`${other.cert}${intermediate}`).join(''))
  })

  it('rejects bytes that are not PEM', async () => {
    expect(await reason(decodeStoredCertificate(new Uint8Array([0xff, 0xfe]), expected))).toMatch(
      /is not PEM/,
    )
  })

  it('rejects a key that does not match the certificate', async () => {
    expect(
      await reason(decodeStoredCertificate(encodeStoredCertificate(other.key, ec.cert), expected)),
    ).toMatch(/^ERR_MANAGER_CACHED_CERTIFICATE_INVALID: .*key that does not match/)
  })

  it('rejects a certificate that does not cover the name', async () => {
    expect(
      await reason(
        decodeStoredCertificate(encodeStoredCertificate(ec.key, ec.cert), {
          ...expected,
          name: 'b.test',
        }),
      ),
    ).toMatch(/does not cover that name/)
  })

  it('rfc6125 §6.4.3: a wildcard covers one first label and itself, nothing deeper or above', async () => {
    const wildcard = await selfSigned('*.w.test', 'ec')
    const bytes = encodeStoredCertificate(wildcard.key, wildcard.cert)
    // Made after `expected.now`, maybe in a later second: its notBefore can be later than that.
    const now = Date.now()
    const at = (name: string): Promise<string> =>
      reason(decodeStoredCertificate(bytes, { ...expected, name, now }))
    expect(await at('x.w.test')).toBe('ok')
    expect(await at('*.w.test')).toBe('ok')
    expect(await at('y.x.w.test')).toMatch(/does not cover that name/)
    expect(await at('w.test')).toMatch(/does not cover that name/)
    expect(await at('*.x.w.test')).toMatch(/does not cover that name/)
  })

  it('rejects an expired or not yet valid certificate (rfc5280 §4.1.2.5)', async () => {
    const bytes = encodeStoredCertificate(ec.key, ec.cert)
    expect(
      await reason(decodeStoredCertificate(bytes, { ...expected, now: now + 3 * 86_400_000 })),
    ).toMatch(/has expired/)
    expect(
      await reason(decodeStoredCertificate(bytes, { ...expected, now: now - 86_400_000 })),
    ).toMatch(/not valid yet/)
  })

  it('rejects a key of another type than the slot it is stored in', async () => {
    expect(
      await reason(decodeStoredCertificate(encodeStoredCertificate(rsa.key, rsa.cert), expected)),
    ).toMatch(/rsa-2048 key where ec-p256 was expected/)
  })

  it('rejects an entry without exactly one key', async () => {
    expect(
      await reason(decodeStoredCertificate(new TextEncoder().encode(ec.cert), expected)),
    ).toMatch(/one private key/)
  })
})
