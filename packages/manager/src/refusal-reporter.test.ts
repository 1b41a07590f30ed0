import { describe, expect, it } from 'vitest'
import { ManagerError } from './errors.js'
import { zeroCounters } from './manager-counters.js'
import type { ManagerEvent } from './manager-event.js'
import { RefusalReporter } from './refusal-reporter.js'

function setup(): {
  reporter: RefusalReporter
  lines: string[]
  events: ManagerEvent[]
  counters: ReturnType<typeof zeroCounters>
  tick(ms: number): void
} {
  let now = 0
  const lines: string[] = []
  const events: ManagerEvent[] = []
  const counters = zeroCounters()
  const log = (fields: Record<string, unknown>, message: string): void => {
    lines.push(`${message} ${JSON.stringify(fields)}`)
  }
  const reporter = new RefusalReporter({
    logger: { debug() {}, info() {}, warn: log, error: log },
    intervalMs: 60_000,
    now: () => now,
    counters,
    emit: (event) => events.push(event),
  })
  return { reporter, lines, events, counters, tick: (ms) => (now += ms) }
}

const notAllowed = new ManagerError('ERR_MANAGER_HOST_NOT_ALLOWED', 'not allowed')

describe('RefusalReporter', () => {
  it('counts and emits every refusal, and warns once per name per interval with the reason and the fix', () => {
    const { reporter, lines, events, counters, tick } = setup()
    for (let i = 0; i < 1000; i++) reporter.report('not-allowed.test', notAllowed)
    expect(counters.refused).toBe(1000)
    expect(events).toHaveLength(1000)
    expect(events[0]).toMatchObject({
      type: 'refused',
      name: 'not-allowed.test',
      reason: 'not-allowed',
    })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/not allowed by the host policy; add it to hosts if it is yours/)
    tick(60_000)
    reporter.report('not-allowed.test', notAllowed)
    expect(lines).toHaveLength(2)
  })

  it('writes at most 20 lines per interval across distinct names, then says how many it left out', () => {
    const { reporter, lines, tick } = setup()
    for (let i = 0; i < 500; i++) reporter.report(`n${i}.evil`, notAllowed)
    expect(lines).toHaveLength(20)
    tick(60_000)
    reporter.report('again.evil', notAllowed)
    expect(lines.at(-1)).toMatch(/"notLogged":480/)
  })

  it('names the reason of each kind of refusal', () => {
    const { reporter, events } = setup()
    reporter.report(null, new ManagerError('ERR_MANAGER_INVALID_NAME', 'none'))
    reporter.report('..', new ManagerError('ERR_MANAGER_INVALID_NAME', 'bad'))
    reporter.report('a.test', new ManagerError('ERR_MANAGER_OVER_BUDGET', 'spent'))
    reporter.report('b.test', new ManagerError('ERR_MANAGER_RECENT_FAILURE', 'failed'))
    expect(events.map((e) => (e.type === 'refused' ? e.reason : e.type))).toEqual([
      'no-server-name',
      'invalid-name',
      'over-budget',
      'no-certificate',
    ])
  })
})
