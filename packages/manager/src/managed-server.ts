import { randomBytes } from 'node:crypto'
import { createSecureServer } from 'node:http2'
import { createServer as createHttpsServer, type ServerOptions } from 'node:https'
import type { Server, Socket } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import type { ClientHello } from './client-hello.js'
import { chooseKeyType, type ServedKeyType } from './client-key-type.js'
import { ConnectionRouter, type TlsAlert } from './connection-router.js'
import type { ManagerError } from './errors.js'
import type { Handshakes, OwnServer, Ready } from './handshakes.js'
import type { RequestListener } from './http-handler.js'

/** Options of `manager.createServer()`. */
export interface CreateServerOptions {
  /** Serve HTTP/2 (ALPN `h2`) next to HTTP/1.1. Default false. */
  http2?: boolean
  /** Passed to the underlying `https` / `http2` servers (timeouts, limits, `minVersion`…). */
  serverOptions?: ServerOptions
}

/** Options of {@link ManagedServer}. */
export interface ManagedServerOptions {
  /** The certificate key types served, first preferred. */
  keyTypes: readonly ServedKeyType[]
  /**
   * The manager's side of each connection: `prepare` (the certificate made ready before TLS, or
   * the alert to refuse with; synchronous when it can be, so the connection is handed over at
   * once), `prepareChallenge` for a tls-alpn-01 connection, and the SNI callbacks.
   */
  handshakes: Pick<
    Handshakes,
    'prepare' | 'prepareChallenge' | 'sniCallback' | 'challengeSniCallback' | 'challengeValidated'
  >
  /** Serve HTTP/2 (ALPN `h2`) next to HTTP/1.1. Default false. */
  http2?: boolean
  /**
   * Options for the underlying `https.Server` / `http2.Http2SecureServer` (timeouts, header
   * limits, `minVersion`…); `key`, `cert`, `SNICallback` and `ALPNProtocols` are the manager's.
   */
  serverOptions?: ServerOptions
  /** Deadline for a client's whole ClientHello. Default 10 s. */
  helloTimeoutMs?: number
  /** Deadline of the client's part of the handshake, from accept. Default `helloTimeoutMs`. */
  handshakeTimeoutMs?: number
  /**
   * Told about every connection dropped before its handshake completed (malformed or slow
   * hello, handshake past its deadline), with the server name its hello carried, if read.
   */
  onReject?(error: ManagerError, serverName: string | null): void
}

const FORWARDED = new Set<string | symbol>([
  'request',
  'checkContinue',
  'checkExpectation',
  'upgrade',
  'connect',
  'clientError',
  'tlsClientError',
  'secureConnection',
  'stream',
  'session',
  'sessionError',
])

/** Properties of `http.Server` that frameworks set on their server; applied to every inner one. */
type Tunable =
  | 'keepAliveTimeout'
  | 'headersTimeout'
  | 'requestTimeout'
  | 'timeout'
  | 'maxHeadersCount'
  | 'maxRequestsPerSocket'

/**
 * The HTTPS server `manager.createServer()` returns: one listening socket that routes each
 * connection by its ClientHello — `acme-tls/1`-only to the challenge TLS server, everything else
 * to the HTTPS (or HTTP/2) server holding the certificate key type the client supports — and
 * re-emits their events (`request`, `upgrade`, `tlsClientError`, `stream`…) as its own, so it
 * stands in for `https.createServer()` under plain handlers, Express and Fastify.
 *
 * @example
 * const server = manager.createServer((req, res) => res.end('hello'))
 * server.listen(443)
 * @see https://www.rfc-editor.org/rfc/rfc8737#section-3
 */
export class ManagedServer extends ConnectionRouter {
  readonly #inner: Server[]

