// The container's HEALTHCHECK: exits 0 when the server answers /healthz, 1 otherwise.
// Uses only Node itself, so the image needs no curl or wget.
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
        path: '/healthz',
        servername: firstDomain,
        headers: { host: firstDomain },
        // Liveness only: the certificate may still be on its way from the CA.
        rejectUnauthorized: false,
      })
    : httpRequest({ host: '127.0.0.1', port: Number(httpPort), path: '/healthz' })
req.setTimeout(4000, () => req.destroy(new Error('timed out')))
req.on('response', (res) => {
  res.resume()
  process.exit(res.statusCode === 200 ? 0 : 1)
})
req.on('error', () => process.exit(1))
req.end()
