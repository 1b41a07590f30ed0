import { createPublicKey } from 'node:crypto'
import { CryptoError } from './errors.js'
import { formatIpAddress, parseIpAddress } from './ip-address.js'
import type { KeyType } from './key-pair.js'
import { decodePem } from './pem.js'
import {
  AuthorityKeyIdentifierExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
} from './x509.js'

/** Facts about one X.509 certificate, as autotls needs them to serve, validate and renew it. */
export interface CertificateInfo {
  /** subjectAltName dNSName entries, lowercase, in certificate order. */
  readonly dnsNames: readonly string[]
  /** subjectAltName iPAddress entries in canonical text form (RFC 5952 for IPv6). */
  readonly ipAddresses: readonly string[]
  readonly notBefore: Date
  readonly notAfter: Date
  /**
   * Serial number as lowercase hex of its magnitude bytes: the DER content without the 0x00 sign
   * byte DER adds when the top bit is set (what `openssl x509 -serial` and Pebble print).
   */
  readonly serialNumber: string
  /** Issuer distinguished name, RFC 4514 string form. */
  readonly issuer: string
  /** Subject distinguished name, RFC 4514 string form (may be empty). */
  readonly subject: string
  /** The authorityKeyIdentifier keyIdentifier, or `null` when absent. */
  readonly authorityKeyIdentifier: Uint8Array | null
  /** The subjectKeyIdentifier, or `null` when absent. */
  readonly subjectKeyIdentifier: Uint8Array | null
  /** The subjectPublicKeyInfo, DER. */
  readonly publicKey: Uint8Array
  /** The key type of the subject public key, or `null` for a type autotls does not use. */
  readonly keyType: KeyType | null
  /** The whole certificate, DER. */
  readonly der: Uint8Array
}

function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

function keyTypeOf(spki: Uint8Array): KeyType | null {
  const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' })
  const details = key.asymmetricKeyDetails ?? {}
  if (key.asymmetricKeyType === 'ec') {
    if (details.namedCurve === 'prime256v1') return 'ec-p256'
    if (details.namedCurve === 'secp384r1') return 'ec-p384'
  }
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength
    if (bits === 2048 || bits === 3072 || bits === 4096) return `rsa-${bits}`
  }
  return null
}

/** Parses one DER certificate into its facts. */
export function parseCertificate(der: Uint8Array): CertificateInfo {
  try {
    const certificate = new X509Certificate(der)
    const dnsNames: string[] = []
    const ipAddresses: string[] = []
    const san = certificate.getExtension(SubjectAlternativeNameExtension)
    for (const name of san?.names.items ?? []) {
      if (name.type === 'dns') dnsNames.push(name.value.toLowerCase())
      if (name.type === 'ip') {
        const bytes = parseIpAddress(name.value)
        if (bytes) ipAddresses.push(formatIpAddress(bytes))
      }
    }
    const aki = certificate.getExtension(AuthorityKeyIdentifierExtension)
    const ski = certificate.getExtension(SubjectKeyIdentifierExtension)
    const publicKey = new Uint8Array(certificate.publicKey.rawData)
    return {
      dnsNames,
      ipAddresses,
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
      serialNumber: certificate.serialNumber.toLowerCase(),
      issuer: certificate.issuer,
      subject: certificate.subject,
      authorityKeyIdentifier: aki?.keyId ? fromHex(aki.keyId) : null,
      subjectKeyIdentifier: ski?.keyId ? fromHex(ski.keyId) : null,
      publicKey,
      keyType: keyTypeOf(publicKey),
      der: new Uint8Array(der),
    }
  } catch (cause) {
    throw new CryptoError(
      'ERR_CRYPTO_INVALID_CERTIFICATE',
      'the data is not a valid X.509 certificate (its DER could not be parsed)',
      { cause },
    )
  }
}

function certificateBlocks(pem: string): Uint8Array[] {
  const blocks = decodePem(pem).filter((block) => block.label === 'CERTIFICATE')
  if (blocks.length === 0) {
    throw new CryptoError('ERR_CRYPTO_INVALID_PEM', 'no "CERTIFICATE" PEM block found')
  }
  return blocks.map((block) => block.der)
}

/**
 * Facts about a certificate: the first certificate of a PEM bundle (the leaf of a full chain),
 * or DER bytes.
 *
 * @example
 * ```ts
 * const info = certificateInfo(await readFile('fullchain.pem', 'utf8'))
 * if (info.notAfter.getTime() - Date.now() < 30 * 86_400_000) renew()
 * ```
 * @throws {CryptoError} `ERR_CRYPTO_INVALID_PEM` when there is no certificate block or the PEM is
 *   malformed; `ERR_CRYPTO_INVALID_CERTIFICATE` when the certificate cannot be parsed.
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.1
 */
export function certificateInfo(pemOrDer: string | Uint8Array): CertificateInfo {
  if (pemOrDer instanceof Uint8Array) return parseCertificate(pemOrDer)
  const [first] = certificateBlocks(pemOrDer)
  return parseCertificate(first ?? new Uint8Array())
}

/**
 * Facts about every certificate of a PEM bundle, in order (other block types are skipped).
 *
 * @example
 * ```ts
 * const [leaf, ...intermediates] = chainInfo(fullchainPem)
 * ```
 * @throws {CryptoError} `ERR_CRYPTO_INVALID_PEM` / `ERR_CRYPTO_INVALID_CERTIFICATE` as {@link certificateInfo}.
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.4.2
 */
export function chainInfo(pem: string): CertificateInfo[] {
  return certificateBlocks(pem).map(parseCertificate)
}
