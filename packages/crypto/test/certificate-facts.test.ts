import { readFile } from 'node:fs/promises'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  ariCertId,
  CryptoError,
  certificateCoversName,
  certificateInfo,
  chainInfo,
  createTlsAlpnCertificate,
  generateKeyPair,
  importPrivateKeyPem,
  joinPem,
  keyMatchesCertificate,
  verifyChain,
} from '../src/index.js'
import { openssl, workDir } from './openssl.js'

const RFC9773_EXAMPLE = new URL('./fixtures/rfc9773-example.pem', import.meta.url)

let dir: Awaited<ReturnType<typeof workDir>>
const pem: Record<'root' | 'intermediate' | 'impostor' | 'leaf', string> = {
  root: '',
  intermediate: '',
  impostor: '',
  leaf: '',
}
const keyPem: Record<'intermediate' | 'leaf', string> = { intermediate: '', leaf: '' }

/** A CA chain made by openssl alone: P-384 root → RSA-2048 intermediate → P-256 leaf. */
beforeAll(async () => {
  dir = await workDir()
  const p = dir.path
  await dir.write(
    'ca.ext',
    'basicConstraints=critical,CA:TRUE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
  )
  await dir.write(
    'leaf.ext',
    'subjectAltName=DNS:example.com,DNS:*.example.com,IP:192.0.2.1,IP:2001:db8::1\nauthorityKeyIdentifier=keyid\n',
  )
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-384',
    '-nodes',
    '-keyout',
    p('root.key'),
    '-out',
    p('root.pem'),
    '-subj',
    '/CN=Test Root',
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
  )
  for (const name of ['intermediate', 'impostor']) {
    await openssl(
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      p(`${name}.key`),
      '-out',
      p(`${name}.csr`),
      '-subj',
      '/CN=Test Intermediate',
    )
    await openssl(
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p('root.pem'),
      '-CAkey',
      p('root.key'),
      '-set_serial',
      '2',
      '-days',
      '2',
      '-extfile',
      p('ca.ext'),
      '-out',
      p(`${name}.pem`),
    )
  }
  await openssl(
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    p('leaf.key'),
    '-out',
    p('leaf.csr'),
    '-subj',
    '/CN=example.com',
  )
  // A serial whose top bit is set: DER prepends a 0x00 sign byte, which the ARI certID keeps.
  await openssl(
    'x509',
    '-req',
    '-in',
    p('leaf.csr'),
    '-CA',
    p('intermediate.pem'),
    '-CAkey',
    p('intermediate.key'),
    '-set_serial',
    '0x87654321',
    '-days',
    '1',
    '-extfile',
    p('leaf.ext'),
    '-out',
    p('leaf.pem'),
  )
  for (const name of ['root', 'intermediate', 'impostor', 'leaf'] as const) {
    pem[name] = await dir.read(`${name}.pem`)
  }
  keyPem.intermediate = await dir.read('intermediate.key')
  keyPem.leaf = await dir.read('leaf.key')
})

function hexBytes(text: string): Buffer {
  return Buffer.from(text.replaceAll(/[^0-9A-Fa-f]/g, ''), 'hex')
}

async function opensslExtension(name: string, extension: string): Promise<Buffer> {
  const out = await openssl('x509', '-in', dir.path(`${name}.pem`), '-noout', '-ext', extension)
  return hexBytes(out.split('\n').slice(1).join(''))
}

describe('certificateInfo / chainInfo', () => {
  it('rfc5280 §4.1: reads names, dates, serial, names and key identifiers as openssl does', async () => {
    const info = certificateInfo(joinPem([pem.leaf, pem.intermediate]))
    expect(info.dnsNames).toEqual(['example.com', '*.example.com'])
    expect(info.ipAddresses).toEqual(['192.0.2.1', '2001:db8::1'])
    expect(info.serialNumber).toBe('87654321')
    expect(info.subject).toBe('CN=example.com')
    expect(info.issuer).toBe('CN=Test Intermediate')
    expect(info.keyType).toBe('ec-p256')
    const dates = await openssl('x509', '-in', dir.path('leaf.pem'), '-noout', '-dates')
    const [, notBefore] = /notBefore=(.*)/.exec(dates) ?? []
    const [, notAfter] = /notAfter=(.*)/.exec(dates) ?? []
    expect(info.notBefore.getTime()).toBe(Date.parse(notBefore ?? ''))
    expect(info.notAfter.getTime()).toBe(Date.parse(notAfter ?? ''))
    const intermediateSki = await opensslExtension('intermediate', 'subjectKeyIdentifier')
    expect(intermediateSki).toHaveLength(20)
    expect(Buffer.from(info.authorityKeyIdentifier ?? [])).toEqual(intermediateSki)
    expect(info.subjectKeyIdentifier).not.toBeNull()
    await openssl(
      'x509',
      '-in',
      dir.path('leaf.pem'),
      '-outform',
      'DER',
      '-out',
      dir.path('leaf.der'),
    )
    const leafDer = new Uint8Array(await readFile(dir.path('leaf.der')))
    expect(Buffer.from(info.der)).toEqual(Buffer.from(leafDer))
    expect(certificateInfo(leafDer)).toEqual(info)
  })

  it('lists every certificate of a bundle in order, skipping other blocks', () => {
    const bundle = joinPem([keyPem.leaf, pem.leaf, pem.intermediate, pem.root])
    const chain = chainInfo(bundle)
    expect(chain.map((c) => c.subject)).toEqual([
      'CN=example.com',
      'CN=Test Intermediate',
      'CN=Test Root',
    ])
    expect(chain.map((c) => c.keyType)).toEqual(['ec-p256', 'rsa-2048', 'ec-p384'])
    expect(chain[1]?.serialNumber).toBe('02')
  })

  it('refuses input that is not a certificate with a typed error', () => {
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn()
      } catch (error) {
        return error instanceof CryptoError ? error.code : 'untyped'
      }
      return undefined
    }
    expect(code(() => certificateInfo(new Uint8Array([1, 2, 3])))).toBe(
      'ERR_CRYPTO_INVALID_CERTIFICATE',
    )
    expect(code(() => certificateInfo(keyPem.leaf))).toBe('ERR_CRYPTO_INVALID_PEM')
    expect(code(() => certificateInfo(''))).toBe('ERR_CRYPTO_INVALID_PEM')
    expect(
      code(() => certificateInfo('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----')),
    ).toBe('ERR_CRYPTO_INVALID_CERTIFICATE')
    expect(code(() => chainInfo(pem.leaf.slice(0, 200)))).toBe('ERR_CRYPTO_INVALID_PEM')
  })
})

