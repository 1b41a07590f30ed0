import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'

function tcpPort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      const chosen = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(chosen))
    })
  })
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4')
    socket.once('error', () => resolve(false))
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)))
  })
}

/**
 * A loopback port that was free a moment ago (the kernel picks it), optionally free for UDP too.
 * Ports are handed out at most once per process so parallel starts never pick the same one.
 */
export async function freePort(options: { udp?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await tcpPort()
    if (handedOut.has(port)) continue
    if (options.udp && !(await udpFree(port))) continue
    handedOut.add(port)
    return port
  }
  throw new Error('no free loopback port found after 50 attempts')
}

const handedOut = new Set<number>()
