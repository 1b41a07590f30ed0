import { CLIENT_CPU, type PinnedHandshakeResult, SERVER_CPU } from './pinned-handshake-bench.js'
import { median } from './stats.js'

const rate = (value: number): string => (Number.isFinite(value) ? value.toFixed(0) : '—')
const times = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '—')

/**
 * The median over rounds of `mine[i] ÷ theirs[i]`: each round's pair was measured seconds apart,
 * so load that drifts over minutes cancels out.
 *
 * @example
 * pairedRatio([90, 100, 80], [100, 100, 100]) // 0.9
 */
export function pairedRatio(mine: readonly number[], theirs: readonly number[]): number {
  const ratios = mine.map((m, i) => m / (theirs[i] ?? Number.NaN)).filter(Number.isFinite)
  return median(ratios)
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) =>
    Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)),
  )
  const line = (cells: readonly string[]): string =>
    `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

function loadLabel(load: PinnedHandshakeResult['loads'][number]): string {
  const client = load.client === 'go' ? 'Go client' : 'h2load'
  return load.mode === 'full'
    ? `${client} full c=${load.connections} (hs/s)`
    : `${client} keep-alive c=${load.connections} (req/s)`
}

/**
 * Renders the pinned handshake benchmark as a markdown section for `RESULTS.md`: how it was
 * measured, the median rate of every server under every load, and the paired ratios apps/hello ÷
 * plain `node:https` (same Node) and ÷ the Go seed, and plain Node ÷ the Go seed.
 *
 * @example
 * out.push(renderPinnedHandshakes(results.pinned))
 */
export function renderPinnedHandshakes(result: PinnedHandshakeResult): string {
  const { loads, servers, sizes } = result
  const out: string[] = []
  out.push('## Handshakes per core (pinned)', '')
  out.push(
    `Every server pinned to CPU ${SERVER_CPU} (\`taskset -c ${SERVER_CPU}\`; the Go seed with \`GOMAXPROCS=1\`), every`,
    `load generator to CPU ${CLIENT_CPU}: per-core figures that the load generator cannot eat into. Loads: a Go`,
    '`crypto/tls` client (`go-tls-load/`: full handshake with SNI, no session cache, one `GET /` with',
    '`Connection: close`, certificate verified) and h2load `--h1` with resumption switched off, each at',
    `${sizes.connections.join(' and ')} connections, and h2load keep-alive (timed, after 1 s of warm-up on the same connections). ${sizes.rounds} round(s) of ${sizes.durationS} s per run; in each round`,
    'every load visits every server in a rotated order. Figures are medians over the rounds; ratios are',
    'medians of per-round paired ratios.',
    '',
  )
  out.push(
    table(
      ['server', ...loads.map(loadLabel)],
      servers.map((s) => [
        `${s.label}${s.node ? ` (${s.node.version}, OpenSSL ${s.node.openssl})` : ''}`,
        ...loads.map((l) => rate(median(s.perSecond[l.id] ?? []))),
      ]),
    ),
    '',
  )
  const seed = servers.find((s) => s.kind === 'go-seed')
  const rows: string[][] = []
  for (const hello of servers.filter((s) => s.kind === 'hello')) {
    const plain = servers.find((s) => s.kind === 'plain' && s.node?.major === hello.node?.major)
    const ratioRow = (
      label: string,
      mine: typeof hello,
      theirs: typeof hello | undefined,
    ): void => {
      if (!theirs) return
      rows.push([
        label,
        ...loads.map((l) =>
          times(pairedRatio(mine.perSecond[l.id] ?? [], theirs.perSecond[l.id] ?? [])),
        ),
      ])
    }
    const major = hello.node?.major ?? '?'
    ratioRow(`apps/hello ÷ plain node:https, Node ${major}`, hello, plain)
    ratioRow(`apps/hello ÷ Go seed, Node ${major}`, hello, seed)
    if (plain) ratioRow(`plain node:https ÷ Go seed, Node ${major}`, plain, seed)
  }
  out.push(table(['ratio', ...loads.map(loadLabel)], rows), '')
  const measured = loads.filter((l) =>
    servers.some((s) => (s.cpuUsPerRequest[l.id] ?? []).length > 0),
  )
  if (measured.length > 0) {
    out.push(
      "The server's own CPU time per request (µs; `/proc/<pid>/stat` over each Go-client run, warm-up",
      'included): it moves far less than rates when other work shares the machine.',
      '',
      table(
        ['server', ...measured.map((l) => `${loadLabel(l).replace(/ \(.*\)$/, '')} (µs/req)`)],
        servers.map((s) => [
          s.label,
          ...measured.map((l) => rate(median(s.cpuUsPerRequest[l.id] ?? []))),
        ]),
      ),
      '',
    )
  }
  const groups = Object.entries(result.negotiated)
  if (groups.length > 0) {
    out.push(
      `Negotiated with the Go client: ${groups.map(([id, what]) => `${id} ${what}`).join('; ')}.`,
      '',
    )
  }
  return out.join('\n')
}
