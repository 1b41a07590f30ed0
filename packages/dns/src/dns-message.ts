import { DnsError } from './errors.js'

/** Record types this package reads or writes. */
export const RR_TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  TXT: 16,
  AAAA: 28,
  TSIG: 250,
  AXFR: 252,
  ANY: 255,
} as const

/** Record classes: IN, plus NONE and ANY as RFC 2136 §2.5 uses them in updates. */
export const RR_CLASS = { IN: 1, NONE: 254, ANY: 255 } as const

/** Header opcodes: QUERY (RFC 1035) and UPDATE (RFC 2136). */
export const OPCODE = { QUERY: 0, UPDATE: 5 } as const

/** A question (or, in an UPDATE, the zone section). */
export interface Question {
  readonly name: string
  readonly type: number
  readonly class: number
}

/** A resource record; `data` holds `rdata` decoded for the types this package reads. */
export interface ResourceRecord {
  readonly name: string
  readonly type: number
  readonly class: number
  readonly ttl: number
  readonly rdata: Uint8Array
  /** Where the record starts in the message (TSIG verification strips the last one). */
  readonly offset: number
  /** TXT: the strings joined; NS/CNAME: the target name; A/AAAA: the address; SOA: mname. */
  readonly data?: string
}

/** A whole DNS message, sections named as in RFC 1035 (an UPDATE reuses them, RFC 2136 §2). */
export interface DnsMessage {
  readonly id: number
  readonly response: boolean
  readonly opcode: number
  readonly authoritative: boolean
  readonly truncated: boolean
  readonly recursionDesired: boolean
  readonly rcode: number
  readonly questions: readonly Question[]
  readonly answers: readonly ResourceRecord[]
  readonly authorities: readonly ResourceRecord[]
  readonly additionals: readonly ResourceRecord[]
}

/** What {@link encodeMessage} needs; absent sections are empty. */
export interface MessageInput {
  id: number
  opcode?: number
  recursionDesired?: boolean
  questions?: readonly Question[]
  answers?: readonly RecordInput[]
  authorities?: readonly RecordInput[]
  additionals?: readonly RecordInput[]
}

/** A record to encode: `rdata` is already in wire form (see {@link txtRdata}). */
export interface RecordInput {
  readonly name: string
  readonly type: number
  readonly class: number
  readonly ttl: number
  readonly rdata: Uint8Array
}

const RCODE_NAMES = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
]

/**
 * The mnemonic of a response code (RFC 1035 §4.1.1, RFC 2136 §2.2), or `RCODE<n>`.
 *
 * @example
 * rcodeName(9) // 'NOTAUTH'
 */
