import { createSecureContext, createServer, type SecureContext } from 'node:tls'

/** A TLS server answering tls-alpn-01 validations for the in-process ACME clients. */
export interface AlpnResponder {
  /**
   * Serve `certPem` / `keyPem` to `acme-tls/1` connections for `name`; `onValidation` runs after
   * each such handshake (the CA's validation request).
   */
  set(name: string, keyPem: string, certPem: string, onValidation?: () => void): void
  delete(name: string): void
  close(): Promise<void>
}

/**
 * Listens on `127.0.0.1:port` (where the CA connects for tls-alpn-01) and answers each validation
 * connection with the challenge certificate set for its SNI name, negotiating `acme-tls/1`.
 *
 * @example
 * const responder = await startAlpnResponder(pebble.tlsPort)
 * responder.set('a.test', keyPem, certPem)
 * @see https://www.rfc-editor.org/rfc/rfc8737#section-3
 */
export async function startAlpnResponder(port: number): Promise<AlpnResponder> {
  const contexts = new Map<string, SecureContext>()
  const watchers = new Map<string, () => void>()
  const server = createServer({
    ALPNProtocols: ['acme-tls/1'],
    SNICallback: (name, callback) => {
      const context = contexts.get(name.toLowerCase())
      if (context) callback(null, context)
      else callback(new Error(`no tls-alpn-01 certificate for ${name}`))
    },
  })
  server.on('tlsClientError', () => {})
  server.on('secureConnection', (socket) => {
    const name = typeof socket.servername === 'string' ? socket.servername.toLowerCase() : ''
    watchers.get(name)?.()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return {
    set: (name, keyPem, certPem, onValidation) => {
      contexts.set(name.toLowerCase(), createSecureContext({ key: keyPem, cert: certPem }))
      if (onValidation) watchers.set(name.toLowerCase(), onValidation)
    },
    delete: (name) => {
      contexts.delete(name.toLowerCase())
      watchers.delete(name.toLowerCase())
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
      }),
  }
}
