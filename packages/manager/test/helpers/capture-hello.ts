import { execFile } from 'node:child_process'
import { createServer, type Socket } from 'node:net'
import { type ConnectionOptions, connect } from 'node:tls'

/** Listens on a free loopback port, runs `client(port)`, and returns the first bytes it sent. */
export async function captureFirstBytes(
  client: (port: number) => { stop(): void },
  minBytes = 6,
): Promise<Buffer> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no ClientHello within 5 s')), 5000)
      server.once('connection', (socket: Socket) => {
        const chunks: Buffer[] = []
        socket.on('data', (chunk: Buffer) => {
          chunks.push(chunk)
          const all = Buffer.concat(chunks)
          if (all.length < minBytes) return
          const length = all.readUInt16BE(3) + 5
          if (all.length >= length) {
            clearTimeout(timer)
            socket.destroy()
            stopper.stop()
            resolve(all)
          }
        })
        socket.on('error', () => {})
      })
      const stopper = client(port)
    })
  } finally {
    server.close()
  }
}

/** The ClientHello Node's own TLS client sends with these options. */
export function nodeHello(options: ConnectionOptions): Promise<Buffer> {
  return captureFirstBytes((port) => {
    const socket = connect({ ...options, host: '127.0.0.1', port, rejectUnauthorized: false })
    socket.on('error', () => {})
    return { stop: () => socket.destroy() }
  })
}

/** The ClientHello `openssl s_client` sends with these extra arguments. */
export function opensslHello(args: readonly string[]): Promise<Buffer> {
  return captureFirstBytes((port) => {
    const child = execFile(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, ...args],
      () => {},
    )
    child.stdin?.end()
    return { stop: () => child.kill() }
  })
}
