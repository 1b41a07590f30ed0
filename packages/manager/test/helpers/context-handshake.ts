import type { AddressInfo } from 'node:net'
import { connect, createServer, type SecureContext } from 'node:tls'

/**
 * One real TLS handshake with a server whose SNI callback answers `context`: resolves the
 * subject of the certificate it presented (`CN=…`), or `failed: <reason>` when the handshake
 * failed (a released context holds no certificate).
 */
export async function subjectServedBy(context: SecureContext): Promise<string> {
  const server = createServer({ SNICallback: (_name, cb) => cb(null, context) }, (socket) =>
    socket.end(),
  )
  server.on('tlsClientError', () => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  try {
    return await new Promise<string>((resolve) => {
      const socket = connect(
        { host: '127.0.0.1', port, servername: 'context.test', rejectUnauthorized: false },
        () => {
          resolve(socket.getPeerX509Certificate()?.subject ?? 'no certificate')
          socket.destroy()
        },
      )
      socket.once('error', (error) => resolve(`failed: ${error.message}`))
    })
  } finally {
    server.close()
  }
}
