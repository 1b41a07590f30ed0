import { ManagerError } from './errors.js'

/** What the router needs from a TLS ClientHello, read before any TLS library sees the bytes. */
export interface ClientHello {
  /** `legacy_version` of the hello (0x0303 for TLS 1.2 and 1.3 clients). */
  readonly legacyVersion: number
  /** The `host_name` entry of `server_name`, decoded as UTF-8 as sent; `null` without SNI. */
  readonly serverName: string | null
  /** Protocols offered with ALPN, in the client's order; `null` without the extension. */
  readonly alpnProtocols: readonly string[] | null
  /** `signature_algorithms` code points; `null` without the extension. */
  readonly signatureAlgorithms: readonly number[] | null
  /** `supported_groups` code points; `null` without the extension. */
  readonly supportedGroups: readonly number[] | null
  /** `supported_versions` code points; `null` without the extension (a TLS ≤ 1.2 client). */
  readonly supportedVersions: readonly number[] | null
  /** Cipher suite code points, in the client's order. */
  readonly cipherSuites: readonly number[]
  /** How many bytes of input the records carrying the hello took. */
  readonly byteLength: number
}

/**
 * Largest ClientHello accepted, handshake header included. Real hellos are well under 2 KiB
 * (about 1.8 KiB with a post-quantum key share); 16 KiB is one full TLS record.
 */
export const MAX_CLIENT_HELLO_BYTES = 16_384
/** A hello may span this many handshake records; more is treated as hostile. */
export const MAX_CLIENT_HELLO_RECORDS = 4

const RECORD_HEADER = 5
const HANDSHAKE_HEADER = 4
const CONTENT_HANDSHAKE = 0x16
const MSG_CLIENT_HELLO = 0x01
const MAX_RECORD_FRAGMENT = 16_384

const EXT_SERVER_NAME = 0
const EXT_SUPPORTED_GROUPS = 10
const EXT_SIGNATURE_ALGORITHMS = 13
const EXT_ALPN = 16
const EXT_SUPPORTED_VERSIONS = 43

/** The extensions routing reads; every other one is skipped without a look inside. */
const READ_EXTENSIONS = new Set([
  EXT_SERVER_NAME,
  EXT_SUPPORTED_GROUPS,
  EXT_SIGNATURE_ALGORITHMS,
  EXT_ALPN,
  EXT_SUPPORTED_VERSIONS,
])

const utf8 = new TextDecoder('utf-8', { fatal: false })

/**
 * Duplicate-extension check without a per-hello allocation: `seenIn[type]` holds the number of
 * the parse that last saw `type` (parses are synchronous, so one table serves them all).
 */
const seenIn = new Uint16Array(0x10000)
let parseNumber = 0

function incomplete(): ManagerError {
  return new ManagerError('ERR_MANAGER_CLIENT_HELLO_INCOMPLETE', 'the ClientHello needs more bytes')
}

function malformed(reason: string): ManagerError {
  return new ManagerError('ERR_MANAGER_CLIENT_HELLO_MALFORMED', `malformed ClientHello: ${reason}`)
}

/** A bounds-checked reader over one complete handshake message: any overrun is malformed. */
class Reader {
  #pos: number
  readonly #end: number
  readonly #bytes: Uint8Array

  constructor(bytes: Uint8Array, start: number, end: number) {
    this.#bytes = bytes
    this.#pos = start
    this.#end = end
  }

  get remaining(): number {
    return this.#end - this.#pos
  }

  u8(): number {
    if (this.remaining < 1) throw malformed('truncated field')
    return this.#bytes[this.#pos++] as number
  }

  u16(): number {
    return (this.u8() << 8) | this.u8()
  }

