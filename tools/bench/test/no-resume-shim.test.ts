import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findTool } from '../src/find-tool.js'
import { runH2load } from '../src/h2load.js'
import { createLocalCertificates, type LocalCertificates } from '../src/local-ca.js'
import { runCommand } from '../src/run-command.js'

const NAME = 'resume.bench.test'
let certs: LocalCertificates
let server: Server
let port: number
const seen = { connections: 0, resumed: 0, servernames: new Set<string>() }

beforeAll(async () => {
  certs = await createLocalCertificates([NAME])
  const pem = readFileSync(certs.file(NAME), 'utf8')
  const keyEnd = pem.indexOf('-----END PRIVATE KEY-----') + '-----END PRIVATE KEY-----'.length
  server = createServer({ key: pem.slice(0, keyEnd), cert: pem.slice(keyEnd) }, (_req, res) =>
    res.end('ok'),
  )
  server.on('secureConnection', (socket) => {
    seen.connections++
    if (socket.isSessionReused()) seen.resumed++
    seen.servernames.add(String(socket.servername))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as { port: number }).port
})

afterAll(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
  await certs?.remove()
})

function reset(): void {
  seen.connections = 0
  seen.resumed = 0
  seen.servernames.clear()
}

describe('full-handshake load (h2load with the no-resume shim)', () => {
  it('control: plain h2load with Connection: close resumes sessions, which is why the shim exists', async () => {
    reset()
    const h2load = await findTool('h2load', 'nghttp2-client')
    await runCommand(h2load, [
      '--h1',
      '-c',
      '2',
      '-n',
      '60',
      '-H',
      'Connection: close',
      `--connect-to=127.0.0.1:${port}`,
      `https://${NAME}/`,
    ])
    expect(seen.connections).toBe(60)
    expect(seen.resumed).toBeGreaterThan(0)
  })

  it('makes every request a new connection with a full handshake, SNI sent, nothing resumed', async () => {
    reset()
    const result = await runH2load({
      port,
      servername: NAME,
      clients: 2,
      durationS: 0.2,
      fullHandshakes: true,
    })
    expect(result.failed).toBe(0)
    expect(seen.connections).toBeGreaterThanOrEqual(result.succeeded)
    expect(seen.resumed).toBe(0)
    expect([...seen.servernames]).toEqual([NAME])
  })

  it('keeps connections open in keep-alive mode', async () => {
    reset()
    const result = await runH2load({
      port,
      servername: NAME,
      clients: 2,
      durationS: 0.2,
      fullHandshakes: false,
    })
    // One timed run: its warm-up and its measured part share the same two connections.
    expect(seen.connections).toBe(2)
    expect(result.succeeded).toBeGreaterThan(seen.connections)
  })
})
