// Run by hand (not part of the test suite):
//   node --conditions=@autotls/source --import tsx packages/manager/test/bench-handshakes.ts
// Measures, in one run against a local Pebble:
//   1. cold-handshake latency: the first handshake for each of 20 new names (median, p90);
//   2. full handshakes per second with a cached certificate, through manager.createServer(),
//      against a plain https.createServer() holding the same certificate statically.
// Clients run in this process too (same CPU for both servers), no session resumption.
import { createServer, type Server } from 'node:https'
import { connect } from 'node:tls'
import { certificateKey, memoryCache } from '@autotls/cache'
import { splitPem } from '@autotls/crypto'
import { startPebble } from '@autotls/pebble'
import { createManager } from '../src/manager.js'

function handshakeMs(port: number, servername: string, ca: string[]): Promise<number> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca }, () => {
      socket.destroy()
      resolve(performance.now() - started)
    })
    socket.on('error', reject)
  })
}

async function rate(port: number, servername: string, ca: string[], ms: number): Promise<number> {
  const until = performance.now() + ms
  let count = 0
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      await handshakeMs(port, servername, ca)
      count++
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
  return count / (ms / 1000)
}

function listen(
  server: Server | ReturnType<ReturnType<typeof createManager>['createServer']>,
  port = 0,
): Promise<number> {
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  )
}

const pebble = await startPebble({ nonceRejectPercent: 0 })
const roots = await pebble.roots()
const cache = memoryCache()
const manager = createManager({
  hosts: (name) => name.endsWith('.test'),
  cache,
  directoryUrl: pebble.directoryUrl,
  caPem: pebble.caPem,
  acceptTerms: true,
  keyTypes: ['ec-p256'],
  logger: { debug() {}, info() {}, warn() {}, error() {} },
})
try {
  const managed = manager.createServer((_req, res) => res.end('ok'))
  await listen(managed, pebble.tlsPort)
  const cold: number[] = []
  for (let i = 0; i < 20; i++) cold.push(await handshakeMs(pebble.tlsPort, `cold${i}.test`, roots))
  cold.sort((a, b) => a - b)
  const warm = await handshakeMs(pebble.tlsPort, 'cold0.test', roots)

  const bytes = await cache.get(certificateKey('cold0.test', 'ec-p256'))
  const blocks = splitPem(new TextDecoder().decode(bytes as Uint8Array))
  const plain = createServer({ key: blocks[0], cert: blocks.slice(1).join('') }, (_req, res) =>
    res.end('ok'),
  )
  const plainPort = await listen(plain)
  await rate(plainPort, 'cold0.test', roots, 1000)
  // Alternate the two servers so background load hits both alike; report each side's median.
  const plainRates: number[] = []
  const managedRates: number[] = []
  for (let round = 0; round < 5; round++) {
    plainRates.push(await rate(plainPort, 'cold0.test', roots, 3000))
    managedRates.push(await rate(pebble.tlsPort, 'cold0.test', roots, 3000))
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[2] as number
  plain.close()
  console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cpus`)
  console.log(
    `cold handshake (20 names, Pebble, tls-alpn-01): median ${cold[10]?.toFixed(0)} ms, p90 ${cold[18]?.toFixed(0)} ms, min ${cold[0]?.toFixed(0)} ms, max ${cold[19]?.toFixed(0)} ms`,
  )
  console.log(`warm handshake (same name again): ${warm.toFixed(1)} ms`)
  console.log(
    `full handshakes/s, ECDSA P-256, 16 concurrent clients, median of 5 alternating 3 s rounds: manager ${median(managedRates).toFixed(0)} (${managedRates.map((r) => r.toFixed(0)).join(', ')}), plain https ${median(plainRates).toFixed(0)} (${plainRates.map((r) => r.toFixed(0)).join(', ')})`,
  )
} finally {
  await manager.close()
  await pebble.stop()
}