  constructor(options: ManagedServerOptions, requestListener?: RequestListener) {
    const { handshakes } = options
    const ticketKeys = randomBytes(48)
    /** Per key type: where a connection goes once prepared (its server, or its alert). */
    const byKeyType = new Map<ServedKeyType, (prepared: Ready | TlsAlert) => Server | TlsAlert>()
    const apps: Server[] = []
    for (const keyType of options.keyTypes) {
      const own: { adopted: OwnServer['adopted'] } = { adopted: undefined }
      const common = {
        ...options.serverOptions,
        SNICallback: handshakes.sniCallback(keyType, own),
        ticketKeys,
      }
      const server = options.http2
        ? createSecureServer({ ...common, allowHTTP1: true, ALPNProtocols: ['h2', 'http/1.1'] })
        : createHttpsServer({ ...common, ALPNProtocols: ['http/1.1'] })
      // The first certificate served (then its renewals) becomes the server's own context,
      // before the connection is handed over: its handshake keeps the SSL_CTX it starts with.
      // Compared by certificate: a context rebuilt for the same one (LRU) changes nothing.
      byKeyType.set(keyType, (ready) => {
        if (typeof ready === 'string') return ready
        const adopted = own.adopted
        if (ready.cert !== adopted?.cert && (adopted === undefined || adopted.key === ready.key)) {
          const { keyPem: key, chainPem: cert } = ready.cert
          server.setSecureContext({ ...options.serverOptions, key, cert, ticketKeys })
          own.adopted = { key: ready.key, cert: ready.cert }
        }
        return server
      })
      apps.push(server)
    }
    const challenge = createTlsServer(
      { ALPNProtocols: ['acme-tls/1'], SNICallback: handshakes.challengeSniCallback() },
      (socket) => {
        if (typeof socket.servername === 'string') handshakes.challengeValidated(socket.servername)
        socket.end()
      },
    )
    challenge.on('tlsClientError', () => {})
    const challengeRoute = async (hello: ClientHello): Promise<Server | TlsAlert> =>
      (await handshakes.prepareChallenge(hello.serverName)) ?? challenge
    const appRoute = (
      hello: ClientHello,
    ): Server | TlsAlert | null | Promise<Server | TlsAlert | null> => {
      const keyType = chooseKeyType(hello, options.keyTypes)
      const to = byKeyType.get(keyType)
      if (to === undefined) return null
      const prepared = handshakes.prepare(hello.serverName, keyType)
      return prepared instanceof Promise ? prepared.then(to) : to(prepared)
    }
    const server = options.serverOptions
    super({
      route: (hello: ClientHello) => {
        const alpn = hello.alpnProtocols
        return alpn?.length === 1 && alpn[0] === 'acme-tls/1'
          ? challengeRoute(hello)
          : appRoute(hello)
      },
      ...(options.helloTimeoutMs === undefined ? {} : { helloTimeoutMs: options.helloTimeoutMs }),
      ...(options.handshakeTimeoutMs === undefined
        ? {}
        : { handshakeTimeoutMs: options.handshakeTimeoutMs }),
      ...(options.onReject
        ? { onReject: (error, _socket, serverName) => options.onReject?.(error, serverName) }
        : {}),
      ...(server?.noDelay === undefined ? {} : { noDelay: server.noDelay }),
      ...(server?.keepAlive === undefined ? {} : { keepAlive: server.keepAlive }),
      ...(server?.keepAliveInitialDelay === undefined
        ? {}
        : { keepAliveInitialDelay: server.keepAliveInitialDelay }),
    })
    this.#inner = [...apps, challenge]
    const forwarded = new Set<string | symbol>()
    this.on('newListener', (event: string | symbol) => {
      if (!FORWARDED.has(event) || forwarded.has(event)) return
      forwarded.add(event)
      // 'request' comes once per request: forwarded without a rest array and a spread.
      const forward =
        event === 'request'
          ? (request: unknown, response: unknown) => this.emit(event, request, response)
          : (...args: unknown[]) => this.emit(event, ...args)
      for (const app of apps) app.on(event as string, forward)
    })
    // Inner servers never listen; 'listening' starts their header and request timeout checks.
    this.on('listening', () => {
      for (const inner of this.#inner) inner.emit('listening')
    })
    if (requestListener) this.on('request', requestListener)
  }

  #tune<T extends number | null>(name: Tunable, value: T): void {
    for (const inner of this.#inner) (inner as unknown as Record<Tunable, T>)[name] = value
  }

  #read<T extends number | null = number>(name: Tunable): T {
    return (this.#inner[0] as unknown as Record<Tunable, T>)[name]
  }

  /** As on `http.Server`: applied to every inner server. */
  get keepAliveTimeout(): number {
    return this.#read('keepAliveTimeout')
  }
  set keepAliveTimeout(value: number) {
    this.#tune('keepAliveTimeout', value)
  }
  /** As on `http.Server`: applied to every inner server. */
  get headersTimeout(): number {
    return this.#read('headersTimeout')
  }
  set headersTimeout(value: number) {
    this.#tune('headersTimeout', value)
  }
  /** As on `http.Server`: applied to every inner server. */
  get requestTimeout(): number {
    return this.#read('requestTimeout')
  }
  set requestTimeout(value: number) {
    this.#tune('requestTimeout', value)
  }
  /** As on `http.Server`: applied to every inner server. */
  get timeout(): number {
    return this.#read('timeout')
  }
  set timeout(value: number) {
    this.#tune('timeout', value)
  }

  /** As on `http.Server`: applied to every inner server. */
  get maxHeadersCount(): number | null {
    return this.#read('maxHeadersCount')
  }
  set maxHeadersCount(value: number | null) {
    this.#tune('maxHeadersCount', value)
  }
  /** As on `http.Server`: applied to every inner server. */
  get maxRequestsPerSocket(): number | null {
    return this.#read('maxRequestsPerSocket')
  }
  set maxRequestsPerSocket(value: number | null) {
    this.#tune('maxRequestsPerSocket', value)
  }

  /**
   * As on `http.Server`: the idle timeout of every HTTP socket (applied to every inner server).
   * The handshake has its own deadline (`tlsHandshakeTimeoutMs`).
   */
  setTimeout(msecs?: number, callback?: (socket: Socket) => void): this
  setTimeout(callback: (socket: Socket) => void): this
  setTimeout(
    msecsOrCallback?: number | ((socket: Socket) => void),
    callback?: (socket: Socket) => void,
  ): this {
    for (const inner of this.#inner) {
      const settable = inner as unknown as {
        setTimeout?(ms?: number, cb?: (socket: Socket) => void): unknown
      }
      if (typeof msecsOrCallback === 'function') settable.setTimeout?.(undefined, msecsOrCallback)
      else settable.setTimeout?.(msecsOrCallback, callback)
    }
    return this
  }

  /** As on `http.Server`: closes every connection that has no request in flight. */
  closeIdleConnections(): void {
    for (const inner of this.#inner) {
      ;(inner as { closeIdleConnections?: () => void }).closeIdleConnections?.()
    }
  }

  /**
   * As on `http.Server`, and more: destroys every connection accepted by this server now, HTTP
   * ones and those still in their ClientHello or handshake alike (a bounded shutdown).
   */
  closeAllConnections(): void {
    for (const inner of this.#inner) {
      ;(inner as { closeAllConnections?: () => void }).closeAllConnections?.()
    }
    this.destroyConnections()
  }

  /**
   * Stops accepting connections, closes idle HTTP connections (as `http.Server.close` does since
   * Node 19) and calls `callback` once every connection has ended.
   */
  override close(callback?: (error?: Error) => void): this {
    super.close(callback)
    for (const inner of this.#inner) inner.close()
    return this
  }
}
