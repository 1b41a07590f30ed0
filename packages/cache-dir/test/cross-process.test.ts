import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exited, ready, startFixture } from './child.js'

const ROUNDS = 50

describe('dirCache locks across processes', () => {
  let base: string

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'autotls-xproc-'))
  })

  afterAll(async () => {
    await rm(base, { recursive: true, force: true })
  })

  it(`two processes contending ${ROUNDS} times each never overlap in the critical section`, async () => {
    const dir = join(base, 'cache')
    const log = join(base, 'log')
    const go = join(base, 'go')
    await writeFile(log, '')
    const children = ['a', 'b'].map((id) =>
      startFixture('contender.ts', [dir, log, go, id, String(ROUNDS)]),
    )
    try {
      await Promise.all(children.map(ready))
      await writeFile(go, '')
      expect(await Promise.all(children.map(exited))).toEqual([0, 0])
    } finally {
      for (const child of children) child.kill('SIGKILL')
    }

    const lines = (await readFile(log, 'utf8')).trim().split('\n')
    expect(lines).toHaveLength(ROUNDS * 4)
    let open: string | undefined
    let lastToken = 0n
    let switches = 0
    let lastHolder: string | undefined
    for (const line of lines) {
      const [marker, id, token] = line.split(' ')
      if (marker === 'start') {
        expect(open, `"${line}" while ${open} is inside`).toBeUndefined()
        open = `${id} ${token}`
        const fence = BigInt(token ?? '0')
        expect(fence > lastToken, `fencing token ${fence} after ${lastToken}`).toBe(true)
        lastToken = fence
        if (lastHolder !== undefined && lastHolder !== id) switches++
        lastHolder = id
      } else {
        expect(`${id} ${token}`).toBe(open)
        open = undefined
      }
    }
    expect(open).toBeUndefined()
    // The processes really contended: the lock passed between them many times.
    expect(switches).toBeGreaterThanOrEqual(3)
  })
})
