// The container's HEALTHCHECK: exits 0 when the server is ready (GET /readyz answers 200: the
// cache is usable and a configured name can be served), 1 otherwise, with the server's reason.
// Readiness, not liveness: Docker, Compose's `service_healthy` and Swarm use this status to decide
// whether the container can take traffic. Uses only Node itself, so the image needs no curl.
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'

const httpPort = process.env.HTTP_PORT?.trim() || '80'
const httpsPort = process.env.HTTPS_PORT?.trim() || '443'
const firstDomain = (process.env.DOMAINS ?? '').split(',')[0]?.trim() || 'localhost'

const req =
  httpPort === 'off'
    ? httpsRequest({
        host: '127.0.0.1',
        port: Number(httpsPort),
        path: '/readyz',
        servername: firstDomain,
        headers: { host: firstDomain },
        // The certificate may still be on its way from the CA; the answer says so.
        rejectUnauthorized: false,
      })
    : httpRequest({ host: '127.0.0.1', port: Number(httpPort), path: '/readyz' })
req.setTimeout(4000, () => req.destroy(new Error('timed out')))
req.on('response', (res) => {
  let body = ''
  res.setEncoding('utf8')
  res.on('data', (chunk: string) => (body += chunk))
  res.on('end', () => {
    process.stdout.write(body)
    process.exit(res.statusCode === 200 ? 0 : 1)
  })
})
req.on('error', (error) => {
  process.stdout.write(`${error.message}\n`)
  process.exit(1)
})
req.end()
