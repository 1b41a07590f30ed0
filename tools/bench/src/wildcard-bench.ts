import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { AcmeClient, generateKeyPair, issueCertificate } from '@autotls/acme'
import { dns01Solver } from '@autotls/dns'
import { rfc2136Provider } from '@autotls/dns-rfc2136'
import {
  type DnsServer,
  newTsigKey,
  startBind,
  startKnot,
  type TsigKey,
} from '@autotls/dns-servers'
import { findOnPath, type Pebble, startPebble } from '@autotls/pebble'
import type { BenchContext } from './bench-context.js'
import { BenchError } from './bench-error.js'
import { startHelloServer } from './hello-server.js'
import { pebbleRequests } from './issuance-bench.js'
import { rotations } from './rotations.js'
import { runCommand } from './run-command.js'
import { median } from './stats.js'
import { timedHttpsGet } from './timed-https-get.js'

/** How much the wildcard benchmark does. */
export interface WildcardSizes {
  /** Rounds per Pebble (validation delays on, then off); every contestant issues once per round. */
  rounds: number
}

/** The contestants of {@link runWildcardBench}. */
export type WildcardContestant = 'hello-wildcard' | 'hello-exact' | 'acme-bind' | 'acme-knot'

/** One contestant's figures, one entry per round. */
export interface WildcardFigures {
  readonly id: WildcardContestant
  readonly label: string
  /** Milliseconds to the certificate (a server: to the first HTTPS response for the name). */
  readonly ms: number[]
  /** Requests Pebble logged for the one order (every ACME request, newNonce included). */
  readonly requests: number[]
}

/** Result of {@link runWildcardBench}. */
export interface WildcardResult {
  readonly sizes: WildcardSizes
  /** The DNS servers that ran, with their versions, e.g. `BIND 9.18.49, Knot DNS 3.2.6`. */
  readonly dnsServers: string
  /** The headline: Pebble with its validation delays on. */
  readonly issuers: readonly WildcardFigures[]
  /** Secondary: `PEBBLE_VA_NOSLEEP=1`. */
  readonly noDelay: readonly WildcardFigures[]
}

/** The zone of the wildcard policy; exact names of the tls-alpn-01 baseline live in another. */
const ZONE = 'example.test'
const EXACT_ZONE = 'alpn.test'

/** Both DNS servers and what every contestant needs to reach them. */
interface Dns {
  readonly bind: DnsServer
  readonly knot: DnsServer
  readonly key: TsigKey
  readonly keyFile: string
}

/** One pass (delays on or off): a Pebble validating through BIND and one through Knot. */
interface Pass {
  readonly bindPebble: Pebble
  readonly knotPebble: Pebble
  readonly bindCaFile: string
  readonly bindRoots: readonly string[]
}

/**
 * Time to the first wildcard certificate with the DNS-01 solver's propagation checks on: BIND 9
 * and Knot serve `example.test` (RFC 2136 updates signed with TSIG HMAC-SHA256), each with a
 * Pebble whose `-dnsserver` points at it. Per round, in a rotated order: apps/hello configured by
 * environment for DNS-01 with `DOMAINS=*.example.test,…` (after a warm-up name that registers the
 * account) times `GET https://<random>.example.test/` — one order for `*.example.test` and
 * `example.test` — and, in the same process and round, a new exact name over tls-alpn-01 (the
 * baseline); `@autotls/acme` `issueCertificate()` alone for the same two names through
 * `dns01Solver` against BIND and against Knot (account registered first, not counted). The solver
 * asks the zone's servers until they answer each TXT value before it tells the CA to look. First
 * with Pebble's validation delays on (headline), then without.
 *
 * @example
 * const result = await runWildcardBench(context, { rounds: 5 })
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-8.4
 * @see https://www.rfc-editor.org/rfc/rfc2136
 */
