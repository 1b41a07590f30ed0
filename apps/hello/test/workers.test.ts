import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runHello } from './run-hello.js'

let work: string

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hello-workers-'))
})

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** The ids of the processes holding the listening socket of `port` (from `ss`). */
async function listeners(port: number): Promise<Set<number>> {
  const { stdout } = await promisify(execFile)('ss', ['-ltnpH', `sport = :${port}`])
  return new Set([...stdout.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))
}

describe('workers', () => {
  it.each([
    ['each worker accepts on the listening socket itself (SCHED_NONE)', {}, 2],
    [
      'NODE_CLUSTER_SCHED_POLICY=rr: only the primary holds it',
      { NODE_CLUSTER_SCHED_POLICY: 'rr' },
      0,
    ],
  ] as const)('with WORKERS=2, %s', async (_, extra, workersHolding) => {
    const port = await freePort()
    const app = runHello({
      DOMAINS: 'workers.test',
      ACME_DIRECTORY: 'https://127.0.0.1:9/directory',
      CERTS_DIR: join(work, `certs-${port}`),
      HTTPS_PORT: String(port),
      HTTP_PORT: 'off',
      HOST: '127.0.0.1',
      WORKERS: '2',
      ...extra,
    })
    try {
      await expect
        .poll(() => app.output().split('"msg":"listening"').length - 1, { timeout: 20_000 })
        .toBe(2)
      const holders = await listeners(port)
      const primary = app.child.pid as number
      expect(holders.has(primary)).toBe(true)
      expect([...holders].filter((pid) => pid !== primary)).toHaveLength(workersHolding)
    } finally {
      app.child.kill('SIGTERM')
      await app.exited
    }
  })
})
