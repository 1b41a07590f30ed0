import { createHmac, timingSafeEqual } from 'node:crypto'
import {
  concat,
  DnsError,
  type DnsMessage,
  encodeMessage,
  encodeName,
  type MessageInput,
  RR_CLASS,
  RR_TYPE,
  readName,
  u16,
} from '@autotls/dns/provider'

/** A TSIG key (RFC 8945): its name, as the server knows it, and the base64 shared secret. */
export interface TsigKey {
  readonly name: string
  /** Base64 of the shared secret (the `secret` of a `tsig-keygen` or `keymgr` key). */
  readonly secret: string
  /** Only HMAC-SHA256 is supported (the default of BIND's `tsig-keygen` and Knot's `keymgr`). */
  readonly algorithm?: 'hmac-sha256'
}

const ALGORITHM = 'hmac-sha256'
const FUDGE_SECONDS = 300

/** TSIG error codes (RFC 8945 §3, RFC 2845) by number. */
const TSIG_ERRORS: Record<number, string> = {
  16: 'BADSIG',
  17: 'BADKEY',
  18: 'BADTIME',
  22: 'BADTRUNC',
}

/** Name of a TSIG error field value. */
export function tsigErrorName(error: number): string {
  return TSIG_ERRORS[error] ?? `TSIG${error}`
}

function u48(value: number): Uint8Array {
  const out = new Uint8Array(6)
  const high = Math.floor(value / 2 ** 32)
  new DataView(out.buffer).setUint16(0, high)
  new DataView(out.buffer).setUint32(2, value % 2 ** 32)
  return out
}

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, value)
  return out
}

/** RFC 8945 §4.3.3: the TSIG variables that follow the message in the digest. */
function variables(
  keyName: string,
  timeSigned: number,
  fudge: number,
  error: number,
  other: Uint8Array,
): Uint8Array {
  return concat([
    encodeName(keyName, true),
    u16(RR_CLASS.ANY),
    u32(0),
    encodeName(ALGORITHM, true),
    u48(timeSigned),
    u16(fudge),
    u16(error),
    u16(other.length),
    other,
  ])
}

function hmac(key: TsigKey, ...parts: Uint8Array[]): Uint8Array {
  const mac = createHmac('sha256', Buffer.from(key.secret, 'base64'))
  for (const part of parts) mac.update(part)
  return new Uint8Array(mac.digest())
}

/**
 * `input` in wire form with a TSIG record appended (RFC 8945 §4.3), and the MAC the response's
 * signature must cover.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8945#section-4.3
 */
export function signMessage(
  input: MessageInput,
  key: TsigKey,
  nowSeconds: number,
): { wire: Uint8Array; mac: Uint8Array } {
  const unsigned = encodeMessage(input)
  const mac = hmac(
    key,
    unsigned,
    variables(key.name, nowSeconds, FUDGE_SECONDS, 0, new Uint8Array()),
  )
  const rdata = concat([
    encodeName(ALGORITHM),
    u48(nowSeconds),
    u16(FUDGE_SECONDS),
    u16(mac.length),
    mac,
    u16(input.id),
    u16(0),
    u16(0),
  ])
  const wire = encodeMessage({
    ...input,
    additionals: [
      ...(input.additionals ?? []),
      { name: key.name, type: RR_TYPE.TSIG, class: RR_CLASS.ANY, ttl: 0, rdata },
    ],
  })
  return { wire, mac }
}

/** What the TSIG record of a response says. */
export interface TsigResult {
  /** The TSIG error field (0, or BADSIG/BADKEY/BADTIME…): the server refused our signature. */
  readonly error: number
}

/**
 * Checks the TSIG record of a response to a request signed with `requestMac` (RFC 8945 §5.3).
 * Returns null when the response carries none; throws `ERR_DNS_TSIG_INVALID` when its MAC does
 * not verify or its time is outside the fudge. A response whose TSIG reports an error is unsigned
 * (the server could not use our key): the error is returned, not verified.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8945#section-5.3
 */
export function verifyResponse(
  wire: Uint8Array,
  response: DnsMessage,
  requestMac: Uint8Array,
  key: TsigKey,
  nowSeconds: number,
  server: string,
): TsigResult | null {
  const tsig = response.additionals.at(-1)
  if (!tsig || tsig.type !== RR_TYPE.TSIG) return null
  const invalid = (why: string): DnsError =>
    new DnsError('ERR_DNS_TSIG_INVALID', `the TSIG signature of ${server}'s response ${why}`, {
      server,
    })
  const rdataStart = tsig.rdata.byteOffset - wire.byteOffset
  const { name: algorithm, end } = readName(wire, rdataStart)
  const view = new DataView(wire.buffer, wire.byteOffset, wire.byteLength)
  const fixedEnd = end + 10
  if (fixedEnd > wire.length) throw invalid('is truncated')
  const timeSigned = view.getUint16(end) * 2 ** 32 + view.getUint32(end + 2)
  const fudge = view.getUint16(end + 6)
  const macSize = view.getUint16(end + 8)
  if (fixedEnd + macSize + 6 > wire.length) throw invalid('is truncated')
  const mac = wire.subarray(fixedEnd, fixedEnd + macSize)
  const originalId = view.getUint16(fixedEnd + macSize)
  const error = view.getUint16(fixedEnd + macSize + 2)
  const otherLength = view.getUint16(fixedEnd + macSize + 4)
  const other = wire.subarray(fixedEnd + macSize + 6, fixedEnd + macSize + 6 + otherLength)
  if (error !== 0 && macSize === 0) return { error }
  if (algorithm.toLowerCase() !== ALGORITHM) throw invalid(`uses ${algorithm}, not ${ALGORITHM}`)
  if (tsig.name.toLowerCase() !== key.name.toLowerCase().replace(/\.$/, '')) {
    throw invalid(`names key ${tsig.name}, not ${key.name}`)
  }
  const stripped = wire.slice(0, tsig.offset)
  new DataView(stripped.buffer).setUint16(0, originalId)
  new DataView(stripped.buffer).setUint16(10, response.additionals.length - 1)
  const expected = hmac(
    key,
    u16(requestMac.length),
    requestMac,
    stripped,
    variables(key.name, timeSigned, fudge, error, other),
  )
  if (expected.length !== mac.length || !timingSafeEqual(expected, mac)) {
    throw invalid('does not verify: is the secret right?')
  }
  if (Math.abs(nowSeconds - timeSigned) > fudge) {
    throw invalid(`is ${Math.abs(nowSeconds - timeSigned)} s off our clock (fudge ${fudge} s)`)
  }
  return { error }
}
