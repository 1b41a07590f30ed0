import { createServer, request, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpHandler } from './http-handler.js'

const TOKEN = 'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA'
const lookups: string[] = []
const sent: string[] = []
let plain: Server
let withFallback: Server
let portPlain: number
let portFallback: number

function get(
  port: number,
  path: string,
  host: string,
  method = 'GET',
): Promise<{ status: number; body: string; location?: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host } }, (res) => {
      let body = ''
      res.on('data', (chunk) => {
        body += chunk
      })
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, location: res.headers.location }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

beforeAll(async () => {
  const base = {
    allowedHost: async (host: string) => {
      lookups.push(`policy:${host}`)
      const name = host.toLowerCase().replace(/\.$/, '')
      return name === 'example.com' || name === '2001:db8::1' ? name : null
    },
    challengeAnswer: async (host: string, token: string) => {
      lookups.push(`answer:${host}`)
      return token === TOKEN ? `${TOKEN}.thumbprint` : null
    },
  }
  plain = createServer(
    createHttpHandler({
      ...base,
      httpsPort: 8443,
      answerSent: (host, token) => sent.push(`${host} ${token}`),
    }),
  )
  withFallback = createServer(
    createHttpHandler({ ...base, fallback: (_req, res) => res.end('fallback') }),
  )
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r))
  await new Promise<void>((r) => withFallback.listen(0, '127.0.0.1', r))
  portPlain = (plain.address() as { port: number }).port
  portFallback = (withFallback.address() as { port: number }).port
})

afterAll(() => {
  plain.close()
  withFallback.close()
})

describe('createHttpHandler', () => {
  it('tells answerSent once a key authorization has gone out in full, and for nothing else', async () => {
    sent.length = 0
    const answer = await get(portPlain, `/.well-known/acme-challenge/${TOKEN}`, 'EXAMPLE.com')
    expect(answer.body).toBe(`${TOKEN}.thumbprint`)
    expect(sent).toEqual([`example.com ${TOKEN}`])
    await get(portPlain, `/.well-known/acme-challenge/${TOKEN}`, 'example.com', 'HEAD')
    await get(portPlain, `/.well-known/acme-challenge/${'x'.repeat(43)}`, 'example.com')
    await get(portPlain, `/.well-known/acme-challenge/${TOKEN}`, 'other.test')
    await get(portPlain, '/', 'example.com')
    expect(sent).toEqual([`example.com ${TOKEN}`])
  })

  it('rfc8555 §8.3: answers a pending http-01 challenge with its key authorization', async () => {
    const res = await get(portPlain, `/.well-known/acme-challenge/${TOKEN}`, 'Example.COM:80')
    expect(res).toMatchObject({ status: 200, body: `${TOKEN}.thumbprint` })
  })

  it('404s an unknown token, a token of the wrong format and a host outside the policy — the last two without a lookup', async () => {
    expect(
      (await get(portPlain, '/.well-known/acme-challenge/unknownunknownunknown', 'example.com'))
        .status,
    ).toBe(404)
    lookups.length = 0
    for (const token of ['short', '../../etc/passwd', `${TOKEN}%00`, 'a'.repeat(300)]) {
      expect(
        (await get(portPlain, `/.well-known/acme-challenge/${token}`, 'example.com')).status,
      ).toBe(404)
    }
    expect((await get(portPlain, `/.well-known/acme-challenge/${TOKEN}`, 'evil.test')).status).toBe(
      404,
    )
    expect(lookups.filter((l) => l.startsWith('answer:'))).toEqual([])
  })

  it('refuses methods other than GET and HEAD on the challenge path', async () => {
    expect(
      (await get(portPlain, `/.well-known/acme-challenge/${TOKEN}`, 'example.com', 'POST')).status,
    ).toBe(405)
  })

  it('redirects an allowed host to the same path over HTTPS', async () => {
    expect(await get(portPlain, '/a/b?c=1', 'example.com')).toMatchObject({
      status: 301,
      location: 'https://example.com:8443/a/b?c=1',
    })
    expect((await get(portPlain, '/x', '[2001:db8::1]:80')).location).toBe(
      'https://[2001:db8::1]:8443/x',
    )
    expect((await get(portPlain, '/x', 'example.com', 'POST')).status).toBe(308)
  })

  it('is not an open redirect: other hosts get 400, absolute-form targets lose their host', async () => {
    expect((await get(portPlain, '/', 'evil.test')).status).toBe(400)
    expect((await get(portPlain, '/', 'example.com:80:80')).status).toBe(400)
    expect((await get(portPlain, 'http://evil.test/x', 'example.com')).location).toBe(
      'https://example.com:8443/',
    )
  })

  it('sends everything but challenges to the fallback when one is given', async () => {
    expect(await get(portFallback, '/anything', 'evil.test')).toMatchObject({
      status: 200,
      body: 'fallback',
    })
    expect(
      (await get(portFallback, `/.well-known/acme-challenge/${TOKEN}`, 'example.com')).status,
    ).toBe(200)
  })
})
