import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeMessage,
  encodeMessage,
  encodeName,
  OPCODE,
  RR_CLASS,
  RR_TYPE,
  rcodeName,
  txtRdata,
} from './dns-message.js'
import { DnsError } from './errors.js'

describe('DNS messages', () => {
  it('rfc1035 §4.1: a message decodes to what was encoded', () => {
    const wire = encodeMessage({
      id: 0xbeef,
      opcode: OPCODE.UPDATE,
      questions: [{ name: 'example.test', type: RR_TYPE.SOA, class: RR_CLASS.IN }],
      authorities: [
        {
          name: '_acme-challenge.example.test',
          type: RR_TYPE.TXT,
          class: RR_CLASS.NONE,
          ttl: 0,
          rdata: txtRdata('value'),
        },
      ],
    })
    const message = decodeMessage(wire)
    expect(message).toMatchObject({
      id: 0xbeef,
      opcode: OPCODE.UPDATE,
      response: false,
      questions: [{ name: 'example.test', type: RR_TYPE.SOA, class: RR_CLASS.IN }],
      authorities: [
        { name: '_acme-challenge.example.test', class: RR_CLASS.NONE, ttl: 0, data: 'value' },
      ],
    })
  })

  it('rfc1035 §4.1.4: follows compression pointers in names and in rdata', () => {
    // Response: question example.test CNAME; answer <ptr to question> CNAME a.<ptr to question>
    const header = [0x12, 0x34, 0x84, 0x00, 0, 1, 0, 1, 0, 0, 0, 0]
    const question = [7, ...Buffer.from('example'), 4, ...Buffer.from('test'), 0, 0, 5, 0, 1]
    const rdata = [1, 0x61, 0xc0, 12]
    const answer = [0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, rdata.length, ...rdata]
    const message = decodeMessage(Uint8Array.from([...header, ...question, ...answer]))
    expect(message.authoritative).toBe(true)
    expect(message.answers[0]).toMatchObject({ name: 'example.test', data: 'a.example.test' })
  })

  it('rfc1035 §3.3.14: TXT values longer than 255 bytes become several strings and join back', () => {
    const value = 'x'.repeat(600)
    const rdata = txtRdata(value)
    expect(rdata[0]).toBe(255)
    expect(rdata.length).toBe(600 + 3)
    const wire = encodeMessage({
      id: 1,
      answers: [{ name: 'a.test', type: RR_TYPE.TXT, class: RR_CLASS.IN, ttl: 1, rdata }],
    })
    expect(decodeMessage(wire).answers[0]?.data).toBe(value)
  })

  it('refuses labels longer than 63 bytes and empty labels', () => {
    expect(() => encodeName(`${'a'.repeat(64)}.test`)).toThrow(DnsError)
    expect(() => encodeName('a..test')).toThrow(DnsError)
    expect(encodeName('Example.TEST.', true)).toEqual(encodeName('example.test'))
  })

  it('names response codes', () => {
    expect(rcodeName(5)).toBe('REFUSED')
    expect(rcodeName(9)).toBe('NOTAUTH')
    expect(rcodeName(15)).toBe('RCODE15')
  })

  it('any byte string either decodes or fails with ERR_DNS_MALFORMED_RESPONSE (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeMessage(bytes)
        } catch (error) {
          expect(error).toBeInstanceOf(DnsError)
          expect((error as DnsError).code).toBe('ERR_DNS_MALFORMED_RESPONSE')
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('a valid header with hostile counts and pointers never reads past the end (property)', () => {
    const header = fc.tuple(
      fc.integer({ min: 0, max: 0xffff }),
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 4, maxLength: 4 }),
    )
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 200 }), ([id, counts], body) => {
        const head = Uint8Array.of(id >> 8, id & 0xff, 0x80, 0, ...counts.flatMap((c) => [0, c]))
        const wire = new Uint8Array([...head, ...body])
        try {
          decodeMessage(wire)
        } catch (error) {
          expect((error as DnsError).code).toBe('ERR_DNS_MALFORMED_RESPONSE')
        }
      }),
      { numRuns: 2000 },
    )
  })
})
