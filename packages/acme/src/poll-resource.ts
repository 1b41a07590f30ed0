import { type PollSchedule, pollDelay } from './backoff.js'
import type { Deadline } from './deadline.js'
import { type PollWaker, WAKE_QUIET_MS } from './poll-waker.js'
import { parseRetryAfter } from './retry-after.js'

/** What a poll loop needs to know about the resource it polls. */
export interface PollPlan<T> {
  parse(body: unknown): T
  done(value: T): boolean
  /** The schedule after seeing `value` (`undefined`: before the first poll). */
  schedule(value: T | undefined): PollSchedule
  /** Wait before the first poll; poll at once when absent. */
  firstWaitMs?: number
  waker?: PollWaker
}

/** How a poll loop reaches the CA and the clock. */
export interface PollDeps {
  now(): number
  random(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** One POST-as-GET: the parsed JSON body and the Retry-After header. */
  fetch(url: string): Promise<{ body: unknown; retryAfter: string | null }>
}

/**
 * Polls `url` until `plan.done`: each wait is the server's Retry-After when it sent one, else the
 * plan's schedule; never two polls closer than the schedule's floor. A waker cuts a wait short:
 * the poll then follows {@link WAKE_QUIET_MS} after the last wake-up. Internal to the package.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.5.1
 */
export async function pollResource<T>(
  url: string,
  deadline: Deadline,
  plan: PollPlan<T>,
  deps: PollDeps,
): Promise<T> {
  let wait = plan.firstWaitMs
  let schedule = plan.schedule(undefined)
  let lastPoll: number | undefined
  let seenWakes = 0
  for (let step = wait === undefined ? 0 : 1; ; step++) {
    if (wait !== undefined) {
      await waitToPoll(url, wait, { schedule, lastPoll, seenWakes, deadline, plan, deps })
    }
    seenWakes = plan.waker?.wakes ?? 0
    lastPoll = deps.now()
    const { body, retryAfter } = await deps.fetch(url)
    const value = plan.parse(body)
    if (plan.done(value)) return value
    schedule = plan.schedule(value)
    const asked = parseRetryAfter(retryAfter, deps.now())
    wait =
      asked === undefined
        ? pollDelay(step, schedule, deps.random)
        : Math.max(schedule.floorMs, asked)
  }
}

/** Sleeps `ms`, or from a wake-up until {@link WAKE_QUIET_MS} pass without another one. */
async function waitToPoll<T>(
  url: string,
  ms: number,
  at: {
    schedule: PollSchedule
    lastPoll: number | undefined
    seenWakes: number
    deadline: Deadline
    plan: PollPlan<T>
    deps: PollDeps
  },
): Promise<void> {
  const { deadline, plan, deps } = at
  if (ms > deadline.remaining()) throw deadline.error(`polling ${url}`)
  const waker = plan.waker
  let woken = waker !== undefined && waker.wakes > at.seenWakes
  let remaining = ms
  for (;;) {
    if (woken) {
      const sinceLast =
        at.lastPoll === undefined ? Number.POSITIVE_INFINITY : deps.now() - at.lastPoll
      remaining = Math.max(WAKE_QUIET_MS, at.schedule.floorMs - sinceLast)
    }
    const wake = new AbortController()
    const unsubscribe = waker?.subscribe(() => wake.abort()) ?? (() => {})
    try {
      await deps.sleep(remaining, AbortSignal.any([deadline.signal, wake.signal]))
      return
    } catch (cause) {
      if (deadline.signal.aborted || !wake.signal.aborted) {
        throw deadline.error(`polling ${url}`, cause)
      }
      woken = true
    } finally {
      unsubscribe()
    }
  }
}
