import { Server, type Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { type ClientHello, parseClientHello } from './client-hello.js'
import { ManagerError } from './errors.js'

/** A fatal TLS alert the router can answer a hello with instead of handing the socket over. */
export type TlsAlert = 'unrecognized_name' | 'internal_error' | 'handshake_failure'

/** RFC 8446 §6: alert descriptions. */
const ALERT_CODES: Record<TlsAlert, number> = {
  handshake_failure: 40,
  internal_error: 80,
  unrecognized_name: 112,
}

/** Options of {@link ConnectionRouter}. */
export interface ConnectionRouterOptions {
  /**
   * Picks the server that takes this connection (a `tls.Server`, `https.Server` or
   * `http2.Http2SecureServer`, usually not listening itself), a fatal alert to answer with, or
   * `null` to close it. May be asynchronous (the time it takes does not count against the
   * handshake deadline).
   */
  route(
    hello: ClientHello,
    socket: Socket,
  ): Server | TlsAlert | null | Promise<Server | TlsAlert | null>
  /**
   * How long a client may take to send its whole ClientHello before its socket is destroyed.
   * Default 10 s: real clients send it at once; slow senders only hold sockets open.
   */
  helloTimeoutMs?: number
  /**
   * Deadline of the client's whole part of the handshake, from accept to secure connection
   * (time spent in `route` not counted): a client that sends its hello and stalls is dropped
   * then. Default `helloTimeoutMs`.
   */
  handshakeTimeoutMs?: number
  /** Told about every connection dropped before routing (malformed hello, timeout, early end). */
  onReject?(error: ManagerError, socket: Socket): void
}

/** A connection handed over, still waiting for its handshake to complete. */
interface Pending {
  readonly socket: Socket
  readonly timer: NodeJS.Timeout
}

function peerKey(socket: Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}|${socket.localPort}`
}

/**
 * A TCP server that reads each connection's TLS ClientHello before any TLS library does, then
 * pushes the bytes back and hands the socket to the server `route` picks, by emitting
 * `'connection'` on it. A malformed, truncated or slow hello destroys that socket only; a refused
 * one is answered with a TLS alert. Every accepted socket is tracked from accept on, each has one
 * handshake deadline, and {@link destroyConnections} ends all of them (a bounded shutdown).
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
  readonly #helloTimeoutMs: number
  readonly #handshakeTimeoutMs: number
  readonly #onReject: ConnectionRouterOptions['onReject']
  readonly #sockets = new Set<Socket>()
  readonly #pending = new Map<string, Pending>()
  readonly #watched = new WeakSet<Server>()

  constructor(options: ConnectionRouterOptions) {
    super()
    this.#route = options.route
    this.#helloTimeoutMs = options.helloTimeoutMs ?? 10_000
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? this.#helloTimeoutMs
    this.#onReject = options.onReject
    this.on('connection', (socket: Socket) => this.#accept(socket))
  }

  /** Connections accepted and not yet closed, whatever their phase. */
  get connectionCount(): number {
    return this.#sockets.size
  }

  /** Destroys every connection accepted and not yet closed, whatever its phase. */
  destroyConnections(): void {
    for (const socket of this.#sockets) socket.destroy()
  }

  #accept(socket: Socket): void {
    const acceptedAt = performance.now()
    this.#sockets.add(socket)
    socket.once('close', () => this.#sockets.delete(socket))
    let buffered: Buffer = Buffer.alloc(0)
    const reject = (error: ManagerError): void => {
      cleanup()
      socket.destroy()
      this.#onReject?.(error, socket)
    }
    const helloMs = Math.min(this.#helloTimeoutMs, this.#handshakeTimeoutMs)
    const timer = setTimeout(
      () =>
        reject(
          new ManagerError(
            'ERR_MANAGER_CLIENT_HELLO_INCOMPLETE',
            `no complete ClientHello within ${helloMs} ms`,
          ),
        ),
      helloMs,
    )
    timer.unref()
    const onEnd = (): void =>
      reject(
        new ManagerError(
          'ERR_MANAGER_CLIENT_HELLO_INCOMPLETE',
          'connection ended before its ClientHello',
        ),
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
        if ((error as ManagerError).code === 'ERR_MANAGER_CLIENT_HELLO_INCOMPLETE') return
        reject(error as ManagerError)
        return
      }
      cleanup()
      socket.pause()
      const clientMs = performance.now() - acceptedAt
      const hand = (target: Server | TlsAlert | null): void => {
        if (socket.destroyed) return
        if (target === null) socket.destroy()
        else if (typeof target === 'string') this.#alert(socket, target)
        else this.#handOver(socket, buffered, target, clientMs)
      }
      let routed: ReturnType<ConnectionRouterOptions['route']>
      try {
        routed = this.#route(hello, socket)
      } catch {
        hand('internal_error')
        return
      }
      if (routed instanceof Promise) routed.then(hand, () => hand('internal_error'))
      else hand(routed)
    }
    // Stays after the handoff: the TLS socket reports errors itself, and an 'error' on the raw
    // socket with no listener would crash the process.
    socket.on('error', onError)
    socket.on('data', onData)
    socket.on('end', onEnd)
  }

  /** Answers with a fatal alert record (TLS 1.2 framing, which every TLS version reads) and closes. */
  #alert(socket: Socket, alert: TlsAlert): void {
    socket.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, ALERT_CODES[alert]]))
    const timer = setTimeout(() => socket.destroy(), 1000)
    timer.unref()
    socket.once('close', () => clearTimeout(timer))
  }

  #handOver(socket: Socket, hello: Buffer, target: Server, clientMs: number): void {
    this.#watch(target)
    const key = peerKey(socket)
    const remaining = Math.max(0, this.#handshakeTimeoutMs - clientMs)
    const timer = setTimeout(() => {
      this.#pending.delete(key)
      socket.destroy()
    }, remaining)
    timer.unref()
    this.#pending.set(key, { socket, timer })
    socket.once('close', () => {
      const pending = this.#pending.get(key)
      if (pending?.socket === socket) {
        clearTimeout(pending.timer)
        this.#pending.delete(key)
      }
    })
    socket.unshift(hello)
    target.emit('connection', socket)
  }

  /** Clears the handshake deadline of every connection `target` completes. */
  #watch(target: Server): void {
    if (this.#watched.has(target)) return
    this.#watched.add(target)
    target.on('secureConnection', (tlsSocket: TLSSocket) => {
      const key = peerKey(tlsSocket)
      const pending = this.#pending.get(key)
      if (!pending) return
      clearTimeout(pending.timer)
      this.#pending.delete(key)
    })
  }
}
