import { beforeAll, describe, expect, it } from 'vitest'
import {
  CryptoError,
  encodePem,
  exportPrivateKeyPem,
  exportPublicJwk,
  generateKeyPair,
  importPrivateKeyPem,
  type KeyPair,
  type KeyType,
} from '../src/index.js'
import { openssl, workDir } from './openssl.js'

const KEY_TYPES: KeyType[] = ['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096']
const BITS: Record<KeyType, number> = {
  'ec-p256': 256,
  'ec-p384': 384,
  'rsa-2048': 2048,
  'rsa-3072': 3072,
  'rsa-4096': 4096,
}

/** Runs an openssl key-writing command into `file`: `OUT` marks where the path goes. */
async function writeKey(command: readonly string[], file: string): Promise<void> {
  const args = command.includes('OUT')
    ? command.map((arg) => (arg === 'OUT' ? file : arg))
    : [...command, '-out', file]
  await openssl(...args)
}

async function spkiPem(key: KeyPair): Promise<string> {
  const spki = await globalThis.crypto.subtle.exportKey('spki', key.publicKey)
  return encodePem('PUBLIC KEY', new Uint8Array(spki))
}

async function importError(pem: string): Promise<CryptoError> {
  const error = await importPrivateKeyPem(pem).catch((e: unknown) => e)
  if (error instanceof CryptoError) return error
  throw new Error(`expected a CryptoError, got ${String(error)}`)
}

let dir: Awaited<ReturnType<typeof workDir>>
const keys = new Map<KeyType, KeyPair>()
beforeAll(async () => {
  dir = await workDir()
  await Promise.all(KEY_TYPES.map(async (type) => keys.set(type, await generateKeyPair(type))))
})

describe('generateKeyPair', () => {
  it('defaults to ECDSA P-256', async () => {
    const key = await generateKeyPair()
    expect(key.type).toBe('ec-p256')
    expect(key.privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' })
    expect(key.privateKey.extractable).toBe(true)
  })

  it('refuses an unknown key type with ERR_CRYPTO_UNSUPPORTED_KEY', async () => {
    const error = await generateKeyPair('ed25519' as KeyType).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CryptoError)
    expect((error as CryptoError).code).toBe('ERR_CRYPTO_UNSUPPORTED_KEY')
    expect((error as CryptoError).message).toMatch(/use one of ec-p256, ec-p384/)
  })
})

describe.each(KEY_TYPES)('%s keys and openssl', (type) => {
  it('rfc5208: the exported PKCS#8 PEM loads in openssl with the same public key', async () => {
    const key = keys.get(type) as KeyPair
    const pem = await exportPrivateKeyPem(key)
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
    const file = await dir.write(`${type}.pem`, pem)
    const text = await openssl('pkey', '-in', file, '-noout', '-text')
    expect(text).toContain(`Private-Key: (${BITS[type]} bit`)
    expect(await openssl('pkey', '-in', file, '-pubout')).toBe(await spkiPem(key))
  })

  it('round-trips through importPrivateKeyPem with the type detected', async () => {
    const key = keys.get(type) as KeyPair
    const imported = await importPrivateKeyPem(await exportPrivateKeyPem(key))
    expect(imported.type).toBe(type)
    expect(await exportPublicJwk(imported)).toEqual(await exportPublicJwk(key))
    // The imported pair signs, and its derived public key verifies that signature.
    const algorithm = type.startsWith('ec')
      ? { name: 'ECDSA', hash: type === 'ec-p256' ? 'SHA-256' : 'SHA-384' }
      : { name: 'RSASSA-PKCS1-v1_5' }
    const data = new TextEncoder().encode('autotls')
    const signature = await crypto.subtle.sign(algorithm, imported.privateKey, data)
    expect(await crypto.subtle.verify(algorithm, key.publicKey, signature, data)).toBe(true)
  })
})

