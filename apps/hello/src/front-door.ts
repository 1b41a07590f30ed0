import { createServer, type Server, type Socket } from 'node:net'

/**
 * The listening sockets of a process, in front of the servers that handle what they accept. Each
 * front is a plain `net.Server` with `pauseOnConnect`, so not a byte of a new connection is read
 * until it is handed on (`server.emit('connection', socket)`, as Node documents for passing
 * sockets on). That is what lets a process started as root bind its ports and switch user before
 * any connection is read (`hold` until {@link FrontDoor.open}); an `http.Server` listening itself
 * would start parsing at accept. Every socket is tracked from accept on, whatever its phase, so a
 * stop can cut them all.
 */
export class FrontDoor {
  readonly #open = new Set<Socket>()
  readonly #held: [Socket, Server][] = []
  readonly #fronts: Server[]
  #holding: boolean

  constructor(targets: readonly Server[], options: { hold: boolean }) {
    this.#holding = options.hold
    const open = this.#open
    // One shared listener (`this` is the socket), not a closure per connection.
    const forget = function (this: Socket): void {
      open.delete(this)
    }
    // TCP_NODELAY at accept, as `https.createServer` and `http.createServer` set it.
    this.#fronts = targets.map((target) =>
      createServer({ pauseOnConnect: true, noDelay: true }, (socket) => {
        open.add(socket)
        socket.on('close', forget)
        if (this.#holding) this.#held.push([socket, target])
        else handOn(socket, target)
      }),
    )
  }

  /** The front of `targets[index]`: the server to `listen` and to `close`. */
  front(index: number): Server {
    const front = this.#fronts[index]
    if (!front) throw new RangeError(`no front ${index}`)
    return front
  }

  /** Hands the held sockets on, and every later one at once. */
  open(): void {
    this.#holding = false
    for (const [socket, target] of this.#held.splice(0)) handOn(socket, target)
  }

  /** Destroys every open socket; returns how many there were. */
  destroyAll(): number {
    const count = this.#open.size
    for (const socket of this.#open) socket.destroy()
    return count
  }
}

function handOn(socket: Socket, target: Server): void {
  if (socket.destroyed) return
  target.emit('connection', socket)
  socket.resume()
}
