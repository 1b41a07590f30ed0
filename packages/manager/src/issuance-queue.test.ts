import { describe, expect, it } from 'vitest'
import { IssuanceQueue } from './issuance-queue.js'

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {}
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

describe('IssuanceQueue', () => {
  it('runs at most `limit` jobs at once and starts waiting ones first come, first served', async () => {
    const queue = new IssuanceQueue(2)
    const gates = Array.from({ length: 5 }, deferred)
    const started: number[] = []
    const done = gates.map((gate, i) =>
      queue.run(async () => {
        started.push(i)
        await gate.promise
        return i
      }),
    )
    await Promise.resolve()
    expect(started).toEqual([0, 1])
    expect(queue.waiting).toBe(3)
    gates[1]?.resolve()
    await done[1]
    await Promise.resolve()
    expect(started).toEqual([0, 1, 2])
    for (const gate of gates) gate.resolve()
    expect(await Promise.all(done)).toEqual([0, 1, 2, 3, 4])
    expect(started).toEqual([0, 1, 2, 3, 4])
    expect(queue.running).toBe(0)
  })

  it('frees the turn of a job that throws', async () => {
    const queue = new IssuanceQueue(1)
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await queue.run(async () => 'next')).toBe('next')
    expect(queue.running).toBe(0)
  })

  it('a waiting job whose signal aborts leaves the line and never runs', async () => {
    const queue = new IssuanceQueue(1)
    const gate = deferred()
    const first = queue.run(() => gate.promise)
    const controller = new AbortController()
    let ran = false
    const second = queue.run(async () => {
      ran = true
    }, controller.signal)
    controller.abort(new Error('handshake gone'))
    await expect(second).rejects.toThrow('handshake gone')
    expect(queue.waiting).toBe(0)
    gate.resolve()
    await first
    expect(ran).toBe(false)
    expect(queue.running).toBe(0)
  })

  it('refuses a limit below one', () => {
    expect(() => new IssuanceQueue(0)).toThrow(RangeError)
  })
})
