import { Server, type Socket } from 'node:net'
import { type ClientHello, parseClientHello } from './client-hello.js'
import { ManagerError } from './errors.js'

/** Options of {@link ConnectionRouter}. */
export interface ConnectionRouterOptions {
  /**
   * Picks the server that takes this connection (a `tls.Server`, `https.Server` or
   * `http2.Http2SecureServer`, usually not listening itself), or `null` to close it.
   */
  route(hello: ClientHello, socket: Socket): Server | null
  /**
   * How long a client may take to send its whole ClientHello before its socket is destroyed.
   * Default 10 s: real clients send it at once; slow senders only hold sockets open.
   */
  helloTimeoutMs?: number
  /** Told about every connection dropped before routing (malformed hello, timeout, early end). */
  onReject?(error: ManagerError, socket: Socket): void
}

/**
 * A TCP server that reads each connection's TLS ClientHello before any TLS library does, then
 * pushes the bytes back and hands the socket to the server `route` picks, by emitting
 * `'connection'` on it. A malformed, truncated or slow hello destroys that socket only.
 *
 * This is how one port answers RFC 8737 tls-alpn-01 validation (ALPN exactly `acme-tls/1`) next
 * to normal traffic, and how each client gets the certificate key type it supports.
 *
 * @example
 * const router = new ConnectionRouter({
 *   route: (hello) => (hello.alpnProtocols?.join() === 'acme-tls/1' ? challengeServer : appServer),
 * })
 * router.listen(443)
 * @see https://www.rfc-editor.org/rfc/rfc8737#section-3
 */
export class ConnectionRouter extends Server {
  readonly #route: ConnectionRouterOptions['route']
  readonly #timeoutMs: number
  readonly #onReject: ConnectionRouterOptions['onReject']

  constructor(options: ConnectionRouterOptions) {
    super()
    this.#route = options.route
    this.#timeoutMs = options.helloTimeoutMs ?? 10_000
    this.#onReject = options.onReject
    this.on('connection', (socket: Socket) => this.#accept(socket))
  }

  #accept(socket: Socket): void {
    let buffered: Buffer = Buffer.alloc(0)
    const reject = (error: ManagerError): void => {
      cleanup()
      socket.destroy()
      this.#onReject?.(error, socket)
    }
    const timer = setTimeout(
      () =>
        reject(
          new ManagerError(
            'ERR_CLIENT_HELLO_INCOMPLETE',
            `no complete ClientHello within ${this.#timeoutMs} ms`,
          ),
        ),
      this.#timeoutMs,
    )
    const onEnd = (): void =>
      reject(
        new ManagerError('ERR_CLIENT_HELLO_INCOMPLETE', 'connection ended before its ClientHello'),
      )
    const onError = (): void => {
      cleanup()
      socket.destroy()
    }
    const cleanup = (): void => {
      clearTimeout(timer)
      socket.removeListener('data', onData)
      socket.removeListener('end', onEnd)
    }
    const onData = (chunk: Buffer): void => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk])
      let hello: ClientHello
      try {
        hello = parseClientHello(buffered)
      } catch (error) {
        if ((error as ManagerError).code === 'ERR_CLIENT_HELLO_INCOMPLETE') return
        reject(error as ManagerError)
        return
      }
      cleanup()
      socket.pause()
      const target = this.#route(hello, socket)
      if (target === null) {
        socket.destroy()
        return
      }
      socket.unshift(buffered)
      target.emit('connection', socket)
    }
    // Stays after the handoff: the TLS socket reports errors itself, and an 'error' on the raw
    // socket with no listener would crash the process.
    socket.on('error', onError)
    socket.on('data', onData)
    socket.on('end', onEnd)
  }
}
