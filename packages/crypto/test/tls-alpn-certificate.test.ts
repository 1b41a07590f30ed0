import { execFile } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:tls'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  CryptoError,
  certificateInfo,
  createTlsAlpnCertificate,
  generateKeyPair,
  keyMatchesCertificate,
  verifyChain,
} from '../src/index.js'
import { openssl, workDir } from './openssl.js'

const KEY_AUTHORIZATION =
  'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.nP1qzpXGymHBrUEepNY9HCsQk7K8KhOypzEt62jcerQ'

let dir: Awaited<ReturnType<typeof workDir>>
beforeAll(async () => {
  dir = await workDir()
})

/** The id-pe-acmeIdentifier extension value as openssl dumps it, in hex, and its criticality. */
async function acmeIdentifierExtension(
  certPem: string,
): Promise<{ critical: boolean; hex: string }> {
  const file = await dir.write(`${Math.random().toString(36).slice(2)}.pem`, certPem)
  const text = await openssl('x509', '-in', file, '-noout', '-text', '-certopt', 'ext_dump')
  const lines = text.split('\n')
  const at = lines.findIndex((line) => line.includes('1.3.6.1.5.5.7.1.31'))
  expect(at).toBeGreaterThan(0)
  const header = lines[at] ?? ''
  let hex = ''
  for (const line of lines.slice(at + 1)) {
    const dump = /^\s+[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]+)+)/.exec(line)
    if (!dump) break
    hex += (dump[1] ?? '').replaceAll(/[ -]/g, '')
  }
  return { critical: /1\.3\.6\.1\.5\.5\.7\.1\.31: critical/.test(header), hex }
}

async function sha256Hex(text: string): Promise<string> {
  const file = await dir.write('key-authorization.txt', text)
  const out = await openssl('dgst', '-sha256', '-r', file)
  return out.split(' ')[0] ?? ''
}

describe('createTlsAlpnCertificate', () => {
  it('rfc8737 §3: critical id-pe-acmeIdentifier holds the DER OCTET STRING of SHA-256(keyAuthorization)', async () => {
    const { certPem } = await createTlsAlpnCertificate({
      identifier: 'example.com',
      keyAuthorization: KEY_AUTHORIZATION,
    })
    const extension = await acmeIdentifierExtension(certPem)
    expect(extension.critical).toBe(true)
    const digest = await sha256Hex(KEY_AUTHORIZATION)
    expect(digest).toHaveLength(64)
    expect(extension.hex).toBe(`0420${digest}`)
  })

  it('rfc8737 §3: self-signed, exactly one dNSName SAN, short validity around now', async () => {
    const now = new Date('2030-01-02T03:04:05Z')
    const { certPem, keyPem } = await createTlsAlpnCertificate({
      identifier: 'Bücher.Example',
      keyAuthorization: KEY_AUTHORIZATION,
      now,
    })
    const info = certificateInfo(certPem)
    expect(info.dnsNames).toEqual(['xn--bcher-kva.example'])
    expect(info.ipAddresses).toEqual([])
    expect(info.notBefore.getTime()).toBeLessThanOrEqual(now.getTime())
    expect(info.notAfter.getTime() - now.getTime()).toBeLessThanOrEqual(24 * 3600 * 1000)
    expect(info.notAfter.getTime()).toBeGreaterThan(now.getTime())
    expect(info.issuer).toBe(info.subject)
    expect(await keyMatchesCertificate(keyPem, certPem)).toBe(true)
    const file = await dir.write('self-signed.pem', certPem)
    // The certificate as its own trust anchor: openssl checks the self-signature (-check_ss_sig);
    // -ignore_critical because openssl does not know id-pe-acmeIdentifier, which is the point.
    const verified = await openssl(
      'verify',
      '-no_check_time',
      '-ignore_critical',
      '-check_ss_sig',
      '-CAfile',
      file,
      file,
    )
    expect(verified.trim()).toBe(`${file}: OK`)
    expect(await verifyChain(certPem)).toBe(true)
  })

  it('rfc8738 §6: an IP identifier becomes the single iPAddress SAN', async () => {
    const { certPem } = await createTlsAlpnCertificate({
      identifier: { type: 'ip', value: '2001:DB8::0:1' },
      keyAuthorization: KEY_AUTHORIZATION,
    })
    const file = await dir.write('ip.pem', certPem)
    const text = await openssl('x509', '-in', file, '-noout', '-ext', 'subjectAltName')
    expect(text.trim().split('\n').slice(1).join(',').trim()).toBe(
      'IP Address:2001:DB8:0:0:0:0:0:1',
    )
    expect(certificateInfo(certPem).ipAddresses).toEqual(['2001:db8::1'])
  })

  it('uses the given key (an RSA one here) instead of generating one', async () => {
    const key = await generateKeyPair('rsa-2048')
    const { certPem } = await createTlsAlpnCertificate({
      identifier: 'example.com',
      keyAuthorization: KEY_AUTHORIZATION,
      key,
    })
    expect(certificateInfo(certPem).keyType).toBe('rsa-2048')
    expect(await keyMatchesCertificate(key, certPem)).toBe(true)
  })

  it('is served by a Node TLS server to `openssl s_client -alpn acme-tls/1`', async () => {
    const { certPem, keyPem } = await createTlsAlpnCertificate({
      identifier: 'example.com',
      keyAuthorization: KEY_AUTHORIZATION,
    })
    const server = createServer({ cert: certPem, key: keyPem, ALPNProtocols: ['acme-tls/1'] })
    server.on('secureConnection', (socket) => socket.end())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      const output = await new Promise<string>((resolve, reject) => {
        const child = execFile(
          'openssl',
          [
            's_client',
            '-connect',
            `127.0.0.1:${port}`,
            '-servername',
            'example.com',
            '-alpn',
            'acme-tls/1',
          ],
          { encoding: 'utf8', timeout: 10_000 },
          (error, stdout) => (stdout.includes('ALPN protocol') ? resolve(stdout) : reject(error)),
        )
        child.stdin?.end()
      })
      expect(output).toContain('ALPN protocol: acme-tls/1')
      const served = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/.exec(output)
      expect(served?.[0]).toBe(certPem)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it.each([
    [{ identifier: '*.example.com' }, 'ERR_CRYPTO_INVALID_NAME'],
    [{ identifier: 'a..b' }, 'ERR_CRYPTO_INVALID_NAME'],
    [{ identifier: undefined }, 'ERR_CRYPTO_INVALID_IDENTIFIERS'],
    [{ keyAuthorization: '' }, 'ERR_CRYPTO_INVALID_ARGUMENT'],
    [{ keyAuthorization: 'no-dot' }, 'ERR_CRYPTO_INVALID_ARGUMENT'],
    [{ keyAuthorization: 'a.b\n' }, 'ERR_CRYPTO_INVALID_ARGUMENT'],
    [{ now: new Date(Number.NaN) }, 'ERR_CRYPTO_INVALID_ARGUMENT'],
  ])('refuses %j with %s', async (override, code) => {
    const error = await createTlsAlpnCertificate({
      identifier: 'example.com',
      keyAuthorization: KEY_AUTHORIZATION,
      ...override,
    } as Parameters<typeof createTlsAlpnCertificate>[0]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CryptoError)
    expect((error as CryptoError).code).toBe(code)
  })
})
