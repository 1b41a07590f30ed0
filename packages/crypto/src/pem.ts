import { CryptoError } from './errors.js'

const BEGIN = /^-----BEGIN ([A-Z0-9][A-Z0-9 ]*[A-Z0-9]|[A-Z0-9])-----$/
const END = /^-----END ([A-Z0-9][A-Z0-9 ]*[A-Z0-9]|[A-Z0-9])-----$/
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** One decoded PEM block: its label (`CERTIFICATE`, `PRIVATE KEY`, …) and DER bytes. */
export interface PemBlock {
  readonly label: string
  readonly der: Uint8Array
}

/**
 * Decodes every PEM block in `text`, in order. Text between blocks (openssl's "Bag Attributes",
 * comments) is ignored, as RFC 7468 allows; CRLF and CR line endings and surrounding whitespace
 * are accepted.
 *
 * @example
 * ```ts
 * for (const { label, der } of decodePem(bundle)) console.log(label, der.length)
 * ```
 * @throws {CryptoError} `ERR_CRYPTO_INVALID_PEM` for a block without its END line, mismatched labels,
 *   encapsulated headers (legacy encrypted PEM) or a body that is not base64.
 * @see https://www.rfc-editor.org/rfc/rfc7468#section-2
 */
export function decodePem(text: string): PemBlock[] {
  if (typeof text !== 'string') {
    throw new CryptoError('ERR_CRYPTO_INVALID_PEM', `PEM must be a string, not ${typeof text}`)
  }
  const lines = text.split(/\r\n|\r|\n/).map((line) => line.trim())
  const blocks: PemBlock[] = []
  let label: string | null = null
  let body: string[] = []
  for (const [index, line] of lines.entries()) {
    if (label === null) {
      const begin = BEGIN.exec(line)
      if (begin) {
        label = begin[1] ?? ''
        body = []
      } else if (line.startsWith('-----END')) {
        throw new CryptoError('ERR_CRYPTO_INVALID_PEM', `PEM line ${index + 1}: END without BEGIN`)
      }
      continue
    }
    const end = END.exec(line)
    if (end) {
      if (end[1] !== label) {
        throw new CryptoError(
          'ERR_CRYPTO_INVALID_PEM',
          `PEM line ${index + 1}: "END ${end[1]}" closes a "BEGIN ${label}" block`,
        )
      }
      blocks.push({ label, der: decodeBody(label, body.join('')) })
      label = null
      continue
    }
    if (line.startsWith('-----')) {
      throw new CryptoError(
        'ERR_CRYPTO_INVALID_PEM',
        `PEM line ${index + 1}: a new boundary inside the "${label}" block; is an END line missing?`,
      )
    }
    if (line.includes(':')) {
      throw new CryptoError(
        'ERR_CRYPTO_INVALID_PEM',
        `the "${label}" PEM block has headers (legacy encrypted PEM); decrypt it first, e.g. with openssl pkey`,
      )
    }
    body.push(line)
  }
  if (label !== null) {
    throw new CryptoError('ERR_CRYPTO_INVALID_PEM', `the "${label}" PEM block has no END line`)
  }
  return blocks
}

function decodeBody(label: string, base64: string): Uint8Array {
  if (base64 === '' || !BASE64.test(base64)) {
    throw new CryptoError(
      'ERR_CRYPTO_INVALID_PEM',
      `the "${label}" PEM block body is not valid base64`,
    )
  }
  return new Uint8Array(Buffer.from(base64, 'base64'))
}

/**
 * Encodes DER bytes as one PEM block with 64-character lines and a final newline.
 *
 * @example
 * ```ts
 * encodePem('CERTIFICATE', der) // '-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----\n'
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7468#section-2
 */
export function encodePem(label: string, der: Uint8Array): string {
  if (!/^[A-Z0-9][A-Z0-9 ]*$/.test(label)) {
    throw new CryptoError(
      'ERR_CRYPTO_INVALID_ARGUMENT',
      `PEM label ${JSON.stringify(label)} is not valid`,
    )
  }
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64')
  const lines = base64.match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}

/**
 * Splits a PEM bundle into its blocks, each re-encoded in canonical form (LF line endings,
 * 64-character lines, final newline). Text outside blocks is dropped.
 *
 * @example
 * ```ts
 * const [leaf, ...intermediates] = splitPem(fullchainPem)
 * ```
 * @throws {CryptoError} `ERR_CRYPTO_INVALID_PEM` when a block is malformed.
 * @see https://www.rfc-editor.org/rfc/rfc7468#section-2
 */
export function splitPem(bundle: string): string[] {
  return decodePem(bundle).map((block) => encodePem(block.label, block.der))
}

/**
 * Joins PEM blocks into one bundle, in the given order, each in canonical form.
 *
 * @example
 * ```ts
 * const fullchain = joinPem([leafPem, intermediatePem])
 * ```
 * @throws {CryptoError} `ERR_CRYPTO_INVALID_PEM` when a block is malformed.
 */
export function joinPem(blocks: readonly string[]): string {
  return blocks.map((block) => splitPem(block).join('')).join('')
}

/**
 * Canonical form of a PEM bundle: LF line endings, no stray whitespace, 64-character base64
 * lines, one final newline, text outside blocks dropped. Equal content gives equal strings.
 *
 * @example
 * ```ts
 * normalizePem('-----BEGIN CERTIFICATE-----\r\nMIIB…\r\n-----END CERTIFICATE-----') // LF only
 * ```
 * @throws {CryptoError} `ERR_CRYPTO_INVALID_PEM` when a block is malformed.
 * @see https://www.rfc-editor.org/rfc/rfc7468#section-2
 */
export function normalizePem(text: string): string {
  return splitPem(text).join('')
}
