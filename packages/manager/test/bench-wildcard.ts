// Run by hand (not part of the test suite):
//   node --conditions=@autotls/source --import tsx packages/manager/test/bench-wildcard.ts [zones] [delay]
// Time to the first wildcard certificate through the manager: for each of `zones` patterns
// `*.wN.test`, the first TLS handshake for a random subdomain, which obtains one certificate for
// `*.wN.test` + `wN.test` over DNS-01 (RFC 2136 + TSIG to a local BIND 9) with the solver's
// propagation checks on at their defaults (every authoritative server asked until it answers the
// record, every 2 s). `delay` keeps Pebble's random validation delay; without it Pebble
// validates at once (PEBBLE_VA_NOSLEEP). No authorization reuse: every order validates.
import { randomBytes } from 'node:crypto'
import { connect } from 'node:tls'
import { dns01Solver } from '@autotls/dns'
import { rfc2136Provider } from '@autotls/dns-rfc2136'
import { newTsigKey, startBind } from '@autotls/dns-servers'
import { startPebble } from '@autotls/pebble'
import { createManager } from '../src/manager.js'

const count = Number(process.argv[2] ?? 5)
const validationDelay = process.argv[3] === 'delay'
const zones = Array.from({ length: count }, (_, i) => `w${i}.test`)

function handshakeMs(port: number, servername: string, ca: string[]): Promise<number> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca }, () => {
      socket.destroy()
      resolve(performance.now() - started)
    })
    socket.setTimeout(120_000, () => socket.destroy(new Error('timed out')))
    socket.on('error', reject)
  })
}

const key = newTsigKey()
const bind = await startBind({ zones: zones.map((name) => ({ name })), tsigKey: key })
const pebble = await startPebble({
  dnsServer: bind.address,
  nonceRejectPercent: 0,
  authzReusePercent: 0,
  validationDelay,
})
const roots = await pebble.roots()
const manager = createManager({
  hosts: zones.map((zone) => `*.${zone}`),
  dns: dns01Solver({
    provider: rfc2136Provider({ server: bind.address, tsig: key }),
    resolvers: [bind.address],
    // The zone's NS (ns1.wN.test → 127.0.0.1) is found and asked, on BIND's port.
    nameserverPort: bind.port,
  }),
  directoryUrl: pebble.directoryUrl,
  caPem: pebble.caPem,
  acceptTerms: true,
  keyTypes: ['ec-p256'],
  handshakeTimeoutMs: 120_000,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
})
try {
  const server = manager.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  const times: number[] = []
  for (const zone of zones) {
    times.push(await handshakeMs(port, `${randomBytes(4).toString('hex')}.${zone}`, roots))
  }
  const sorted = [...times].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const median =
    sorted.length % 2
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
  console.log(
    `node ${process.version}, Pebble ${pebble.install.version ?? '?'}, BIND 9, validation delays ${validationDelay ? 'on' : 'off (PEBBLE_VA_NOSLEEP)'}, ${count} patterns (the first includes the account)`,
  )
  console.log(
    `first wildcard certificate: median ${median.toFixed(0)} ms, min ${sorted[0]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')})`,
  )
} finally {
  await manager.close()
  await pebble.stop()
  await bind.stop()
}
