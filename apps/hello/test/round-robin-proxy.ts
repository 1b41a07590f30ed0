import { connect, createServer, type Socket } from 'node:net'

/** A TCP load balancer for tests: what Pebble connects to when it validates a challenge. */
export interface RoundRobinProxy {
  /** The loopback port it listens on. */
  readonly port: number
  /** Connections handed to each target so far, by target port. */
  forwarded(): ReadonlyMap<number, number>
  /** From now on, accept connections but keep them waiting, unforwarded, until `release`. */
  hold(): void
  /** Connections waiting because of `hold()`. */
  held(): number
  /** Ends the hold: forwards the waiting connections, or drops them as a dead backend would. */
  release(waiting: 'forward' | 'drop'): void
  /** Stops listening and destroys every connection. */
  close(): Promise<void>
}

/**
 * Listens on `127.0.0.1:port` and passes each TCP connection through, unchanged, to the next of
 * `targets` (loopback ports) in turn. A target that refuses the connection is skipped for the
 * next one, as a load balancer retries a backend that is down; the client is dropped only when
 * every target refuses.
 *
 * @example
 * const proxy = await startRoundRobinProxy(pebble.tlsPort, [replicaA, replicaB, replicaC])
 * proxy.hold() // validations now wait here
 */
export async function startRoundRobinProxy(
  port: number,
  targets: readonly number[],
): Promise<RoundRobinProxy> {
  const sockets = new Set<Socket>()
  const counts = new Map<number, number>(targets.map((target) => [target, 0]))
  const waiting: Socket[] = []
  let holding = false
  let next = 0

  const track = (socket: Socket): void => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  }

  const forward = (client: Socket, attempt = 0): void => {
    if (client.destroyed) return
    if (attempt >= targets.length) {
      client.destroy()
      return
    }
    const target = targets[next++ % targets.length] as number
    const upstream = connect(target, '127.0.0.1')
    track(upstream)
    upstream.once('error', () => {
      upstream.destroy()
      forward(client, attempt + 1)
    })
    upstream.once('connect', () => {
      counts.set(target, (counts.get(target) ?? 0) + 1)
      upstream.removeAllListeners('error')
      upstream.on('error', () => client.destroy())
      client.on('error', () => upstream.destroy())
      upstream.once('close', () => client.destroy())
      client.once('close', () => upstream.destroy())
      client.pipe(upstream)
      upstream.pipe(client)
    })
  }

  const server = createServer((client) => {
    track(client)
    client.on('error', () => client.destroy())
    if (holding) waiting.push(client)
    else forward(client)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })

  return {
    port,
    forwarded: () => new Map(counts),
    hold: () => {
      holding = true
    },
    held: () => waiting.filter((socket) => !socket.destroyed).length,
    release: (action) => {
      holding = false
      for (const client of waiting.splice(0)) {
        if (action === 'forward') forward(client)
        else client.destroy()
      }
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      await closed
    },
  }
}