describe('ariCertId', () => {
  it("rfc9773 §4.1: gives the RFC's certID for its Appendix A example certificate", async () => {
    const example = await readFile(RFC9773_EXAMPLE, 'utf8')
    expect(ariCertId(example)).toBe('aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE')
  })

  it('rfc9773 §4.1: keeps the 0x00 sign byte of an openssl-issued serial and encodes the AKI keyIdentifier', async () => {
    const aki = await opensslExtension('leaf', 'authorityKeyIdentifier')
    const expected = `${aki.toString('base64url')}.${Buffer.from([0, 0x87, 0x65, 0x43, 0x21]).toString('base64url')}`
    expect(ariCertId(pem.leaf)).toBe(expected)
    expect(ariCertId(certificateInfo(pem.leaf).der)).toBe(expected)
  })

  it('refuses a certificate without an authority key identifier', async () => {
    const { certPem } = await createTlsAlpnCertificate({
      identifier: 'example.com',
      keyAuthorization: 'a.b',
    })
    expect(() => ariCertId(certPem)).toThrow(
      expect.objectContaining({ code: 'ERR_CRYPTO_INVALID_CERTIFICATE' }),
    )
  })
})

describe('verifyChain', () => {
  it('accepts leaf-first chains where each certificate is signed by the next', async () => {
    expect(await verifyChain(joinPem([pem.leaf, pem.intermediate, pem.root]))).toBe(true)
    expect(await verifyChain(joinPem([pem.leaf, pem.intermediate]))).toBe(true)
    expect(await verifyChain(pem.leaf)).toBe(true)
  })

  it('refuses a reversed chain, a chain missing a link, and a same-name impostor issuer', async () => {
    expect(await verifyChain(joinPem([pem.intermediate, pem.leaf]))).toBe(false)
    expect(await verifyChain(joinPem([pem.leaf, pem.root]))).toBe(false)
    // Same subject name as the real intermediate, different key: only the signature tells.
    expect(certificateInfo(pem.impostor).subject).toBe(certificateInfo(pem.intermediate).subject)
    expect(await verifyChain(joinPem([pem.leaf, pem.impostor]))).toBe(false)
  })
})

describe('keyMatchesCertificate', () => {
  it("tells whether a key is the leaf's, from PEM or a KeyPair", async () => {
    const chain = joinPem([pem.leaf, pem.intermediate])
    expect(await keyMatchesCertificate(keyPem.leaf, chain)).toBe(true)
    expect(await keyMatchesCertificate(await importPrivateKeyPem(keyPem.leaf), chain)).toBe(true)
    expect(await keyMatchesCertificate(keyPem.intermediate, chain)).toBe(false)
    expect(await keyMatchesCertificate(keyPem.intermediate, pem.intermediate)).toBe(true)
    expect(await keyMatchesCertificate(await generateKeyPair(), chain)).toBe(false)
  })

  it('refuses unreadable input instead of answering', async () => {
    await expect(keyMatchesCertificate(keyPem.leaf, 'nothing')).rejects.toMatchObject({
      code: 'ERR_CRYPTO_INVALID_PEM',
    })
    await expect(keyMatchesCertificate('nothing', pem.leaf)).rejects.toMatchObject({
      code: 'ERR_CRYPTO_UNSUPPORTED_KEY',
    })
  })
})

describe('certificateCoversName', () => {
  it.each([
    ['example.com', true],
    ['EXAMPLE.com.', true],
    ['www.example.com', true],
    ['*.example.com', true],
    ['a.b.example.com', false],
    ['example.org', false],
    ['xample.com', false],
    ['192.0.2.1', true],
    ['[2001:DB8:0::1]', true],
    ['192.0.2.2', false],
    ['a..example.com', false],
    ['example.com/evil', false],
    ['', false],
  ])('rfc6125 §6.4.3: %j → %s', (name, covered) => {
    expect(certificateCoversName(certificateInfo(pem.leaf), name)).toBe(covered)
  })
})
