// Run by hand (not part of the test suite):
//   node --conditions=@autotls/source --import tsx packages/manager/test/bench-cold.ts [names] [delay] [dir]
// Cold first handshakes through manager.createServer() (tls-alpn-01) against a local Pebble, one
// new name after another: the time to the handshake and the ACME requests per order (counted at
// the injected fetch). `delay` keeps Pebble's random validation delay, as a real CA takes time
// (Pebble 2.10.1, which tools/pebble prefers: each of its three perspectives waits 0–4 whole
// seconds, so a validation takes the longest of the three); without it Pebble validates at once
// (PEBBLE_VA_NOSLEEP). `dir` keeps certificates in a dirCache in a temporary directory (as
// apps/hello does) instead of memory. Besides the total, the
// two parts outside the CA's requests: from the connection to the first ACME request of the
// order, and from the last ACME response (the certificate) to the handshake's end.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { createHttpsFetch } from '@autotls/acme'
import { dirCache } from '@autotls/cache-dir'
import { startPebble } from '@autotls/pebble'
import { createManager } from '../src/manager.js'

const count = Number(process.argv[2] ?? 10)
const validationDelay = process.argv.slice(3).includes('delay')
const dir = process.argv.slice(3).includes('dir')
  ? await mkdtemp(join(tmpdir(), 'autotls-bench-cold-'))
  : undefined

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
/** performance.now() of the first ACME request and of the last ACME response since reset. */
let firstRequestAt = 0
let lastResponseAt = 0
const manager = createManager({
  hosts: (name) => name.endsWith('.test'),
  directoryUrl: pebble.directoryUrl,
  caPem: pebble.caPem,
  acceptTerms: true,
  keyTypes: ['ec-p256'],
  handshakeTimeoutMs: 60_000,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  ...(dir === undefined ? {} : { cache: dirCache({ dir }) }),
  fetch: (async (url: string | URL | Request, init?: RequestInit) => {
    requests++
    if (firstRequestAt === 0) firstRequestAt = performance.now()
    const response = await transport(String(url), init ?? {})
    const body = await response.arrayBuffer()
    lastResponseAt = performance.now()
    return new Response(body, response)
  }) as typeof globalThis.fetch,
})
try {
  const server = manager.createServer()
  await new Promise<void>((resolve) => server.listen(pebble.tlsPort, '127.0.0.1', resolve))
  // The account is registered once, ahead: what follows is per order.
  await manager.manage(['warmup.test'])
  const times: number[] = []
  const perOrder: number[] = []
  const beforeOrder: number[] = []
  const afterCertificate: number[] = []
  for (let i = 0; i < count; i++) {
    const before = requests
    firstRequestAt = 0
    const started = performance.now()
    const ms = await handshakeMs(pebble.tlsPort, `cold${i}.test`, roots)
    times.push(ms)
    perOrder.push(requests - before)
    beforeOrder.push(firstRequestAt - started)
    afterCertificate.push(started + ms - lastResponseAt)
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
  console.log(
    `connection → first ACME request: median ${median(beforeOrder).toFixed(1)} ms; last ACME response → handshake done: median ${median(afterCertificate).toFixed(1)} ms (${dir === undefined ? 'memory cache' : 'dirCache'})`,
  )
  console.log(`ACME requests per order: median ${median(perOrder)} (${perOrder.join(', ')})`)
} finally {
  await manager.close()
  await pebble.stop()
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
}
