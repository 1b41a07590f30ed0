import { Agent as HttpAgent, request as httpRequest } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { Readable } from 'node:stream'
import { createSecureContext, rootCertificates } from 'node:tls'

/** The fetch signature this package calls: a subset of the global `fetch`. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

const NULL_BODY_STATUS = new Set([101, 204, 205, 304])

/**
 * A `fetch`-shaped function on `node:https` that trusts the system roots plus `caPem`
 * (Node 20's global fetch cannot take extra CAs). It follows no redirects and honours
 * `init.signal`; plain `http:` URLs (a CA on a private network, tests) go over `node:http`.
 * Connections are kept alive and reused, and the trusted CAs are parsed once per function into
 * one `SecureContext`, not once per connection (a TLS handshake and ~140 root certificates
 * parsed per connection cost more CPU than the whole ACME exchange). The agent gets that context
 * rather than a `ca` list, which it would also join into its pool key on every request.
 *
 * @example
 * const fetch = createHttpsFetch({ caPem: privateCaPem })
 * const res = await fetch('https://ca.internal/directory', { method: 'GET' })
 */
export function createHttpsFetch(options: { caPem?: string | readonly string[] } = {}): FetchLike {
  const extra =
    options.caPem === undefined
      ? []
      : typeof options.caPem === 'string'
        ? [options.caPem]
        : [...options.caPem]
  const secureContext =
    extra.length === 0 ? undefined : createSecureContext({ ca: [...rootCertificates, ...extra] })
  // Idle sockets are unref'd by the agent, so they never keep a process alive.
  const httpsAgent = new HttpsAgent({
    keepAlive: true,
    ...(secureContext ? { secureContext } : {}),
  })
  const httpAgent = new HttpAgent({ keepAlive: true })
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const headers: Record<string, string> = {}
      new Headers(init.headers).forEach((value, name) => {
        headers[name] = value
      })
      const body = typeof init.body === 'string' ? init.body : undefined
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))
      const plain = url.startsWith('http:')
      const request = plain ? httpRequest : httpsRequest
      const req = request(
        url,
        {
          method: init.method ?? 'GET',
          headers,
          agent: plain ? httpAgent : httpsAgent,
          signal: init.signal ?? undefined,
        },
        (res) => {
          const responseHeaders = new Headers()
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            responseHeaders.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string)
          }
          const status = res.statusCode ?? 0
          if (NULL_BODY_STATUS.has(status) || init.method === 'HEAD') {
            res.resume()
            resolve(new Response(null, { status, headers: responseHeaders }))
            return
          }
          const stream = Readable.toWeb(res) as ReadableStream<Uint8Array>
          resolve(new Response(stream, { status, headers: responseHeaders }))
        },
      )
      req.on('error', reject)
      req.end(body)
    })
}
