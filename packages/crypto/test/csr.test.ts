import { beforeAll, describe, expect, it } from 'vitest'
import {
  CryptoError,
  createCsr,
  generateKeyPair,
  type KeyPair,
  type KeyType,
} from '../src/index.js'
import { openssl, workDir } from './openssl.js'

const KEY_TYPES: KeyType[] = ['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096']
const SIGNATURES: Record<KeyType, string> = {
  'ec-p256': 'ecdsa-with-SHA256',
  'ec-p384': 'ecdsa-with-SHA384',
  'rsa-2048': 'sha256WithRSAEncryption',
  'rsa-3072': 'sha256WithRSAEncryption',
  'rsa-4096': 'sha256WithRSAEncryption',
}

let dir: Awaited<ReturnType<typeof workDir>>
const keys = new Map<KeyType, KeyPair>()
beforeAll(async () => {
  dir = await workDir()
  await Promise.all(KEY_TYPES.map(async (type) => keys.set(type, await generateKeyPair(type))))
})

async function opensslReq(pem: string, name: string): Promise<string> {
  const file = await dir.write(`${name}.csr`, pem)
  // -verify checks the self-signature; openssl exits non-zero (and the call rejects) if it fails.
  return openssl('req', '-in', file, '-noout', '-verify', '-text')
}

async function csrError(identifiers: unknown): Promise<CryptoError> {
  const key = keys.get('ec-p256') as KeyPair
  const error = await createCsr({ key, identifiers: identifiers as string[] }).catch((e) => e)
  if (error instanceof CryptoError) return error
  throw new Error(`expected a CryptoError, got ${String(error)}`)
}

describe('createCsr', () => {
  it.each(KEY_TYPES)(
    'rfc2986 §4 / rfc8555 §7.4: a %s CSR passes openssl req -verify with every SAN',
    async (type) => {
      const key = keys.get(type) as KeyPair
      const { der, pem } = await createCsr({
        key,
        identifiers: [
          'Example.com',
          'www.example.com',
          '*.example.com',
          '192.0.2.1',
          '2001:DB8::1',
        ],
      })
      expect(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64')).toEqual(
        Buffer.from(der),
      )
      const text = await opensslReq(pem, type)
      expect(text).toMatch(/Subject: CN ?= ?example\.com/)
      expect(text).toContain(
        'DNS:example.com, DNS:www.example.com, DNS:*.example.com, IP Address:192.0.2.1, IP Address:2001:DB8:0:0:0:0:0:1',
      )
      expect(text).toContain(`Signature Algorithm: ${SIGNATURES[type]}`)
    },
  )

  it('an IP-only CSR has no CN and is still valid (rfc8738 §3)', async () => {
    const key = keys.get('ec-p256') as KeyPair
    const { pem } = await createCsr({ key, identifiers: [{ type: 'ip', value: '::1' }] })
    const text = await opensslReq(pem, 'ip-only')
    expect(text).not.toContain('CN')
    expect(text).toContain('IP Address:0:0:0:0:0:0:0:1')
  })

  it('omits the CN when the first DNS name is longer than 64 characters, keeps it at 64', async () => {
    const key = keys.get('ec-p256') as KeyPair
    const long = `${'a'.repeat(60)}.com.example`
    const fits = `${'b'.repeat(60)}.com`
    expect(fits).toHaveLength(64)
    const omitted = await opensslReq((await createCsr({ key, identifiers: [long, fits] })).pem, 'l')
    expect(omitted).not.toContain('CN')
    expect(omitted).toContain(`DNS:${long}, DNS:${fits}`)
    const kept = await opensslReq((await createCsr({ key, identifiers: [fits] })).pem, 'k')
    expect(kept).toMatch(new RegExp(`CN ?= ?${fits}`))
  })

  it('normalises names and drops duplicates, keeping first positions', async () => {
    const key = keys.get('ec-p256') as KeyPair
    const { pem } = await createCsr({
      key,
      identifiers: [
        'b.example',
        'B.Example.',
        'bücher.example',
        { type: 'dns', value: 'b.example' },
      ],
    })
    const text = await opensslReq(pem, 'dedupe')
    expect(text).toContain('DNS:b.example, DNS:xn--bcher-kva.example\n')
  })

  it('refuses an empty identifier list with ERR_CRYPTO_INVALID_IDENTIFIERS', async () => {
    const error = await csrError([])
    expect(error.code).toBe('ERR_CRYPTO_INVALID_IDENTIFIERS')
    expect(error.message).toMatch(/at least one identifier/)
    expect((await csrError(undefined)).code).toBe('ERR_CRYPTO_INVALID_IDENTIFIERS')
  })

  it.each([
    [['a..b'], 'ERR_CRYPTO_INVALID_NAME'],
    [['../etc'], 'ERR_CRYPTO_INVALID_NAME'],
    [['x'.repeat(300)], 'ERR_CRYPTO_INVALID_NAME'],
    [['has space.com'], 'ERR_CRYPTO_INVALID_NAME'],
    [[{ type: 'dns', value: '192.0.2.1' }], 'ERR_CRYPTO_INVALID_IDENTIFIERS'],
    [[{ type: 'ip', value: 'example.com' }], 'ERR_CRYPTO_INVALID_IDENTIFIERS'],
    [[{ type: 'email', value: 'a@b.c' }], 'ERR_CRYPTO_INVALID_IDENTIFIERS'],
    [[42], 'ERR_CRYPTO_INVALID_IDENTIFIERS'],
  ])('refuses %j with %s', async (identifiers, code) => {
    expect((await csrError(identifiers)).code).toBe(code)
  })
})
