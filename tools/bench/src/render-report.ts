import { AUTHORIZATION_POLLS } from '@autotls/acme'
import type { BenchResults } from './bench-results.js'
import { checkBudgets } from './budgets.js'
import type { IssuanceSizes, IssuerFigures } from './issuance-bench.js'
import { versionsLine } from './machine-info.js'
import { pairedRatio, renderPinnedHandshakes } from './render-pinned-handshakes.js'
import { mean, median, percentile } from './stats.js'
import type { WildcardFigures } from './wildcard-bench.js'

const ms = (value: number): string =>
  Number.isNaN(value) ? '—' : `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms`
const rps = (value: number): string => (Number.isNaN(value) ? '—' : value.toFixed(0))
const mb = (bytes: number): string => (Number.isNaN(bytes) ? '—' : `${(bytes / 1e6).toFixed(1)} MB`)
const ratio = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '—')

/** Ratios of paired per-round figures, as "min–max" (how much the rounds disagree). */
function spread(mine: readonly number[], theirs: readonly number[]): string {
  const ratios = mine.map((m, i) => m / (theirs[i] ?? Number.NaN)).filter(Number.isFinite)
  if (ratios.length < 2) return ''
  return ` (rounds ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`
}

/** Sum of each round's `size` consecutive samples. */
function roundTotals(values: readonly number[], size: number): number[] {
  const totals: number[] = []
  for (let i = 0; i + size <= values.length; i += size) {
    totals.push(values.slice(i, i + size).reduce((a, b) => a + b, 0))
  }
  return totals
}

