import { connect } from 'node:tls'
import { BenchError } from './bench-error.js'

/**
 * Milliseconds from opening a TCP connection to `127.0.0.1:port` until a full TLS handshake with
 * SNI `servername` completed and the certificate verified against `ca` (no session is offered, so
 * nothing is resumed). The connection is then closed.
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
        ca: typeof options.ca === 'string' ? options.ca : [...options.ca],
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
