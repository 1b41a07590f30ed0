// Run by hand (not part of the test suite):
//   node --conditions=@autotls/source --import tsx packages/manager/test/bench-cold.ts [names] [delay]
// Cold first handshakes through manager.createServer() (tls-alpn-01) against a local Pebble, one
// new name after another: the time to the handshake and the ACME requests per order (counted at
// the injected fetch). `delay` keeps Pebble's random 0–15 s validation delay, as a real CA
// behaves; without it Pebble validates at once (PEBBLE_VA_NOSLEEP).
import { connect } from 'node:tls'
import { createHttpsFetch } from '@autotls/acme'
import { startPebble } from '@autotls/pebble'
import { createManager } from '../src/manager.js'

const count = Number(process.argv[2] ?? 10)
const validationDelay = process.argv[3] === 'delay'

function handshakeMs(port: number, servername: string, ca: string[]): Promise<number> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca }, () => {
      socket.destroy()
      resolve(performance.now() - started)
    })
    socket.setTimeout(60_000, () => socket.destroy(new Error('timed out')))
    socket.on('error', reject)
  })
}

const pebble = await startPebble({ nonceRejectPercent: 0, authzReusePercent: 0, validationDelay })
const roots = await pebble.roots()
const transport = createHttpsFetch({ caPem: pebble.caPem })
let requests = 0
const manager = createManager({
  hosts: (name) => name.endsWith('.test'),
  directoryUrl: pebble.directoryUrl,
  caPem: pebble.caPem,
  acceptTerms: true,
  keyTypes: ['ec-p256'],
  handshakeTimeoutMs: 60_000,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  fetch: (async (url: string | URL | Request, init?: RequestInit) => {
    requests++
    return transport(String(url), init ?? {})
  }) as typeof globalThis.fetch,
})
try {
  const server = manager.createServer()
  await new Promise<void>((resolve) => server.listen(pebble.tlsPort, '127.0.0.1', resolve))
  // The account is registered once, ahead: what follows is per order.
  await manager.manage(['warmup.test'])
  const times: number[] = []
  const perOrder: number[] = []
  for (let i = 0; i < count; i++) {
    const before = requests
    times.push(await handshakeMs(pebble.tlsPort, `cold${i}.test`, roots))
    perOrder.push(requests - before)
  }
  const sorted = [...times].sort((a, b) => a - b)
  const median = (v: number[]): number => {
    const s = [...v].sort((a, b) => a - b)
    return s.length % 2
      ? (s[(s.length - 1) / 2] as number)
      : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2
  }
  console.log(
    `node ${process.version}, Pebble ${pebble.install.version ?? '?'}, validation delays ${validationDelay ? 'on' : 'off (PEBBLE_VA_NOSLEEP)'}, ${count} names`,
  )
  console.log(
    `cold handshake: median ${median(times).toFixed(0)} ms, min ${sorted[0]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')})`,
  )
  console.log(`ACME requests per order: median ${median(perOrder)} (${perOrder.join(', ')})`)
} finally {
  await manager.close()
  await pebble.stop()
}
