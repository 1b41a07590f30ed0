import type { Server, Socket } from 'node:net'

/**
 * Every socket the given servers accepted and that is still open, from accept on: also those
 * still in their ClientHello or TLS handshake, which `closeAllConnections()` does not reach. While
 * `hold` is on, new sockets are paused before anything reads from them.
 */
export class ConnectionSet {
  readonly #open = new Set<Socket>()
  readonly #held: Socket[] = []
  #holding: boolean

  constructor(servers: readonly Server[], options: { hold: boolean }) {
    this.#holding = options.hold
    for (const server of servers) {
      // Prepended, so it runs before the server's own listener attaches its readers.
      server.prependListener('connection', (socket: Socket) => {
        this.#open.add(socket)
        socket.once('close', () => this.#open.delete(socket))
        if (this.#holding) {
          socket.pause()
          this.#held.push(socket)
        }
      })
    }
  }

  /** Sockets open now. */
  get size(): number {
    return this.#open.size
  }

  /** Lets the held sockets, and every later one, be read. */
  release(): void {
    this.#holding = false
    for (const socket of this.#held.splice(0)) socket.resume()
  }

  /** Destroys every open socket; returns how many there were. */
  destroyAll(): number {
    const count = this.#open.size
    for (const socket of this.#open) socket.destroy()
    return count
  }
}