/** A markdown table with padded columns (as the repository's formatter writes them). */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) =>
    Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)),
  )
  const line = (cells: readonly string[]): string =>
    `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/** One issuance table: each contestant against apps/hello, with requests per order. */
function issuanceTable(issuers: readonly IssuerFigures[], sizes: IssuanceSizes): string {
  const hello = issuers.find((i) => i.id === 'hello')
  return table(
    [
      'contestant',
      'one by one: median',
      'mean',
      'p90',
      `all ${sizes.sequential}: total`,
      'apps/hello ÷ this (median)',
      'apps/hello ÷ this (mean)',
      `${sizes.concurrent} at once: median per name`,
      'apps/hello ÷ this',
      `all ${sizes.concurrent} done`,
      'requests per order',
    ],
    issuers.map((i) => [
      i.label,
      ms(median(i.sequentialMs)),
      ms(mean(i.sequentialMs)),
      ms(percentile(i.sequentialMs, 90)),
      ms(median(roundTotals(i.sequentialMs, sizes.sequential))),
      hello
        ? `${ratio(median(hello.sequentialMs) / median(i.sequentialMs))}${spread(hello.roundSequentialMedians, i.roundSequentialMedians)}`
        : '—',
      hello ? ratio(mean(hello.sequentialMs) / mean(i.sequentialMs)) : '—',
      ms(median(i.concurrentMs)),
      hello ? ratio(median(hello.concurrentMs) / median(i.concurrentMs)) : '—',
      ms(median(i.concurrentWallMs)),
      median(i.requestsPerOrder).toFixed(1),
    ]),
  )
}

/** One wildcard table: each contestant, and DNS-01 against apps/hello's exact name (paired rounds). */
function wildcardTable(figures: readonly WildcardFigures[]): string {
  const exact = figures.find((f) => f.id === 'hello-exact')
  return table(
    [
      'contestant',
      'to the certificate: median',
      'min–max',
      'requests per order',
      '÷ apps/hello, exact name (tls-alpn-01)',
    ],
    figures.map((f) => [
      f.label,
      ms(median(f.ms)),
      `${ms(Math.min(...f.ms))}–${ms(Math.max(...f.ms))}`,
      median(f.requests).toFixed(1),
      !exact || f === exact
        ? 'baseline'
        : `${ratio(pairedRatio(f.ms, exact.ms))}${spread(f.ms, exact.ms)}`,
    ]),
  )
}

/**
 * Renders a run as the markdown of `tools/bench/RESULTS.md`: date, machine, how it was measured,
 * the budget verdicts (full runs only) and one section per benchmark with each figure, its
 * baseline and their ratio.
 *
 * @example
 * await writeFile('RESULTS.md', renderReport(results))
 */
export function renderReport(results: BenchResults): string {
  const { machine, issuance, handshakes, pinned, scale, footprint, wildcard } = results
  const out: string[] = []
  const minutes = (results.finishedAt.getTime() - results.startedAt.getTime()) / 60_000
  out.push('# autotls benchmarks', '')
  out.push(
    `Measured ${results.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')} (${minutes.toFixed(1)} min) with \`pnpm --filter @autotls/bench bench\`${results.mode === 'smoke' ? ' in **smoke mode** (tiny sizes: figures are not meaningful, no verdicts)' : ''}.`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB RAM, Linux ${machine.kernel}; Node ${machine.node}; ${machine.go}; ${machine.h2load}.`,
    ...(machine.toolchain ? [versionsLine(machine)] : []),
    `apps/hello ran from its ${results.hello.kind === 'bundle' ? 'bundle' : 'TypeScript source (through tsx: not representative)'} \`${results.hello.file.replace(/^.*\/(apps\/)/, '$1')}\`.`,
    '',
    'Every benchmark runs its baselines in the same process tree within the same minutes, alternating',
    'contestants in a rotated order each round; figures are medians over all rounds and ratios are',
    'autotls ÷ baseline, with the spread of the per-round ratios where there are several rounds. Load',
    'generators and servers share the machine, so absolute numbers move from run to run; ratios move less.',
    '',
  )

  if (results.mode === 'full') {
    const checks = checkBudgets(results)
    out.push('## Budgets', '')
    out.push(
      table(
        ['budget', 'autotls', 'baseline', 'ratio / value', 'goal', 'verdict'],
        checks.map((c) => [
          c.budget,
          c.figure,
          c.baseline,
          c.baseline === '—' ? c.figure : ratio(c.value),
          c.goal,
          c.met ? 'met' : '**missed**',
        ]),
      ),
      '',
    )
  }

  if (issuance) {
    const { sizes } = issuance
    out.push('## 1. Issuance latency and requests per order', '')
    out.push(
      `Pebble with its validation delays on (each of its three validation perspectives waits 0, 1, 2, 3 or 4 whole seconds, as a real CA takes seconds) is the headline; the same run against Pebble with \`PEBBLE_VA_NOSLEEP=1\` follows, to show what the clients themselves cost. Default 5 % nonce rejection, tls-alpn-01 for everyone; ${sizes.rounds} round(s). Per contestant and round: one warm-up name (account registration, not counted), ${sizes.sequential} new names one after another, then ${sizes.concurrent} new names at once ("total" and "all done": medians over rounds of the whole batch). A server's figure runs from the first \`GET https://<new name>/\` to its response; a library's from "generate a key" to key and chain in hand. With delays, the longest of three draws is ≤ 3 s with probability 0.512, so a median over tens of names falls on 3.x or 4.x s by chance from run to run: the budget compares means (the CA's 3.2 s plus the client's own time), and the medians stay in the table. Requests per order: the requests Pebble logged (every ACME request, newNonce and directory included) over the orders it added, warm-up excluded, median over rounds.`,
      '',
    )
    out.push(
      '### With validation delays (headline)',
      '',
      issuanceTable(issuance.issuers, sizes),
      '',
    )
    out.push('### Without validation delays', '', issuanceTable(issuance.noDelay, sizes), '')
  }

  if (handshakes) {
    const { sizes } = handshakes
    const find = (id: string) => handshakes.servers.find((s) => s.id === id)
    out.push('## 2. Handshakes with a cached certificate', '')
    out.push(
      `h2load \`--h1\`, ${sizes.clients} connections, one thread, about ${sizes.durationS} s measured after a warm-up (full handshakes: a short run that gauges the rate; keep-alive: 1 s on the same connections, h2load's timed mode), SNI \`hs.bench.test\`, ECDSA P-256 certificate from a local CA already in each server's cache. Full handshakes: \`Connection: close\` and session resumption switched off in h2load (\`native/no-resume.c\`), so every request is a full TLS handshake and one GET. Keep-alive: GETs on open connections. The load generator runs on the same ${machine.cores} cores.`,
      '',
    )
    const pairs: Record<string, string> = {
      'hello-1': 'plain',
      'hello-default': 'hello-1',
      'hello-all': 'go-seed',
    }
    out.push(
      table(
        [
          'server',
          'full handshakes/s',
          'keep-alive requests/s',
          'ratio to baseline (full: median of per-round ratios; keep-alive)',
        ],
        handshakes.servers.map((s) => {
          const other = pairs[s.id] === undefined ? undefined : find(pairs[s.id] as string)
          return [
            s.label,
            rps(median(s.fullHandshakeRps)),
            rps(median(s.keepAliveRps)),
            other
              ? `${ratio(median(s.fullHandshakeRps.map((x, i) => x / (other.fullHandshakeRps[i] ?? Number.NaN))))}${spread(s.fullHandshakeRps, other.fullHandshakeRps)}; ${ratio(median(s.keepAliveRps) / median(other.keepAliveRps))} of ${other.label}`
              : 'baseline',
          ]
        }),
      ),
      '',
    )
  }

  if (pinned) out.push(renderPinnedHandshakes(pinned), '')

  if (scale) {
    const { sizes, pinned: scalePinned, nodes } = scale
    const names = sizes.names.toLocaleString('en-US')
    out.push(`## 3. Scale: ${names} names`, '')
    out.push(
      `apps/hello, 1 worker, with ${names} certificates (local CA, ECDSA P-256) already in its directory cache, against the same with 1 name, under ${nodes.map((n) => `Node ${n.node.version} (OpenSSL ${n.node.openssl})`).join(' and ')}; ${sizes.rounds} round(s), every configuration in a rotated order. ${scalePinned ? 'The server is pinned to CPU 0 (`taskset -c 0`) and the benchmark process, which is the client, to CPU 1.' : `Unpinned: server and client share the ${machine.cores} core(s).`} Listening: from spawning the process to its port accepting a connection. RSS: after one handshake for every name. Handshakes: a Node TLS client in the benchmark process, full handshakes verified against the local root, one at a time; "first" loads each certificate from the directory cache, "random" draws ${sizes.randomHandshakes} names at random afterwards (beyond the manager's \`maxContexts\`, 1,000 by default, most of them rebuild a context its LRU evicted). CPU: the server's own CPU time over the random handshakes, per handshake.`,
      '',
    )
    for (const { node, one, many } of nodes) {
      const row = (
        label: string,
        pick: (f: typeof one) => number,
        format: (n: number) => string,
      ) => [label, format(pick(one)), format(pick(many)), ratio(pick(many) / pick(one))]
      const us = (value: number): string => `${value.toFixed(0)} µs`
      out.push(`### Node ${node.major}`, '')
      out.push(
        table(
          ['figure', '1 name', `${names} names`, 'ratio'],
          [
            row('start to listening (median)', (f) => median(f.listeningMs), ms),
            row('RSS after one handshake per name', (f) => median(f.rssBytes), mb),
            row('first handshake per name, p50', (f) => percentile(f.firstHandshakeMs, 50), ms),
            row('first handshake per name, p99', (f) => percentile(f.firstHandshakeMs, 99), ms),
            row('random names, p50', (f) => percentile(f.randomHandshakeMs, 50), ms),
            row('random names, p99', (f) => percentile(f.randomHandshakeMs, 99), ms),
            row(
              'random names, server CPU per handshake',
              (f) => median(f.randomCpuUsPerHandshake),
              us,
            ),
          ],
        ),
        '',
      )
    }
  }

  if (footprint) {
    const go = footprint.servers.find((s) => s.id === 'go-seed')
    out.push('## 4. Footprint', '')
    out.push(
      `Idle RSS (process and its workers) of a freshly started server with one cached certificate, after one request and ${footprint.sizes.settleMs / 1000} s idle; ${footprint.sizes.rounds} round(s), alternating.`,
      '',
    )
    out.push(
      table(
        ['server', 'idle RSS', 'ratio to the Go seed'],
        footprint.servers.map((s) => [
          s.label,
          mb(median(s.idleRssBytes)),
          go && s !== go ? ratio(median(s.idleRssBytes) / median(go.idleRssBytes)) : 'baseline',
        ]),
      ),
      '',
    )
    out.push(
      table(
        ['deployable', 'size', 'gzip'],
        [
          footprint.bundle
            ? [
                `apps/hello bundle (${footprint.bundle.files} .mjs files; runs on the Node binary)`,
                mb(footprint.bundle.bytes),
                mb(footprint.bundle.gzipBytes),
              ]
            : ['apps/hello bundle', 'not built', '—'],
          ['Go seed binary (static, runtime included)', mb(footprint.goBinaryBytes), '—'],
        ],
      ),
      '',
    )
  }
  if (wildcard) {
    const { firstMs, jitter } = AUTHORIZATION_POLLS
    const firstPoll = `${((firstMs * (1 - jitter)) / 1000).toFixed(1)}–${((firstMs * (1 + jitter)) / 1000).toFixed(1)} s`
    out.push('## 5. Wildcard certificates over DNS-01: time to the first one', '')
    out.push(
      `Pebble's \`-dnsserver\` points at a real authoritative server from Debian (${wildcard.dnsServers}) serving \`example.test\`; TXT records go in by RFC 2136 dynamic update signed with TSIG (HMAC-SHA256), and the DNS-01 solver's propagation checks are on at apps/hello's defaults: after each update it asks the zone's servers every 2 s (up to 120 s) until they answer the value, and only then tells the CA to look. apps/hello runs from its ${results.hello.kind}, 1 worker, configured by environment (\`DNS_PROVIDER=rfc2136\`, \`DNS_SERVER\`, \`DNS_TSIG_KEY_FILE\`, \`DOMAINS=*.example.test,…\`); its figure runs from the first \`GET https://<random>.example.test/\` to its response: one order for \`*.example.test\` and \`example.test\`, two authorizations, two TXT values at one name. \`@autotls/acme\` \`issueCertificate()\` alone does the same order through \`dns01Solver\` (the zone's server found through its NS record), against BIND and against Knot. ${wildcard.sizes.rounds} round(s) per Pebble, contestants rotated; every process and account is fresh each round and its account is registered before the clock starts (apps/hello: by a warm-up exact name); no authorization reuse; default 5 % nonce rejection. Requests per order: what Pebble logged from the first request until it had been quiet for 0.5 s (a renewal-info fetch right after issuance counts).`,
      '',
      `No other system obtains wildcard certificates on demand (Go's autocert has no DNS-01, golang/go#23198; CertMagic's on-demand TLS cannot obtain wildcards; node \`acme-client\` leaves DNS to user code), so the baseline is apps/hello itself, in the same process and round, obtaining a certificate for a new exact name over tls-alpn-01: the ratio (median of per-round ratios) is what DNS-01 with its propagation checks costs over the quickest challenge. A primary applies an update before it acknowledges it, so here the first check already sees the record; with secondaries, their transfer time adds to the figure in 2 s steps. Without validation delays, most of a DNS-01 figure is the first authorization poll (${firstPoll} after the challenge is answered, \`AUTHORIZATION_POLLS\` of @autotls/acme): the CA's TXT lookup goes to the DNS server, not to us, so unlike tls-alpn-01 nothing wakes the poll when the validation happens.`,
      '',
    )
    out.push('### With validation delays (headline)', '', wildcardTable(wildcard.issuers), '')
    out.push('### Without validation delays', '', wildcardTable(wildcard.noDelay), '')
  }
  return `${out.join('\n').trimEnd()}\n`
}
