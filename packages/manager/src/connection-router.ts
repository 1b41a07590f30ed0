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
  /**
   * Told about every connection dropped: a malformed hello, an end in the middle of it, a hello or handshake
   * past its deadline (`ERR_MANAGER_CLIENT_HELLO_MALFORMED`, `…_INCOMPLETE`, `…_HANDSHAKE_TIMEOUT`),
   * with the server name of its hello when the hello was read.
   */
  onReject?(error: ManagerError, socket: Socket, serverName: string | null): void
  /** `TCP_NODELAY` on every accepted socket, as `https.createServer` sets it. Default true. */
  noDelay?: boolean
  /** TCP keep-alive on every accepted socket, as `net.createServer`'s option. Default false. */
  keepAlive?: boolean
  /** Idle time before the first keep-alive probe, as `net.createServer`'s option. Default 0. */
  keepAliveInitialDelay?: number
}

/**
 * Where a connection is between accept and its secure connection: waiting for the rest of its
 * ClientHello, being routed (`route`'s time does not count against the deadline), handed to a TLS
 * server and waiting for its handshake, or done (secure, refused or closed: no deadline).
 */
type Phase = 'hello' | 'routing' | 'handshake' | 'done'

/**
 * One accepted connection: the only per-connection allocation the router makes besides the
 * hello bytes (listeners are shared functions, deadlines are checked by one shared sweep).
 */
class Connection {
  readonly socket: Socket
  readonly acceptedAt: number
  buffered: Buffer | null = null
  /** The hello's server name, once read. */
  serverName: string | null = null
  phase: Phase = 'hello'
  /** When the current phase's deadline passes (`performance.now()` time). */
  deadline: number
  /** Time the client took to send its hello, which counts against the handshake deadline. */
  clientMs = 0

  constructor(socket: Socket, acceptedAt: number, deadline: number) {
    this.socket = socket
    this.acceptedAt = acceptedAt
    this.deadline = deadline
  }
}