export function rcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE${rcode}`
}

/**
 * A domain name in uncompressed wire form (RFC 1035 §3.1); `lowercase` gives the canonical form
 * that TSIG digests (RFC 8945 §4.3.3).
 */
export function encodeName(name: string, lowercase = false): Uint8Array {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name
  const labels = trimmed === '' ? [] : trimmed.split('.')
  const parts: number[] = []
  for (const label of labels) {
    const bytes = new TextEncoder().encode(lowercase ? label.toLowerCase() : label)
    if (bytes.length === 0 || bytes.length > 63) {
      throw new DnsError('ERR_DNS_INVALID_ARGUMENT', `invalid DNS name ${JSON.stringify(name)}`)
    }
    parts.push(bytes.length, ...bytes)
  }
  parts.push(0)
  if (parts.length > 255) {
    throw new DnsError('ERR_DNS_INVALID_ARGUMENT', `DNS name too long: ${name}`)
  }
  return Uint8Array.from(parts)
}

/**
 * TXT rdata (RFC 1035 §3.3.14): the value as character-strings of at most 255 bytes each.
 */
export function txtRdata(value: string): Uint8Array {
  const bytes = new TextEncoder().encode(value)
  const parts: number[] = []
  let offset = 0
  do {
    const chunk = bytes.subarray(offset, offset + 255)
    parts.push(chunk.length, ...chunk)
    offset += 255
  } while (offset < bytes.length)
  return Uint8Array.from(parts)
}

/** A DNS message in wire form, names uncompressed. */
export function encodeMessage(input: MessageInput): Uint8Array {
  const chunks: Uint8Array[] = []
  const header = new DataView(new ArrayBuffer(12))
  const questions = input.questions ?? []
  const answers = input.answers ?? []
  const authorities = input.authorities ?? []
  const additionals = input.additionals ?? []
  header.setUint16(0, input.id)
  header.setUint16(2, ((input.opcode ?? 0) << 11) | (input.recursionDesired ? 0x0100 : 0))
  header.setUint16(4, questions.length)
  header.setUint16(6, answers.length)
  header.setUint16(8, authorities.length)
  header.setUint16(10, additionals.length)
  chunks.push(new Uint8Array(header.buffer))
  for (const q of questions) {
    chunks.push(encodeName(q.name), u16(q.type), u16(q.class))
  }
  for (const rr of [...answers, ...authorities, ...additionals]) chunks.push(encodeRecord(rr))
  return concat(chunks)
}

/** One resource record in wire form. */
export function encodeRecord(rr: RecordInput): Uint8Array {
  const fixed = new DataView(new ArrayBuffer(10))
  fixed.setUint16(0, rr.type)
  fixed.setUint16(2, rr.class)
  fixed.setUint32(4, rr.ttl)
  fixed.setUint16(8, rr.rdata.length)
  return concat([encodeName(rr.name), new Uint8Array(fixed.buffer), rr.rdata])
}

/**
 * Reads a possibly compressed name at `offset` of `message` (RFC 1035 §4.1.4). Returns the name
 * without the trailing dot and the offset just after it in the original position.
 */
export function readName(message: Uint8Array, offset: number): { name: string; end: number } {
  const labels: string[] = []
  let position = offset
  let end = -1
  let jumps = 0
  let length = 0
  for (;;) {
    const byte = message[position]
    if (byte === undefined) throw malformed('name runs past the end')
    if (byte === 0) {
      if (end < 0) end = position + 1
      break
    }
    if ((byte & 0xc0) === 0xc0) {
      const low = message[position + 1]
      if (low === undefined) throw malformed('compression pointer runs past the end')
      if (end < 0) end = position + 2
      if (++jumps > 64) throw malformed('compression pointer loop')
      position = ((byte & 0x3f) << 8) | low
      continue
    }
    if (byte & 0xc0) throw malformed('unknown label type')
    const label = message.subarray(position + 1, position + 1 + byte)
    if (label.length !== byte) throw malformed('label runs past the end')
    length += byte + 1
    if (length > 255) throw malformed('name longer than 255 bytes')
    labels.push(new TextDecoder().decode(label))
    position += 1 + byte
  }
  return { name: labels.join('.'), end }
}

/**
 * Parses a DNS message. Throws `ERR_DNS_MALFORMED_RESPONSE` for anything that does not parse;
 * never reads past the buffer.
 */
export function decodeMessage(message: Uint8Array): DnsMessage {
  if (message.length < 12) throw malformed('shorter than a header')
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength)
  const flags = view.getUint16(2)
  const counts = [view.getUint16(4), view.getUint16(6), view.getUint16(8), view.getUint16(10)]
  let offset = 12
  const questions: Question[] = []
  for (let i = 0; i < (counts[0] ?? 0); i++) {
    const { name, end } = readName(message, offset)
    if (end + 4 > message.length) throw malformed('question runs past the end')
    questions.push({ name, type: view.getUint16(end), class: view.getUint16(end + 2) })
    offset = end + 4
  }
  const sections: ResourceRecord[][] = [[], [], []]
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < (counts[s + 1] ?? 0); i++) {
      const recordOffset = offset
      const { name, end } = readName(message, offset)
      if (end + 10 > message.length) throw malformed('record runs past the end')
      const type = view.getUint16(end)
      const rdlength = view.getUint16(end + 8)
      const start = end + 10
      if (start + rdlength > message.length) throw malformed('rdata runs past the end')
      const rdata = message.subarray(start, start + rdlength)
      const data = decodeData(message, type, start, rdata)
      sections[s]?.push({
        name,
        type,
        class: view.getUint16(end + 2),
        ttl: view.getUint32(end + 4),
        rdata,
        offset: recordOffset,
        ...(data === undefined ? {} : { data }),
      })
      offset = start + rdlength
    }
  }
  return {
    id: view.getUint16(0),
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    authoritative: (flags & 0x0400) !== 0,
    truncated: (flags & 0x0200) !== 0,
    recursionDesired: (flags & 0x0100) !== 0,
    rcode: flags & 0xf,
    questions,
    answers: sections[0] ?? [],
    authorities: sections[1] ?? [],
    additionals: sections[2] ?? [],
  }
}

function decodeData(
  message: Uint8Array,
  type: number,
  start: number,
  rdata: Uint8Array,
): string | undefined {
  switch (type) {
    case RR_TYPE.A:
      if (rdata.length !== 4) throw malformed('A record is not 4 bytes')
      return Array.from(rdata).join('.')
    case RR_TYPE.AAAA: {
      if (rdata.length !== 16) throw malformed('AAAA record is not 16 bytes')
      const groups: string[] = []
      for (let i = 0; i < 16; i += 2)
        groups.push(((rdata[i] ?? 0) * 256 + (rdata[i + 1] ?? 0)).toString(16))
      return groups.join(':')
    }
    case RR_TYPE.NS:
    case RR_TYPE.CNAME:
    case RR_TYPE.SOA:
      return readName(message, start).name
    case RR_TYPE.TXT: {
      let text = ''
      let i = 0
      while (i < rdata.length) {
        const length = rdata[i] ?? 0
        if (i + 1 + length > rdata.length) throw malformed('TXT string runs past the rdata')
        text += new TextDecoder().decode(rdata.subarray(i + 1, i + 1 + length))
        i += 1 + length
      }
      return text
    }
    default:
      return undefined
  }
}

/** Big-endian 16-bit integer. */
export function u16(value: number): Uint8Array {
  return Uint8Array.of((value >> 8) & 0xff, value & 0xff)
}

/** Joins byte arrays. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

function malformed(why: string): DnsError {
  return new DnsError('ERR_DNS_MALFORMED_RESPONSE', `malformed DNS message: ${why}`)
}
