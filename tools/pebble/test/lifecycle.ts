import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import { httpsRequest, startPebble } from '../src/index.js'

/** True while a process with this pid exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^\d+ \(.*\) Z/.test(stat)
  } catch {
    return false
  }
}

/** Start, fetch the directory trusting only the generated CA, read the counter, stop. */
export async function checkLifecycle(): Promise<void> {
  const pebble = await startPebble()
  const pids = pebble.pids()
  try {
    expect(pids).toHaveLength(2)
    for (const pid of pids) expect(alive(pid)).toBe(true)

    const res = await httpsRequest(pebble.directoryUrl, pebble.caPem)
    expect(res.status).toBe(200)
    const directory = JSON.parse(res.body) as Record<string, unknown>
    expect(directory.newOrder).toMatch(/^https:\/\/localhost:\d+\//)

    // The system trust store does not know the generated CA: trusting nothing else fails.
    await expect(fetch(pebble.directoryUrl)).rejects.toThrow()

    expect(pebble.orderCount()).toBe(0)
    const roots = await pebble.roots()
    expect(roots[0]).toMatch(/^-----BEGIN CERTIFICATE-----/)
  } finally {
    await pebble.stop()
  }
  for (const pid of pids) expect(alive(pid)).toBe(false)
}
