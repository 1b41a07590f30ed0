import { chainInfo } from './certificate-info.js'
import { X509Certificate } from './x509.js'

function sameBytes(a: ArrayBuffer, b: ArrayBuffer): boolean {
  return Buffer.from(a).equals(Buffer.from(b))
}

/**
 * Whether a PEM chain is in leaf-first order with each certificate issued by the next: the
 * issuer name equals the next certificate's subject and the signature verifies with its public
 * key. Only signatures and order are checked — not validity dates, not trust in a root. A single
 * certificate is trivially in order.
 *
 * @example
 * ```ts
 * if (!(await verifyChain(fullchainPem))) throw new Error('chain is out of order or broken')
 * ```
 * @throws {CryptoError} `ERR_CRYPTO_INVALID_PEM` / `ERR_CRYPTO_INVALID_CERTIFICATE` when it cannot be read.
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.4.2
 * @see https://www.rfc-editor.org/rfc/rfc5246#section-7.4.2
 */
export async function verifyChain(pem: string): Promise<boolean> {
  const certificates = chainInfo(pem).map((info) => new X509Certificate(info.der))
  for (let i = 0; i + 1 < certificates.length; i++) {
    const child = certificates[i]
    const parent = certificates[i + 1]
    if (!child || !parent) return false
    if (!sameBytes(child.issuerName.toArrayBuffer(), parent.subjectName.toArrayBuffer())) {
      return false
    }
    let signed: boolean
    try {
      signed = await child.verify({ publicKey: parent.publicKey, signatureOnly: true })
    } catch {
      // An unsupported or mismatched signature algorithm cannot be a valid link.
      signed = false
    }
    if (!signed) return false
  }
  return true
}
