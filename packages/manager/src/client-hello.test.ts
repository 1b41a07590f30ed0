import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nodeHello, opensslHello } from '../test/helpers/capture-hello.js'
import { MAX_CLIENT_HELLO_BYTES, parseClientHello } from './client-hello.js'
import { chooseKeyType, supportsEcdsa } from './client-key-type.js'
import { ManagerError } from './errors.js'

function codeOf(run: () => unknown): string {
  try {
    run()
    return 'ok'
  } catch (error) {
    if (error instanceof ManagerError) return error.code
    throw error
  }
}

/** Builds a ClientHello record from parts, so tests can bend one field at a time. */
function buildHello(
  options: { extensions?: Uint8Array; suites?: number[]; recordSplit?: number } = {},
): Uint8Array {
  const suites = options.suites ?? [0x1301, 0xc02b]
  const ext = options.extensions ?? new Uint8Array()
  const body = [
    0x03,
    0x03,
    ...new Array(32).fill(7),
    0,
    (suites.length * 2) >> 8,
    (suites.length * 2) & 0xff,
    ...suites.flatMap((s) => [s >> 8, s & 0xff]),
    1,
    0,
    ext.length >> 8,
    ext.length & 0xff,
    ...ext,
  ]
  const message = [1, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff, ...body]
  const split = options.recordSplit ?? message.length
  const records: number[] = []
  for (let at = 0; at < message.length; at += split) {
    const part = message.slice(at, at + split)
    records.push(0x16, 3, 1, part.length >> 8, part.length & 0xff, ...part)
  }
  return Uint8Array.from(records)
}

function extension(type: number, data: number[]): number[] {
  return [type >> 8, type & 0xff, data.length >> 8, data.length & 0xff, ...data]
}

function sni(name: string): number[] {
  const bytes = [...Buffer.from(name, 'utf8')]
  const entry = [0, bytes.length >> 8, bytes.length & 0xff, ...bytes]
  return extension(0, [entry.length >> 8, entry.length & 0xff, ...entry])
}

