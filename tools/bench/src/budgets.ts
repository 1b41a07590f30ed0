import type { BenchResults } from './bench-results.js'
import { checkPinnedBudgets } from './pinned-budgets.js'
import { mean, median, percentile } from './stats.js'

/** One budget of the benchmark issue, checked against a run. */
export interface BudgetCheck {
  readonly budget: string
  /** The autotls figure, formatted. */
  readonly figure: string
  /** The baseline figure, formatted, or the absolute goal's unit. */
  readonly baseline: string
  /** `figure ÷ baseline` (or the figure itself for absolute budgets). */
  readonly value: number
  readonly goal: string
  readonly met: boolean
}

const ms = (value: number): string => `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms`
const rps = (value: number): string => `${value.toFixed(0)}/s`
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`

/**
 * Checks a run against the budgets of the benchmark issues (ratios of medians; for handshakes the
 * median of the per-round ratios, robust to load drifting during the run): issuance with
 * validation delays on, apps/hello's cold first request ≤ 0.8× the Go seed's and its requests per
 * order ≤ the Go seed's (issue 19); full handshakes ≥ 0.9× plain node:https (one process) and,
 * with all workers, ≥ 1.0× the Go seed; the pinned run's budgets ({@link checkPinnedBudgets},
 * issue 16); with many names, under each Node measured: listening ≤ 1 s, RSS ≤ 200 MB,
 * handshake p99 ≤ 10 ms. Budgets
 * whose benchmark did not run are left out.
 *
 * @example
 * for (const check of checkBudgets(results)) console.log(check.budget, check.met)
 */
export function checkBudgets(results: BenchResults): BudgetCheck[] {
  const checks: BudgetCheck[] = []
  const relative = (
    budget: string,
    figure: number,
    baseline: number,
    format: (n: number) => string,
    goal: number,
    atMost: boolean,
    value = figure / baseline,
  ): void => {
    checks.push({
      budget,
      figure: format(figure),
      baseline: format(baseline),
      value,
      goal: `${atMost ? '≤' : '≥'} ${goal.toFixed(1)}×`,
      met: atMost ? value <= goal : value >= goal,
    })
  }
  const { issuance, handshakes, pinned, scale } = results
  if (issuance) {
    // Issue 19: against Pebble with its validation delays on (the headline run), apps/hello's cold
    // first request and its ACME requests per order, each against the Go seed's.
    const hello = issuance.issuers.find((i) => i.id === 'hello')
    const seed = issuance.issuers.find((i) => i.id === 'go-seed')
    if (hello && seed) {
      // The mean, not the median: Pebble's validation waits the longest of three draws of 0–4
      // whole seconds, which is ≤ 3 s with probability 0.512, so a median over tens of names
      // lands on 3.x or 4.x s by chance from run to run; the mean (3.2 s + the client's own time)
      // does not jump. The median stays in the report's table.
      relative(
        `Issuance, validation delays on, cold first request, mean of ${issuance.sizes.sequential * issuance.sizes.rounds} names one by one: apps/hello vs ${seed.label}`,
        mean(hello.sequentialMs),
        mean(seed.sequentialMs),
        ms,
        0.8,
        true,
      )
      relative(
        `Issuance, validation delays on, ACME requests per order: apps/hello vs ${seed.label}`,
        median(hello.requestsPerOrder),
        median(seed.requestsPerOrder),
        (n) => n.toFixed(1),
        1.0,
        true,
      )
    }
  }
  if (handshakes) {
    const find = (id: string) => handshakes.servers.find((s) => s.id === id)
    // Issue 16: hello's default worker setting is never slower than 1 worker (on 2 cores the
    // default is 1 worker, so the ratio shows the run's noise; 5 % of it is allowed).
    const pairs: [string, string, number][] = [
      ['hello-1', 'plain', 0.9],
      ['hello-default', 'hello-1', 0.95],
      ['hello-all', 'go-seed', 1.0],
    ]
    for (const [mine, theirs, goal] of pairs) {
      const a = find(mine)
      const b = find(theirs)
      if (!a || !b) continue
      // The load on a shared machine drifts within minutes: compare each round's pair (measured
      // minutes apart at most) and take the median of those ratios.
      const paired = a.fullHandshakeRps.map((x, i) => x / (b.fullHandshakeRps[i] ?? Number.NaN))
      relative(
        `Full handshakes per second: ${a.label} vs ${b.label}`,
        median(a.fullHandshakeRps),
        median(b.fullHandshakeRps),
        rps,
        goal,
        false,
        median(paired.filter(Number.isFinite)),
      )
    }
  }
  if (pinned) checks.push(...checkPinnedBudgets(pinned))
  if (scale) {
    const absolute = (
      budget: string,
      value: number,
      format: (n: number) => string,
      limit: number,
    ): void => {
      checks.push({
        budget,
        figure: format(value),
        baseline: '—',
        value,
        goal: `≤ ${format(limit)}`,
        met: value <= limit,
      })
    }
    for (const { node, many } of scale.nodes) {
      const names = `${many.names.toLocaleString('en-US')} names, Node ${node.major}`
      absolute(`${names}: start to listening`, median(many.listeningMs), ms, 1000)
      absolute(`${names}: RSS after one handshake per name`, median(many.rssBytes), mb, 200e6)
      absolute(
        `${names}: handshake p99, random names${scale.pinned ? ' (pinned)' : ''}`,
        percentile(many.randomHandshakeMs, 99),
        ms,
        10,
      )
    }
  }
  return checks
}
