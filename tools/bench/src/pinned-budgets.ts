import type { BudgetCheck } from './budgets.js'
import type { PinnedHandshakeResult, PinnedServerFigures } from './pinned-handshake-bench.js'
import { pairedRatio } from './render-pinned-handshakes.js'
import { median } from './stats.js'

const rate = (value: number): string => `${value.toFixed(0)}/s`

/**
 * Checks the pinned run against issue 16's budgets, each a median of per-round paired ratios:
 * apps/hello (1 worker) ≥ 0.95× plain `node:https` of the same Node per core, with the Go client
 * at every connection count; keep-alive requests ≥ 0.95× plain Node; on Node 24, ≥ 0.9× the Go
 * seed per core at the largest connection count. Budgets whose servers did not run are left out.
 *
 * @example
 * const checks = [...checkBudgets(results), ...(results.pinned ? checkPinnedBudgets(results.pinned) : [])]
 */
export function checkPinnedBudgets(result: PinnedHandshakeResult): BudgetCheck[] {
  const checks: BudgetCheck[] = []
  const check = (
    budget: string,
    mine: PinnedServerFigures,
    theirs: PinnedServerFigures,
    loadId: string,
    goal: number,
  ): void => {
    const a = mine.perSecond[loadId] ?? []
    const b = theirs.perSecond[loadId] ?? []
    const value = pairedRatio(a, b)
    checks.push({
      budget,
      figure: rate(median(a)),
      baseline: rate(median(b)),
      value,
      goal: `≥ ${goal.toFixed(2)}×`,
      met: value >= goal,
    })
  }
  const seed = result.servers.find((s) => s.kind === 'go-seed')
  const most = Math.max(...result.sizes.connections)
  for (const hello of result.servers.filter((s) => s.kind === 'hello')) {
    const major = hello.node?.major
    const plain = result.servers.find((s) => s.kind === 'plain' && s.node?.major === major)
    if (plain) {
      for (const c of result.sizes.connections) {
        check(
          `Pinned full handshakes, Go client, ${c} connections, Node ${major}: ${hello.label} vs ${plain.label}`,
          hello,
          plain,
          `go-full-c${c}`,
          0.95,
        )
      }
      check(
        `Pinned keep-alive requests, ${most} connections, Node ${major}: ${hello.label} vs ${plain.label}`,
        hello,
        plain,
        `h2load-keepalive-c${most}`,
        0.95,
      )
    }
    if (seed && major === 24) {
      check(
        `Pinned full handshakes, Go client, ${most} connections: ${hello.label} vs ${seed.label}`,
        hello,
        seed,
        `go-full-c${most}`,
        0.9,
      )
    }
  }
  return checks
}
