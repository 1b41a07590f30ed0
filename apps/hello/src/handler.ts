import type { IncomingMessage, ServerResponse } from 'node:http'

const HELLO = 'Hello, TLS!\n'

/** The application: `GET /` says hello, `GET /healthz` says the process is up. */
export function helloHandler(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0]
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
    res.end('method not allowed\n')
    return
  }
  if (path === '/') {
    res.writeHead(200, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(HELLO),
      'strict-transport-security': 'max-age=31536000',
    })
    res.end(req.method === 'HEAD' ? undefined : HELLO)
    return
  }
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
    res.end(req.method === 'HEAD' ? undefined : 'ok\n')
    return
  }
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
  res.end('not found\n')
}
