import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readiness } from './readiness.js'

const HELLO = 'Hello, TLS!\n'
const TEXT = 'text/plain; charset=utf-8'

/** A `(req, res)` listener. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void

/**
 * The application: `GET /` says hello; `GET /healthz` (liveness) says the process answers;
 * `GET /readyz` (readiness) says whether it can serve anyone now. A request with more than one
 * Host header is answered 400, as RFC 9112 §3.2 requires. `rest` takes any other path (the port-80
 * challenge answers and redirects); without it, the path is not found.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-3.2
 */
export function helloHandler(readiness: Readiness, rest?: Handler): Handler {
  return (req, res) => {
    if (hostHeaders(req) > 1) {
      res.shouldKeepAlive = false
      send(res, 400, 'more than one Host header\n')
      return
    }
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/healthz' || path === '/readyz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return notAllowed(res)
      if (path === '/healthz') return send(res, 200, 'ok\n', req.method)
      readiness.check().then(
        (report) => send(res, report.ready ? 200 : 503, `${report.reason}\n`, req.method),
        () => send(res, 503, 'readiness check failed\n', req.method),
      )
      return
    }
    if (rest) return rest(req, res)
    if (req.method !== 'GET' && req.method !== 'HEAD') return notAllowed(res)
    if (path === '/') {
      res.writeHead(200, {
        'content-type': TEXT,
        'content-length': Buffer.byteLength(HELLO),
        'strict-transport-security': 'max-age=31536000',
      })
      res.end(req.method === 'HEAD' ? undefined : HELLO)
      return
    }
    send(res, 404, 'not found\n')
  }
}

function hostHeaders(req: IncomingMessage): number {
  let count = 0
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]?.toLowerCase() === 'host') count++
  }
  return count
}

function notAllowed(res: ServerResponse): void {
  res.setHeader('allow', 'GET, HEAD')
  send(res, 405, 'method not allowed\n')
}

function send(res: ServerResponse, status: number, body: string, method?: string): void {
  res.writeHead(status, {
    'content-type': TEXT,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  })
  res.end(method === 'HEAD' ? undefined : body)
}
