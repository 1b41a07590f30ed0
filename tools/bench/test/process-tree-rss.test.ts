import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { processTreeRss } from '../src/process-tree-rss.js'

describe('processTreeRss', () => {
  it('adds up a process and its descendants (a cluster primary and its workers)', async () => {
    // A parent node process that starts a child node process and tells us the child's pid.
    const parent = spawn(
      process.execPath,
      [
        '-e',
        `const c = require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
         console.log(c.pid); setTimeout(() => {}, 30000)`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let childPid = 0
    try {
      childPid = Number(
        await new Promise<string>((resolve) =>
          parent.stdout.once('data', (d) => resolve(String(d))),
        ),
      )
      const { total, processes } = await processTreeRss(parent.pid as number)
      expect(processes.map((p) => p.pid)).toEqual([parent.pid, childPid])
      const [own, child] = processes
      expect(own?.rss).toBeGreaterThan(2 ** 20)
      expect(child?.rss).toBeGreaterThan(2 ** 20)
      expect(total).toBe((own?.rss ?? 0) + (child?.rss ?? 0))
    } finally {
      if (childPid > 0) process.kill(childPid, 'SIGKILL')
      parent.kill('SIGKILL')
    }
  })
})
