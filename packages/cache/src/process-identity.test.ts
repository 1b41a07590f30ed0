import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  isProcessGone,
  isTaggedProcessGone,
  processIdentity,
  processTag,
} from './process-identity.js'

const onLinux = process.platform === 'linux' && processIdentity().space !== ''

describe.runIf(onLinux)('process identity', () => {
  it('this process is not gone, by identity or by tag', () => {
    const self = processIdentity()
    expect(self.pid).toBe(process.pid)
    expect(self.start).toMatch(/^[0-9]+$/)
    expect(isProcessGone(self)).toBe(false)
    expect(isTaggedProcessGone(processTag())).toBe(false)
  })

  it('a process that exited is gone; its pid with another start time (reuse) is gone too', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' })
    await new Promise((resolve) => child.once('spawn', resolve))
    const pid = child.pid ?? 0
    const { space } = processIdentity()
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? ''
    expect(isProcessGone({ pid, start, space })).toBe(false)
    expect(isProcessGone({ pid, start: `${start}0`, space })).toBe(true)
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
    expect(isProcessGone({ pid, start, space })).toBe(true)
  })

  it('never judges a process of another pid space, one without start time, or a malformed tag', () => {
    const { space } = processIdentity()
    expect(isProcessGone({ pid: 999_999, start: '1', space: `other/${space}` })).toBe(false)
    expect(isProcessGone({ pid: 999_999, start: '', space })).toBe(false)
    const [ownSpace] = processTag().split('-')
    expect(isTaggedProcessGone(`${ownSpace}-999999-1`)).toBe(true)
    expect(isTaggedProcessGone('0123456789abcdef-999999-1')).toBe(false)
    expect(isTaggedProcessGone(`${ownSpace}-999999-`)).toBe(false)
    for (const tag of ['', 'x', 'garbage', `${ownSpace}-0-1`, `${ownSpace}--1`]) {
      expect(isTaggedProcessGone(tag), tag).toBe(false)
    }
  })
})