export async function runWildcardBench(
  context: BenchContext,
  sizes: WildcardSizes,
): Promise<WildcardResult> {
  const dir = await mkdtemp(join(tmpdir(), 'autotls-bench-wildcard-'))
  const key = newTsigKey('bench-acme')
  const keyFile = join(dir, 'tsig.key')
  // As `tsig-keygen -a hmac-sha256 bench-acme` writes it: what apps/hello reads.
  await writeFile(
    keyFile,
    `key "${key.name}" {\n\talgorithm hmac-sha256;\n\tsecret "${key.secret}";\n};\n`,
    { mode: 0o600 },
  )
  const servers: DnsServer[] = []
  try {
    const bind = await startBind({ zones: [{ name: ZONE }, { name: EXACT_ZONE }], tsigKey: key })
    servers.push(bind)
    const knot = await startKnot({ zones: [{ name: ZONE }], tsigKey: key })
    servers.push(knot)
    const dns: Dns = { bind, knot, key, keyFile }
    const dnsServers = await dnsVersions(context.signal)
    context.log(`wildcard: ${dnsServers} on ${bind.address} and ${knot.address}`)
    const issuers = await runPass(context, dns, dir, sizes, true)
    const noDelay = await runPass(context, dns, dir, sizes, false)
    return { sizes, dnsServers, issuers, noDelay }
  } finally {
    for (const server of servers) await server.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

async function runPass(
  context: BenchContext,
  dns: Dns,
  dir: string,
  sizes: WildcardSizes,
  validationDelay: boolean,
): Promise<WildcardFigures[]> {
  const what = validationDelay ? 'validation delays on' : 'no validation delays'
  // No authorization reuse: every order validates both names, as a first certificate does.
  const pebbleOptions = { validationDelay, authzReusePercent: 0 }
  const pebbles: Pebble[] = []
  try {
    const bindPebble = await startPebble({ ...pebbleOptions, dnsServer: dns.bind.address })
    pebbles.push(bindPebble)
    const knotPebble = await startPebble({ ...pebbleOptions, dnsServer: dns.knot.address })
    pebbles.push(knotPebble)
    const bindCaFile = join(dir, `pebble-ca-${validationDelay ? 'delay' : 'nosleep'}.pem`)
    await writeFile(bindCaFile, bindPebble.caPem)
    const pass: Pass = { bindPebble, knotPebble, bindCaFile, bindRoots: await bindPebble.roots() }
    const kind = context.hello.kind
    const figures = new Map<WildcardContestant, WildcardFigures>(
      (
        [
          ['hello-wildcard', `apps/hello (${kind}): random subdomain of *.${ZONE}, DNS-01 (BIND)`],
          ['hello-exact', `apps/hello (${kind}): new exact name, tls-alpn-01 (baseline)`],
          ['acme-bind', '@autotls/acme issueCertificate(), DNS-01 (BIND)'],
          ['acme-knot', '@autotls/acme issueCertificate(), DNS-01 (Knot)'],
        ] as const
      ).map(([id, label]) => [id, { id, label, ms: [], requests: [] }]),
    )
    const record = (id: WildcardContestant, ms: number, requests: number): void => {
      const own = figures.get(id) as WildcardFigures
      own.ms.push(ms)
      own.requests.push(requests)
    }
    const units = ['hello', 'acme-bind', 'acme-knot'] as const
    for (const [round, order] of rotations(units, sizes.rounds).entries()) {
      const line: string[] = []
      for (const unit of order) {
        if (unit === 'hello') {
          // Wildcard and exact name alternate which goes first.
          for (const [id, ms, requests] of await helloRound(context, dns, dir, pass, round)) {
            record(id, ms, requests)
            line.push(`${id} ${ms.toFixed(0)} ms (${requests} requests)`)
          }
        } else {
          const server = unit === 'acme-bind' ? dns.bind : dns.knot
          const pebble = unit === 'acme-bind' ? pass.bindPebble : pass.knotPebble
          const [ms, requests] = await acmeAlone(context, dns.key, server, pebble)
          record(unit, ms, requests)
          line.push(`${unit} ${ms.toFixed(0)} ms (${requests} requests)`)
        }
      }
      context.log(`wildcard (${what}) round ${round + 1}: ${line.join(', ')}`)
    }
    for (const f of figures.values()) {
      context.log(`wildcard (${what}) ${f.label}: median ${median(f.ms).toFixed(0)} ms`)
    }
    return [...figures.values()]
  } finally {
    for (const pebble of pebbles) await pebble.stop()
  }
}

/**
 * One apps/hello process for one round: a warm-up exact name (account registration, not counted),
 * then the wildcard's first request and a new exact name's, in an order that alternates by round.
 */
async function helloRound(
  context: BenchContext,
  dns: Dns,
  dir: string,
  pass: Pass,
  round: number,
): Promise<[WildcardContestant, number, number][]> {
  const pebble = pass.bindPebble
  const port = pebble.tlsPort
  const exact = (what: string): string =>
    `${what}-r${round}-${randomBytes(3).toString('hex')}.${EXACT_ZONE}`
  const warmUp = exact('warm')
  const exactName = exact('exact')
  const certsDir = await mkdtemp(join(dir, 'hello-'))
  const hello = await startHelloServer({
    entry: context.hello,
    nodeOptions: context.helloNodeOptions,
    port,
    domains: [`*.${ZONE}`, warmUp, exactName],
    certsDir: join(certsDir, 'certs'),
    directoryUrl: pebble.directoryUrl,
    caFile: pass.bindCaFile,
    workers: 1,
    // The README's DNS-01 variables; propagation interval and timeout at their defaults (2 s,
    // 120 s). BIND listens on a free port, so the servers to check are named with it.
    env: {
      DNS_PROVIDER: 'rfc2136',
      DNS_SERVER: dns.bind.address,
      DNS_TSIG_KEY_FILE: dns.keyFile,
      DNS_RESOLVERS: dns.bind.address,
      DNS_NAMESERVERS: dns.bind.address,
    },
    signal: context.signal,
  })
  const get = (servername: string): Promise<number> =>
    timedHttpsGet({ port, servername, ca: pass.bindRoots, signal: context.signal })
  try {
    await get(warmUp)
    // What follows the warm-up's order (a renewal-info fetch) is not the next order's.
    await quiet(pebble, context.signal)
    const steps: [WildcardContestant, string][] = [
      ['hello-wildcard', `${randomBytes(4).toString('hex')}.${ZONE}`],
      ['hello-exact', exactName],
    ]
    if (round % 2 === 1) steps.reverse()
    const out: [WildcardContestant, number, number][] = []
    for (const [id, name] of steps) {
      const [ms, requests] = await counted(pebble, context.signal, () => get(name))
      out.push([id, ms, requests])
    }
    return out
  } catch (error) {
    throw new BenchError(
      'ERR_BENCH_PROCESS',
      `apps/hello with DNS-01 failed: ${(error as Error).message}\n${hello.output()}`,
      { cause: error },
    )
  } finally {
    await hello.stop()
    await rm(certsDir, { recursive: true, force: true })
  }
}

/**
 * `@autotls/acme` alone: a fresh account (registered first, not counted), then one
 * `issueCertificate()` for `*.example.test` and `example.test` through `dns01Solver` with RFC
 * 2136 to `server`, the propagation checks at their defaults asking the zone's name server (found
 * through its NS record, on the server's port).
 */
async function acmeAlone(
  context: BenchContext,
  key: TsigKey,
  server: DnsServer,
  pebble: Pebble,
): Promise<[number, number]> {
  const { signal } = context
  const client = new AcmeClient({
    directoryUrl: pebble.directoryUrl,
    accountKey: await generateKeyPair('ec-p256'),
    caPem: pebble.caPem,
  })
  await client.createAccount({ termsOfServiceAgreed: true, signal })
  const solver = dns01Solver({
    provider: rfc2136Provider({ server: server.address, tsig: key }),
    resolvers: [server.address],
    nameserverPort: server.port,
  })
  return counted(pebble, signal, async () => {
    const started = performance.now()
    await issueCertificate({
      client,
      identifiers: [`*.${ZONE}`, ZONE],
      solvers: [solver],
      signal,
    })
    return performance.now() - started
  })
}

/**
 * Runs `timed` (which resolves milliseconds) and counts the requests Pebble logged for it, up to
 * the moment Pebble has had none for half a second (requests a server sends right after it
 * answered, such as a renewal-info fetch, belong to this order too). Exactly one order is
 * expected.
 */
async function counted(
  pebble: Pebble,
  signal: AbortSignal,
  timed: () => Promise<number>,
): Promise<[number, number]> {
  const before = pebbleRequests(pebble)
  const orders = pebble.orderCount()
  const ms = await timed()
  const last = await quiet(pebble, signal)
  if (pebble.orderCount() !== orders + 1) {
    throw new BenchError(
      'ERR_BENCH_LOAD',
      `expected one order, Pebble created ${pebble.orderCount() - orders}`,
    )
  }
  return [ms, last - before]
}

/** Waits until Pebble has logged no request for half a second (at most 5 s); resolves its count. */
async function quiet(pebble: Pebble, signal: AbortSignal): Promise<number> {
  let last = pebbleRequests(pebble)
  for (let still = 0, waited = 0; still < 500 && waited < 5000; waited += 100) {
    await sleep(100, undefined, { signal })
    const now = pebbleRequests(pebble)
    still = now === last ? still + 100 : 0
    last = now
  }
  return last
}

/** `BIND 9.18.49, Knot DNS 3.2.6`, from the binaries tools/dns runs. */
async function dnsVersions(signal: AbortSignal): Promise<string> {
  const version = async (name: string, flag: string, pattern: RegExp): Promise<string> => {
    const program = (await findOnPath(name)) ?? (await findOnPath(`/usr/sbin/${name}`))
    if (program === null) return '?'
    const output = await runCommand(program, [flag], { signal }).catch(() => '')
    return pattern.exec(output)?.[1] ?? '?'
  }
  const [bind, knot] = await Promise.all([
    version('named', '-v', /BIND (\d+\.\d+\.\d+)/),
    version('knotd', '-V', /version (\d+\.\d+\.\d+)/),
  ])
  return `BIND ${bind}, Knot DNS ${knot}`
}