describe('parseClientHello', () => {
  it('reads SNI, ALPN and key-type hints from a Node tls.connect hello', async () => {
    const bytes = await nodeHello({ servername: 'example.com', ALPNProtocols: ['h2', 'http/1.1'] })
    const hello = parseClientHello(bytes)
    expect(hello.serverName).toBe('example.com')
    expect(hello.alpnProtocols).toEqual(['h2', 'http/1.1'])
    expect(hello.supportedVersions).toContain(0x0304)
    expect(hello.byteLength).toBe(bytes.length)
    expect(supportsEcdsa(hello)).toBe(true)
  })

  it('rfc8737 §4: reads the acme-tls/1-only ALPN list of a validation hello from openssl', async () => {
    const bytes = await opensslHello(['-servername', 'www.example.org', '-alpn', 'acme-tls/1'])
    const hello = parseClientHello(bytes)
    expect(hello.serverName).toBe('www.example.org')
    expect(hello.alpnProtocols).toEqual(['acme-tls/1'])
  })

  it('a client limited to RSA signature algorithms is offered the RSA certificate (TLS 1.2 and 1.3)', async () => {
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      const rsaOnly = parseClientHello(
        await nodeHello({ servername: 'a.test', sigalgs: 'RSA-PSS+SHA256:RSA+SHA256', maxVersion }),
      )
      expect(chooseKeyType(rsaOnly, ['ec-p256', 'rsa-2048'])).toBe('rsa-2048')
      const normal = parseClientHello(await nodeHello({ servername: 'a.test', maxVersion }))
      expect(chooseKeyType(normal, ['ec-p256', 'rsa-2048'])).toBe('ec-p256')
    }
    const tls12RsaSuites = parseClientHello(
      await opensslHello([
        '-servername',
        'a.test',
        '-tls1_2',
        '-cipher',
        'ECDHE-RSA-AES128-GCM-SHA256',
      ]),
    )
    expect(supportsEcdsa(tls12RsaSuites)).toBe(false)
  })

  it('without SNI, serverName is null; without ALPN, alpnProtocols is null', async () => {
    const hello = parseClientHello(await opensslHello(['-noservername']))
    expect(hello.serverName).toBeNull()
    expect(hello.alpnProtocols).toBeNull()
  })

  it('reassembles a hello split across records', () => {
    const whole = buildHello({ extensions: Uint8Array.from(sni('split.example')) })
    const split = buildHello({ extensions: Uint8Array.from(sni('split.example')), recordSplit: 30 })
    expect(parseClientHello(split).serverName).toBe('split.example')
    expect(parseClientHello(split).byteLength).toBe(split.length)
    expect(parseClientHello(whole).byteLength).toBe(whole.length)
  })

  it('a valid hello cut at every offset is incomplete, never malformed', async () => {
    const bytes = await nodeHello({ servername: 'cut.example', ALPNProtocols: ['http/1.1'] })
    for (let end = 0; end < bytes.length; end++) {
      expect(codeOf(() => parseClientHello(bytes.subarray(0, end)))).toBe(
        'ERR_MANAGER_CLIENT_HELLO_INCOMPLETE',
      )
    }
    const split = buildHello({ extensions: Uint8Array.from(sni('x.example')), recordSplit: 17 })
    for (let end = 0; end < split.length; end++) {
      expect(codeOf(() => parseClientHello(split.subarray(0, end)))).toBe(
        'ERR_MANAGER_CLIENT_HELLO_INCOMPLETE',
      )
    }
  })

  it('rejects non-TLS bytes at the first byte (plain HTTP on the TLS port)', () => {
    expect(codeOf(() => parseClientHello(Buffer.from('G')))).toBe(
      'ERR_MANAGER_CLIENT_HELLO_MALFORMED',
    )
  })

  it('rejects a hello whose declared length exceeds 16 KiB as soon as the header shows it', () => {
    const header = Uint8Array.from([0x16, 3, 1, 0x40, 0, 1, 0x00, 0x40, 0x01])
    expect(MAX_CLIENT_HELLO_BYTES).toBe(16_384)
    expect(codeOf(() => parseClientHello(header))).toBe('ERR_MANAGER_CLIENT_HELLO_MALFORMED')
  })

  it('rfc8446 §4.2: rejects a duplicated extension', () => {
    const ext = Uint8Array.from([...sni('a.example'), ...sni('b.example')])
    expect(codeOf(() => parseClientHello(buildHello({ extensions: ext })))).toBe(
      'ERR_MANAGER_CLIENT_HELLO_MALFORMED',
    )
  })

  it('rfc8446 §4.2: tells a duplicate within one hello from the same extension in earlier hellos, however many', () => {
    const once = buildHello({ extensions: Uint8Array.from(sni('a.example')) })
    const twice = buildHello({
      extensions: Uint8Array.from([...sni('a.example'), ...sni('b.example')]),
    })
    // More hellos than the duplicate check's table counts before it starts over.
    for (let i = 0; i < 70_000; i++) expect(parseClientHello(once).serverName).toBe('a.example')
    expect(codeOf(() => parseClientHello(twice))).toBe('ERR_MANAGER_CLIENT_HELLO_MALFORMED')
    expect(parseClientHello(once).serverName).toBe('a.example')
  })

  it('rejects an extension whose length overruns the hello (oversized extension)', () => {
    const ext = Uint8Array.from([0, 0, 0xff, 0xff, 1, 2, 3])
    expect(codeOf(() => parseClientHello(buildHello({ extensions: ext })))).toBe(
      'ERR_MANAGER_CLIENT_HELLO_MALFORMED',
    )
  })

  it('decodes a raw UTF-8 server name as sent, for the manager to normalise', () => {
    const hello = parseClientHello(
      buildHello({ extensions: Uint8Array.from(sni('bücher.example')) }),
    )
    expect(hello.serverName).toBe('bücher.example')
  })

  it('property: random bytes only ever yield a hello or a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect([
          'ok',
          'ERR_MANAGER_CLIENT_HELLO_INCOMPLETE',
          'ERR_MANAGER_CLIENT_HELLO_MALFORMED',
        ]).toContain(codeOf(() => parseClientHello(bytes)))
      }),
      { numRuns: 5000 },
    )
  })

  it('property: a real hello with bytes flipped or spliced only yields a hello or a typed error', async () => {
    const real = await nodeHello({ servername: 'fuzz.example', ALPNProtocols: ['h2'] })
    fc.assert(
      fc.property(
        fc.nat({ max: real.length - 1 }),
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
        fc.boolean(),
        (at, patch, insert) => {
          const mutated = insert
            ? Buffer.concat([real.subarray(0, at), patch, real.subarray(at)])
            : Buffer.from(real)
          if (!insert) mutated.set(patch.subarray(0, mutated.length - at), at)
          expect([
            'ok',
            'ERR_MANAGER_CLIENT_HELLO_INCOMPLETE',
            'ERR_MANAGER_CLIENT_HELLO_MALFORMED',
          ]).toContain(codeOf(() => parseClientHello(mutated)))
        },
      ),
      { numRuns: 5000 },
    )
  })

  it('property: a hello in one record (read in place) parses as the same hello split across records', async () => {
    const real = await nodeHello({ servername: 'same.example', ALPNProtocols: ['h2', 'http/1.1'] })
    const message = real.subarray(5, 5 + real.readUInt16BE(3))
    fc.assert(
      fc.property(
        fc.nat({ max: message.length - 1 }),
        fc.uint8Array({ minLength: 1, maxLength: 4 }),
        fc.integer({ min: 16, max: 600 }),
        (at, patch, split) => {
          const mutated = Buffer.from(message)
          mutated.set(patch.subarray(0, mutated.length - at), at)
          const records: Buffer[] = []
          for (let i = 0; i < mutated.length; i += split) {
            const part = mutated.subarray(i, i + split)
            records.push(Buffer.from([0x16, 3, 1, part.length >> 8, part.length & 0xff]), part)
          }
          const whole = Buffer.concat([real.subarray(0, 5), mutated])
          const outcome = (bytes: Buffer): unknown => {
            try {
              const { byteLength: _, ...hello } = parseClientHello(bytes)
              return hello
            } catch (error) {
              return (error as { code?: string }).code
            }
          }
          const parts = Math.ceil(mutated.length / split)
          // With a declared length past the bytes, a fourth record would hit the record limit first.
          if (parts > 3) return
          expect(outcome(Buffer.concat(records))).toEqual(outcome(whole))
        },
      ),
      { numRuns: 3000 },
    )
  })
})
