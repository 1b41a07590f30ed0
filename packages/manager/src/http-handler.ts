import type { IncomingMessage, ServerResponse } from 'node:http'

/** A `node:http` request listener. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void

/** What {@link createHttpHandler} needs from the manager. */
export interface HttpHandlerOptions {
  /**
   * The normalised host name if `host` (the Host header without its port) is valid and passes
   * the host policy, else `null`. Called before any cache access.
   */
  allowedHost(host: string, signal: AbortSignal): Promise<string | null>
  /** The http-01 key authorization for a pending challenge, from memory or the shared cache. */
  challengeAnswer(host: string, token: string, signal: AbortSignal): Promise<string | null>
  /** A key authorization was sent in full (the response finished): the CA has what it asked for. */
  answerSent?(host: string, token: string): void
  /** Handles every request that is not an ACME challenge; default: redirect to HTTPS. */
  fallback?: RequestListener | undefined
  /** Port in redirect targets; default 443 (left out of the URL). */
  httpsPort?: number
  /** Told about failures of the two callbacks (the request itself gets a 500). */
  onError?(error: unknown): void
}

const CHALLENGE_PREFIX = '/.well-known/acme-challenge/'
/** RFC 8555 §8.1: tokens are base64url; 128 bits of entropy or more, so never tiny or huge. */
const TOKEN = /^[A-Za-z0-9_-]{16,256}$/

/** The host part of a Host header (`name`, `name:port`, `[v6]:port`), or null when unparsable. */
function hostOf(header: string | undefined): string | null {
  if (!header) return null
  if (header.startsWith('[')) {
    const end = header.indexOf(']')
    if (end < 0) return null
    const rest = header.slice(end + 1)
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null
    return header.slice(1, end)
  }
  const colon = header.lastIndexOf(':')
  if (colon < 0) return header
  if (!/^\d{1,5}$/.test(header.slice(colon + 1))) return null
  return header.slice(0, colon)
}

function reply(res: ServerResponse, status: number, body: string, headers = {}): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...headers,
  })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}

/**
 * The port-80 request listener: answers RFC 8555 http-01 validation requests at
 * `/.well-known/acme-challenge/<token>` and sends everything else to `fallback`, or, without one,
 * redirects it to the same path over HTTPS — only for hosts the policy allows, so the handler is
 * never an open redirect and never touches the cache for names it does not manage.
 *
 * @example
 * http.createServer(createHttpHandler({ allowedHost, challengeAnswer })).listen(80)
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-8.3
 */
export function createHttpHandler(options: HttpHandlerOptions): RequestListener {
  const port = options.httpsPort ?? 443
  const suffix = port === 443 ? '' : `:${port}`
  return (req, res) => {
    const path = req.url ?? '/'
    const isChallenge = path.startsWith(CHALLENGE_PREFIX)
    if (!isChallenge && options.fallback) {
      options.fallback(req, res)
      return
    }
    const controller = new AbortController()
    res.once('close', () => controller.abort())
    void (async () => {
      const host = hostOf(req.headers.host)
      const allowed = host === null ? null : await options.allowedHost(host, controller.signal)
      if (isChallenge) {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          reply(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' })
          return
        }
        const token = path.slice(CHALLENGE_PREFIX.length)
        const answer =
          allowed !== null && TOKEN.test(token)
            ? await options.challengeAnswer(allowed, token, controller.signal)
            : null
        if (answer === null) reply(res, 404, 'no such challenge\n')
        else {
          const sent = options.answerSent
          // A HEAD answer carries no key authorization: the CA has not seen it yet.
          if (sent && allowed !== null && req.method === 'GET') {
            res.once('finish', () => {
              try {
                sent(allowed, token)
              } catch (error) {
                options.onError?.(error)
              }
            })
          }
          reply(res, 200, answer, { 'content-type': 'application/octet-stream' })
        }
        return
      }
      if (allowed === null) {
        reply(res, 400, 'unknown host\n')
        return
      }
      // Only origin-form paths are appended: an absolute-form target would change the host.
      const target = path.startsWith('/') ? path : '/'
      const status = req.method === 'GET' || req.method === 'HEAD' ? 301 : 308
      const location = `https://${allowed.includes(':') ? `[${allowed}]` : allowed}${suffix}${target}`
      reply(res, status, `redirecting to ${location}\n`, { location })
    })().catch((error: unknown) => {
      options.onError?.(error)
      if (!res.headersSent) reply(res, 500, 'internal error\n')
      else res.destroy()
    })
  }
}