  /** A sub-reader over the next `length` bytes, which this reader skips. */
  take(length: number): Reader {
    if (this.remaining < length) throw malformed('length exceeds its container')
    const sub = new Reader(this.#bytes, this.#pos, this.#pos + length)
    this.#pos += length
    return sub
  }

  skip(length: number): void {
    if (this.remaining < length) throw malformed('length exceeds its container')
    this.#pos += length
  }

  bytes(length: number): Uint8Array {
    if (this.remaining < length) throw malformed('length exceeds its container')
    const out = this.#bytes.subarray(this.#pos, this.#pos + length)
    this.#pos += length
    return out
  }

  u16List(what: string): number[] {
    if (this.remaining % 2 !== 0) throw malformed(`odd length in ${what}`)
    const out: number[] = []
    while (this.remaining > 0) out.push(this.u16())
    return out
  }

  end(what: string): void {
    if (this.remaining !== 0) throw malformed(`trailing bytes in ${what}`)
  }
}

/** Where the ClientHello message (header included) lies, and how much input its records took. */
interface Located {
  readonly bytes: Uint8Array
  readonly start: number
  readonly end: number
  readonly byteLength: number
}

/**
 * The common case without copying: the first record is complete and holds the whole message.
 * Anything else (or anything invalid, which {@link reassemble} then reports) returns null.
 */
function inFirstRecord(input: Uint8Array): Located | null {
  if (input.length < RECORD_HEADER + HANDSHAKE_HEADER) return null
  if (input[0] !== CONTENT_HANDSHAKE || input[1] !== 3) return null
  const length = ((input[3] as number) << 8) | (input[4] as number)
  if (length === 0 || length > MAX_RECORD_FRAGMENT || input.length < RECORD_HEADER + length) {
    return null
  }
  if (input[RECORD_HEADER] !== MSG_CLIENT_HELLO) return null
  const needed =
    HANDSHAKE_HEADER +
    (((input[RECORD_HEADER + 1] as number) << 16) |
      ((input[RECORD_HEADER + 2] as number) << 8) |
      (input[RECORD_HEADER + 3] as number))
  if (needed > length || needed > MAX_CLIENT_HELLO_BYTES) return null
  return {
    bytes: input,
    start: RECORD_HEADER,
    end: RECORD_HEADER + needed,
    byteLength: RECORD_HEADER + length,
  }
}

/**
 * Collects the ClientHello handshake message from the first TLS records of a connection.
 * Returns where the message bytes (header included) are and how much input they took.
 */
function reassemble(input: Uint8Array): Located {
  const fast = inFirstRecord(input)
  if (fast) return fast
  const fragments: Uint8Array[] = []
  let collected = 0
  let needed = -1
  let offset = 0
  for (let record = 0; ; record++) {
    if (record >= MAX_CLIENT_HELLO_RECORDS) throw malformed('ClientHello spans too many records')
    if (input.length < offset + 1) throw incomplete()
    if (input[offset] !== CONTENT_HANDSHAKE) throw malformed('not a TLS handshake record')
    if (input.length < offset + 2) throw incomplete()
    if (input[offset + 1] !== 3) throw malformed('unsupported record version')
    if (input.length < offset + RECORD_HEADER) throw incomplete()
    const length = ((input[offset + 3] as number) << 8) | (input[offset + 4] as number)
    if (length === 0) throw malformed('empty handshake record')
    if (length > MAX_RECORD_FRAGMENT) throw malformed('record longer than 2^14 bytes')
    const start = offset + RECORD_HEADER
    // Judge the handshake header as soon as it is visible, before waiting for the rest.
    const available = input.subarray(start, Math.min(input.length, start + length))
    const prefix = concat([...fragments, available])
    if (needed < 0 && prefix.length >= HANDSHAKE_HEADER) {
      if (prefix[0] !== MSG_CLIENT_HELLO)
        throw malformed('first handshake message is not a ClientHello')
      const body =
        ((prefix[1] as number) << 16) | ((prefix[2] as number) << 8) | (prefix[3] as number)
      needed = HANDSHAKE_HEADER + body
      if (needed > MAX_CLIENT_HELLO_BYTES) throw malformed('ClientHello longer than 16 KiB')
    } else if (needed < 0 && prefix.length > 0 && prefix[0] !== MSG_CLIENT_HELLO) {
      throw malformed('first handshake message is not a ClientHello')
    }
    if (input.length < start + length) throw incomplete()
    fragments.push(input.subarray(start, start + length))
    collected += length
    offset = start + length
    if (needed >= 0 && collected >= needed) {
      return { bytes: concat(fragments), start: 0, end: needed, byteLength: offset }
    }
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array
  const total = parts.reduce((sum, part) => sum + part.length, 0)
  const out = new Uint8Array(total)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

function parseServerName(ext: Reader): string | null {
  const list = ext.take(ext.u16())
  ext.end('server_name')
  if (list.remaining === 0) throw malformed('empty server_name list')
  let name: string | null = null
  while (list.remaining > 0) {
    const type = list.u8()
    const value = list.bytes(list.u16())
    // RFC 6066 §3: at most one name of each type; only host_name (0) is defined.
    if (type === 0) {
      if (name !== null) throw malformed('two host_name entries in server_name')
      name = utf8.decode(value)
    }
  }
  return name
}

function parseAlpn(ext: Reader): string[] {
  const list = ext.take(ext.u16())
  ext.end('application_layer_protocol_negotiation')
  const out: string[] = []
  while (list.remaining > 0) {
    const length = list.u8()
    // RFC 7301 §3.1: empty protocol names are not allowed.
    if (length === 0) throw malformed('empty ALPN protocol name')
    out.push(utf8.decode(list.bytes(length)))
  }
  if (out.length === 0) throw malformed('empty ALPN list')
  return out
}

/**
 * Parses the ClientHello at the start of a TLS connection from the bytes received so far.
 *
 * Throws `ManagerError` with `ERR_MANAGER_CLIENT_HELLO_INCOMPLETE` when every byte seen is plausible but
 * more are needed, and with `ERR_MANAGER_CLIENT_HELLO_MALFORMED` as soon as the input cannot be a
 * ClientHello; it never throws anything else. A hello may span up to
 * {@link MAX_CLIENT_HELLO_RECORDS} records and {@link MAX_CLIENT_HELLO_BYTES} bytes.
 *
 * @example
 * try {
 *   const hello = parseClientHello(firstBytes)
 *   console.log(hello.serverName, hello.alpnProtocols)
 * } catch (error) {
 *   if (error instanceof ManagerError && error.code === 'ERR_MANAGER_CLIENT_HELLO_INCOMPLETE') readMore()
 * }
 * @see https://www.rfc-editor.org/rfc/rfc8446#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc6066#section-3
 * @see https://www.rfc-editor.org/rfc/rfc7301#section-3.1
 */
export function parseClientHello(input: Uint8Array): ClientHello {
  const { bytes, start, end, byteLength } = reassemble(input)
  const hello = new Reader(bytes, start + HANDSHAKE_HEADER, end)
  const legacyVersion = hello.u16()
  if (legacyVersion >> 8 !== 3) throw malformed('unsupported client version')
  hello.bytes(32)
  const sessionIdLength = hello.u8()
  if (sessionIdLength > 32) throw malformed('session id longer than 32 bytes')
  hello.bytes(sessionIdLength)
  const suites = hello.take(hello.u16())
  const cipherSuites = suites.u16List('cipher_suites')
  if (cipherSuites.length === 0) throw malformed('no cipher suites')
  const compressionLength = hello.u8()
  if (compressionLength === 0) throw malformed('no compression methods')
  hello.bytes(compressionLength)

  let serverName: string | null = null
  let alpnProtocols: string[] | null = null
  let signatureAlgorithms: number[] | null = null
  let supportedGroups: number[] | null = null
  let supportedVersions: number[] | null = null
  if (hello.remaining > 0) {
    const extensions = hello.take(hello.u16())
    hello.end('ClientHello')
    if (++parseNumber === 0x10000) {
      seenIn.fill(0)
      parseNumber = 1
    }
    while (extensions.remaining > 0) {
      const type = extensions.u16()
      const length = extensions.u16()
      // RFC 8446 §4.2: no extension type may appear twice.
      if (seenIn[type] === parseNumber) throw malformed(`duplicate extension ${type}`)
      seenIn[type] = parseNumber
      if (!READ_EXTENSIONS.has(type)) {
        extensions.skip(length)
        continue
      }
      const ext = extensions.take(length)
      switch (type) {
        case EXT_SERVER_NAME:
          serverName = parseServerName(ext)
          break
        case EXT_ALPN:
          alpnProtocols = parseAlpn(ext)
          break
        case EXT_SIGNATURE_ALGORITHMS: {
          const list = ext.take(ext.u16())
          ext.end('signature_algorithms')
          signatureAlgorithms = list.u16List('signature_algorithms')
          break
        }
        case EXT_SUPPORTED_GROUPS: {
          const list = ext.take(ext.u16())
          ext.end('supported_groups')
          supportedGroups = list.u16List('supported_groups')
          break
        }
        case EXT_SUPPORTED_VERSIONS: {
          const list = ext.take(ext.u8())
          ext.end('supported_versions')
          supportedVersions = list.u16List('supported_versions')
          break
        }
      }
    }
  }
  return {
    legacyVersion,
    serverName,
    alpnProtocols,
    signatureAlgorithms,
    supportedGroups,
    supportedVersions,
    cipherSuites,
    byteLength,
  }
}