/** The raw socket a TLS server wrapped (Node sets `_parent` when it wraps a `net.Socket`). */
function parentOf(tlsSocket: TLSSocket): Socket | undefined {
  return (tlsSocket as unknown as { _parent?: Socket })._parent
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
  readonly #sweepMs: number
  readonly #onReject: ConnectionRouterOptions['onReject']
  /** Every accepted connection not yet closed, whatever its phase. */
  readonly #connections = new Map<Socket, Connection>()
  /** How many connections have a deadline running (phase `hello` or `handshake`). */
  #waiting = 0
  readonly #watched = new WeakSet<Server>()
  #sweeper: NodeJS.Timeout | null = null
  // Shared listeners: `this` is the socket that emitted, so no closure per connection.
  readonly #onData: (this: Socket, chunk: Buffer) => void
  readonly #onEnd: (this: Socket) => void
  readonly #onClose: (this: Socket) => void
  readonly #onSecure: (tlsSocket: TLSSocket) => void

  constructor(options: ConnectionRouterOptions) {
    super({
      noDelay: options.noDelay ?? true,
      keepAlive: options.keepAlive ?? false,
      keepAliveInitialDelay: options.keepAliveInitialDelay ?? 0,
    })
    this.#route = options.route
    this.#helloTimeoutMs = options.helloTimeoutMs ?? 10_000
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? this.#helloTimeoutMs
    // Deadlines are enforced to within a quarter of the shortest one, and at most 250 ms late.
    this.#sweepMs = Math.max(
      5,
      Math.min(250, Math.floor(Math.min(this.#helloTimeoutMs, this.#handshakeTimeoutMs) / 4)),
    )
    this.#onReject = options.onReject
    const router = this
    this.#onData = function (this: Socket, chunk: Buffer): void {
      const connection = router.#connections.get(this)
      if (connection) router.#data(connection, chunk)
    }
    this.#onEnd = function (this: Socket): void {
      const connection = router.#connections.get(this)
      if (connection?.phase !== 'hello') return
      // A client that closes without sending a byte (a TCP health check, a port scan) is not a
      // drop: only one that ended in the middle of its hello is reported.
      router.#drop(
        connection,
        connection.buffered === null
          ? null
          : new ManagerError(
              'ERR_MANAGER_CLIENT_HELLO_INCOMPLETE',
              'connection ended before its ClientHello',
            ),
      )
    }
    this.#onClose = function (this: Socket): void {
      const connection = router.#connections.get(this)
      if (!connection) return
      router.#connections.delete(this)
      router.#enter(connection, 'done')
    }
    this.#onSecure = (tlsSocket: TLSSocket): void => {
      const raw = parentOf(tlsSocket)
      const connection = raw && this.#connections.get(raw)
      if (connection) this.#enter(connection, 'done')
    }
    this.on('connection', (socket: Socket) => this.#accept(socket))
  }

  /** Connections accepted and not yet closed, whatever their phase. */
  get connectionCount(): number {
    return this.#connections.size
  }

  /** Destroys every connection accepted and not yet closed, whatever its phase. */
  destroyConnections(): void {
    for (const socket of this.#connections.keys()) socket.destroy()
  }

  #accept(socket: Socket): void {
    const now = performance.now()
    const connection = new Connection(
      socket,
      now,
      now + Math.min(this.#helloTimeoutMs, this.#handshakeTimeoutMs),
    )
    this.#connections.set(socket, connection)
    this.#waiting++
    this.#startSweep()
    socket.on('close', this.#onClose)
    // Stays after the handoff: the TLS socket reports errors itself, and an 'error' on the raw
    // socket with no listener would crash the process.
    socket.on('error', destroyOnError)
    socket.on('data', this.#onData)
    socket.on('end', this.#onEnd)
  }

  /** Moves `connection` to `phase`, counting the connections whose deadline runs. */
  #enter(connection: Connection, phase: Phase): void {
    const was = connection.phase === 'hello' || connection.phase === 'handshake'
    const is = phase === 'hello' || phase === 'handshake'
    connection.phase = phase
    if (was === is) return
    if (was) this.#waiting--
    else {
      this.#waiting++
      this.#startSweep()
    }
  }

  /** Starts the shared sweep over deadlines if it is not running. */
  #startSweep(): void {
    if (this.#sweeper !== null) return
    this.#sweeper = setInterval(() => this.#sweep(), this.#sweepMs)
    this.#sweeper.unref()
  }

  /** Drops every connection past its deadline; stops when none is left waiting. */
  #sweep(): void {
    const now = performance.now()
    for (const connection of this.#connections.values()) {
      if (connection.phase !== 'hello' && connection.phase !== 'handshake') continue
      if (connection.deadline > now) continue
      if (connection.phase === 'hello') {
        this.#drop(
          connection,
          new ManagerError(
            'ERR_MANAGER_CLIENT_HELLO_INCOMPLETE',
            `no complete ClientHello within ${Math.min(this.#helloTimeoutMs, this.#handshakeTimeoutMs)} ms`,
          ),
        )
      } else {
        this.#drop(
          connection,
          new ManagerError(
            'ERR_MANAGER_HANDSHAKE_TIMEOUT',
            `TLS handshake not completed within ${this.#handshakeTimeoutMs} ms`,
          ),
        )
      }
    }
    if (this.#waiting === 0 && this.#sweeper !== null) {
      clearInterval(this.#sweeper)
      this.#sweeper = null
    }
  }

  /** Destroys the connection and reports why (`null`: nothing to report). */
  #drop(connection: Connection, error: ManagerError | null): void {
    this.#endHello(connection)
    this.#enter(connection, 'done')
    connection.socket.destroy()
    if (error) this.#onReject?.(error, connection.socket, connection.serverName)
  }

  #endHello(connection: Connection): void {
    connection.socket.removeListener('data', this.#onData)
    connection.socket.removeListener('end', this.#onEnd)
  }

  #data(connection: Connection, chunk: Buffer): void {
    // Fast path: the whole hello in the first chunk (what real clients send) is parsed in place.
    const buffered =
      connection.buffered === null ? chunk : Buffer.concat([connection.buffered, chunk])
    let hello: ClientHello
    try {
      hello = parseClientHello(buffered)
    } catch (error) {
      if ((error as ManagerError).code === 'ERR_MANAGER_CLIENT_HELLO_INCOMPLETE') {
        connection.buffered = buffered
        return
      }
      this.#drop(connection, error as ManagerError)
      return
    }
    connection.buffered = buffered
    connection.serverName = hello.serverName
    this.#endHello(connection)
    connection.socket.pause()
    this.#enter(connection, 'routing')
    connection.clientMs = performance.now() - connection.acceptedAt
    let routed: ReturnType<ConnectionRouterOptions['route']>
    try {
      routed = this.#route(hello, connection.socket)
    } catch {
      this.#hand(connection, 'internal_error')
      return
    }
    if (routed instanceof Promise) {
      routed.then(
        (target) => this.#hand(connection, target),
        () => this.#hand(connection, 'internal_error'),
      )
    } else this.#hand(connection, routed)
  }

  #hand(connection: Connection, target: Server | TlsAlert | null): void {
    const { socket } = connection
    if (socket.destroyed || connection.phase !== 'routing') return
    if (target === null) {
      this.#enter(connection, 'done')
      socket.destroy()
    } else if (typeof target === 'string') {
      this.#enter(connection, 'done')
      this.#alert(socket, target)
    } else this.#handOver(connection, target)
  }

  /** Answers with a fatal alert record (TLS 1.2 framing, which every TLS version reads) and closes. */
  #alert(socket: Socket, alert: TlsAlert): void {
    socket.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, ALERT_CODES[alert]]))
    const timer = setTimeout(() => socket.destroy(), 1000)
    timer.unref()
    socket.once('close', () => clearTimeout(timer))
  }

  #handOver(connection: Connection, target: Server): void {
    if (!this.#watched.has(target)) {
      this.#watched.add(target)
      target.on('secureConnection', this.#onSecure)
    }
    const hello = connection.buffered as Buffer
    connection.buffered = null
    connection.deadline = performance.now() + this.#handshakeTimeoutMs - connection.clientMs
    this.#enter(connection, 'handshake')
    connection.socket.unshift(hello)
    target.emit('connection', connection.socket)
  }
}

function destroyOnError(this: Socket): void {
  this.destroy()
}
