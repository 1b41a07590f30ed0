import { connect, createSecureContext, type SecureContext } from 'node:tls'
import { BenchError } from './bench-error.js'

// One client context per trusted CA set: building it per connection would parse the CA's PEM
// each time (most of a millisecond with OpenSSL 3.0) and put the client's own work in the figure.
const clientContexts = new Map<string, SecureContext>()

function clientContext(ca: string | readonly string[]): SecureContext {
  const pems = typeof ca === 'string' ? [ca] : [...ca]
  const key = pems.join('\n')
  let context = clientContexts.get(key)
  if (!context) {
    context = createSecureContext({ ca: pems })
    clientContexts.set(key, context)
  }
  return context
}

/**
 * Milliseconds from opening a TCP connection to `127.0.0.1:port` until a full TLS handshake with
 * SNI `servername` completed and the certificate verified against `ca` (no session is offered, so
 * nothing is resumed). The connection is then closed. The client's TLS context is built once per
 * `ca`, so the figure is the handshake, not the client's setup.
 *
 * @example
 * const ms = await timedHandshake({ port, servername: 'n42.test', ca: rootPem })
 * @see https://www.rfc-editor.org/rfc/rfc6066#section-3
 */
export function timedHandshake(options: {
  port: number
  servername: string
  ca: string | readonly string[]
  signal?: AbortSignal
}): Promise<number> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const socket = connect(
      {
        host: '127.0.0.1',
        port: options.port,
        servername: options.servername,
        secureContext: clientContext(options.ca),
        ...(options.signal ? { signal: options.signal } : {}),
      },
      () => {
        const ms = performance.now() - started
        socket.destroy()
        resolve(ms)
      },
    )
    socket.once('error', (cause) =>
      reject(
        new BenchError(
          'ERR_BENCH_LOAD',
          `TLS handshake for ${options.servername} failed: ${cause.message}`,
          {
            cause,
          },
        ),
      ),
    )
  })
}