describe('importPrivateKeyPem reads what openssl writes', () => {
  it.each([
    [
      'PKCS#8 EC P-256',
      ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
      'ec-p256',
      'PRIVATE KEY',
    ],
    [
      'SEC1 EC P-256',
      ['ecparam', '-name', 'prime256v1', '-genkey', '-noout'],
      'ec-p256',
      'EC PRIVATE KEY',
    ],
    // ecparam without -noout writes an "EC PARAMETERS" block first: the key block is found anyway.
    [
      'SEC1 EC P-384 after EC PARAMETERS',
      ['ecparam', '-name', 'secp384r1', '-genkey'],
      'ec-p384',
      'EC PRIVATE KEY',
    ],
    [
      'PKCS#8 RSA 2048',
      ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
      'rsa-2048',
      'PRIVATE KEY',
    ],
    [
      'PKCS#1 RSA 2048',
      ['genrsa', '-traditional', '-out', 'OUT', '2048'],
      'rsa-2048',
      'RSA PRIVATE KEY',
    ],
  ] as const)('%s', async (name, command, type, label) => {
    const fileName = `${name.replaceAll(/\W/g, '_')}.pem`
    const file = dir.path(fileName)
    await writeKey(command, file)
    const pem = await dir.read(fileName)
    expect(pem).toContain(`-----BEGIN ${label}-----`)
    const key = await importPrivateKeyPem(pem.replaceAll('\n', '\r\n'))
    expect(key.type).toBe(type)
    expect(await openssl('pkey', '-in', file, '-pubout')).toBe(await spkiPem(key))
  })
})

describe('importPrivateKeyPem refuses', () => {
  it.each([
    ['Ed25519', ['genpkey', '-algorithm', 'ed25519'], /a ed25519 key is not supported/],
    [
      'P-521',
      ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'],
      /curve secp521r1/,
    ],
    [
      'RSA 1024',
      ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'],
      /1024-bit RSA/,
    ],
    [
      'RSA-PSS',
      ['genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048'],
      /rsa-pss key/,
    ],
    [
      'an encrypted key',
      [
        'genpkey',
        '-algorithm',
        'EC',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-aes256',
        '-pass',
        'pass:secret',
      ],
      /encrypted; decrypt it first/,
    ],
  ] as const)('%s with ERR_CRYPTO_UNSUPPORTED_KEY', async (name, command, message) => {
    const fileName = `bad-${name.replaceAll(/\W/g, '_')}.pem`
    await writeKey(command, dir.path(fileName))
    const error = await importError(await dir.read(fileName))
    expect(error.code).toBe('ERR_CRYPTO_UNSUPPORTED_KEY')
    expect(error.message).toMatch(message)
  })

  it('a PEM without a private key block, naming what it found', async () => {
    const error = await importError(encodePem('CERTIFICATE', new Uint8Array([48, 0])))
    expect(error.code).toBe('ERR_CRYPTO_UNSUPPORTED_KEY')
    expect(error.message).toMatch(/got "CERTIFICATE"/)
  })

  it('a private key block holding garbage, without echoing it', async () => {
    const error = await importError(encodePem('EC PRIVATE KEY', new Uint8Array([48, 3, 2, 1, 1])))
    expect(error.code).toBe('ERR_CRYPTO_UNSUPPORTED_KEY')
    expect(error.message).toBe('the "EC PRIVATE KEY" block does not hold a valid SEC1 private key')
  })

  it('malformed PEM with ERR_CRYPTO_INVALID_PEM', async () => {
    const error = await importError('-----BEGIN PRIVATE KEY-----\nMII\n')
    expect(error.code).toBe('ERR_CRYPTO_INVALID_PEM')
  })
})

describe('exportPublicJwk', () => {
  it('rfc7638 §3.2: only the public members, EC and RSA', async () => {
    const ec = await exportPublicJwk(keys.get('ec-p384') as KeyPair)
    expect(Object.keys(ec).sort()).toEqual(['crv', 'kty', 'x', 'y'])
    expect(ec).toMatchObject({ kty: 'EC', crv: 'P-384' })
    const rsa = await exportPublicJwk(keys.get('rsa-2048') as KeyPair)
    expect(Object.keys(rsa).sort()).toEqual(['e', 'kty', 'n'])
    expect(rsa.e).toBe('AQAB')
  })
})
