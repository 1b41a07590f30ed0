// Run by hand (not part of the test suite):
//   node --expose-gc --conditions=@autotls/source --import tsx packages/manager/test/bench-failures.ts
// Issue 12, acceptance 4: heap growth after 100,000 distinct allowed names whose issuance fails.
// Each name goes the whole way to a recorded failure (see refusingCa); the heap is measured after
// full GCs.
import { memoryCache } from '@autotls/cache'
import { createManager } from '../src/manager.js'

const NAMES = Number(process.env.NAMES ?? 100_000)
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc')

// Every request to the CA is refused (403 unauthorized, not transient): each name is ordered
// once and its failure remembered, so the failure memory's bound is what is measured. A store
// that refuses its lock would not do: a failure of the store before any order is not remembered.
const refusingCa = (async () =>
  new Response(
    JSON.stringify({
      type: 'urn:ietf:params:acme:error:unauthorized',
      detail: 'refused (benchmark CA)',
      status: 403,
    }),
    { status: 403, headers: { 'content-type': 'application/problem+json' } },
  )) as typeof globalThis.fetch
const manager = createManager({
  hosts: (name) => name.endsWith('.fail.test'),
  cache: memoryCache(),
  directoryUrl: 'https://ca.fail.test/directory',
  fetch: refusingCa,
  acceptTerms: true,
  challenges: ['tls-alpn-01'],
  keyTypes: ['ec-p256'],
  logger: { debug() {}, info() {}, warn() {}, error() {} },
})

/**
 * One turn of the event loop. The refusing CA answers at once, so without this the whole run is
 * one job of promise reactions, and V8 keeps every WeakRef target made during a job alive until
 * the job ends (`AbortSignal.any` makes one per signal): a heap measured inside it counts them.
 */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

function heapMb(): number {
  gc?.()
  gc?.()
  return process.memoryUsage().heapUsed / 2 ** 20
}

async function fail(from: number, to: number): Promise<void> {
  const batch: Promise<unknown>[] = []
  for (let i = from; i < to; i++) {
    batch.push(manager.secureContext(`n${i}.fail.test`).catch(() => {}))
    if (batch.length === 500) {
      await Promise.all(batch.splice(0))
      await nextTurn()
    }
  }
  await Promise.all(batch)
}

await fail(0, 1000) // warm up: code paths compiled, maps sized
await nextTurn()
const before = heapMb()
const started = performance.now()
await fail(1000, 1000 + NAMES)
await nextTurn()
const after = heapMb()
const { failed } = manager.counters()
console.log(
  `${NAMES} failing names in ${((performance.now() - started) / 1000).toFixed(1)} s: heap ${before.toFixed(1)} MB -> ${after.toFixed(1)} MB (${(after - before).toFixed(1)} MB), failures counted ${failed}`,
)
await manager.close()
