// Time to the first wildcard certificate with propagation checks on: starts BIND 9 (or Knot with
// SERVER=knot) and Pebble, then RUNS times creates a fresh account and issues *.example.test +
// example.test through RFC 2136, the solver asking the server until it answers each record.
//   node --conditions=@autotls/source --import tsx scripts/time-to-wildcard.ts
import { performance } from 'node:perf_hooks'
import { AcmeClient, generateKeyPair, issueCertificate } from '@autotls/acme'
import { dns01Solver } from '@autotls/dns'
import { newTsigKey, startBind, startKnot } from '@autotls/dns-servers'
import { startPebble } from '@autotls/pebble'
import { rfc2136Provider } from '../src/index.js'

const runs = Number(process.env.RUNS ?? 10)
const key = newTsigKey()
const zones = [{ name: 'example.test' }]
const server =
  process.env.SERVER === 'knot'
    ? await startKnot({ zones, tsigKey: key })
    : await startBind({ zones, tsigKey: key })
const pebble = await startPebble({ dnsServer: server.address, nonceRejectPercent: 0 })
const solver = dns01Solver({
  provider: rfc2136Provider({ server: server.address, tsig: key }),
  resolvers: [server.address],
  nameservers: [server.address],
})
const orders: number[] = []
const totals: number[] = []
try {
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    const client = new AcmeClient({
      directoryUrl: pebble.directoryUrl,
      accountKey: await generateKeyPair('ec-p256'),
      caPem: pebble.caPem,
    })
    await client.createAccount({ termsOfServiceAgreed: true })
    const ordered = performance.now()
    await issueCertificate({
      client,
      identifiers: ['*.example.test', 'example.test'],
      solvers: [solver],
    })
    const end = performance.now()
    orders.push(end - ordered)
    totals.push(end - start)
  }
} finally {
  await pebble.stop()
  await server.stop()
}
const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
console.log(
  `${process.env.SERVER === 'knot' ? 'Knot' : 'BIND 9'}, ${runs} runs: order to certificate median ${median(orders).toFixed(0)} ms ` +
    `(min ${Math.min(...orders).toFixed(0)}, max ${Math.max(...orders).toFixed(0)}); with a new account median ${median(totals).toFixed(0)} ms`,
)
