import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { processIdentity } from '@autotls/cache/backend'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dirCache } from '../src/index.js'
import { lockPath } from '../src/key-path.js'
import { exited, ready, startFixture } from './child.js'

const NAME = 'v1/locks/certs/example.com/ecdsa-p256'
/** The lease TTL of these tests: far above what any of them may wait. */
const TTL = 60_000

/** Resolves the token once the child prints `locked <token>`. */
function locked(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /^locked (\d+)$/m.exec(out)
      if (match?.[1]) resolve(match[1])
    })
    child.once('exit', (code, signal) => reject(new Error(`exited (${code ?? signal}) unlocked`)))
  })
}

function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? ''
}

const onLinux = process.platform === 'linux' && processIdentity().space !== ''

describe.runIf(onLinux)('dirCache: a dead lock holder on this host', () => {
  let base: string
  let sleeper: ChildProcess

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'autotls-dead-'))
    sleeper = spawn('sleep', ['600'], { stdio: 'ignore' })
  })

  afterAll(async () => {
    sleeper.kill('SIGKILL')
    await rm(base, { recursive: true, force: true })
  })

  it('a holder killed with SIGKILL: a waiting process holds the lock within 2 s, with the next token', async () => {
    const dir = join(base, 'kill')
    const holder = startFixture('lock-holder.ts', [dir, NAME, String(TTL)])
    const deadToken = await locked(holder)
    const waiter = startFixture('lock-holder.ts', [dir, NAME, String(TTL)])
    try {
      await ready(waiter)
      const taken = locked(waiter)
      // The waiter is polling a live holder's lock and must not get it.
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(waiter.exitCode).toBeNull()
      const killedAt = performance.now()
      holder.kill('SIGKILL')
      const token = await taken
      const waitedMs = performance.now() - killedAt
      console.log(
        `SIGKILLed holder (TTL ${TTL} ms): the waiting process held the lock after ${waitedMs.toFixed(0)} ms`,
      )
      expect(waitedMs).toBeLessThan(2000)
      expect(BigInt(token)).toBe(BigInt(deadToken) + 1n)
    } finally {
      holder.kill('SIGKILL')
      waiter.kill('SIGKILL')
      await Promise.all([exited(holder), exited(waiter)])
    }
  })

  async function recordHolder(dir: string, record: Record<string, unknown>): Promise<void> {
    const lockDir = join(dir, ...lockPath(dir, NAME))
    await mkdir(lockDir, { recursive: true })
    const expiresAt = Date.now() + TTL
    await writeFile(join(lockDir, '7'), JSON.stringify({ id: 'recorded', expiresAt, ...record }))
  }

  it('a live process with the recorded pid and start time counts as the holder: no takeover before the TTL', async () => {
    const dir = join(base, 'alive')
    const pid = sleeper.pid ?? 0
    await recordHolder(dir, { ...processIdentity(), pid, start: startTime(pid), host: hostname() })
    const store = dirCache({ dir })
    const waiting = store.lock(NAME, { ttlMs: TTL, signal: AbortSignal.timeout(500) })
    await expect(waiting).rejects.toMatchObject({ name: 'TimeoutError' })
    await store.close()
  })

  it('a reused pid (a live unrelated process with another start time) does not keep a dead holder alive', async () => {
    const dir = join(base, 'reused')
    const pid = sleeper.pid ?? 0
    const start = String(Number(startTime(pid)) - 1)
    await recordHolder(dir, { ...processIdentity(), pid, start, host: hostname() })
    const store = dirCache({ dir })
    const lease = await store.lock(NAME, { ttlMs: TTL, signal: AbortSignal.timeout(2000) })
    expect(lease.token).toBe('8')
    await store.close()
  })

  it('a holder recorded from another pid space (host or container) is left to its TTL', async () => {
    const dir = join(base, 'elsewhere')
    const space = `another-boot/${processIdentity().space}`
    await recordHolder(dir, { pid: 999_999, start: '12345', space, host: 'elsewhere' })
    const store = dirCache({ dir })
    const waiting = store.lock(NAME, { ttlMs: TTL, signal: AbortSignal.timeout(500) })
    await expect(waiting).rejects.toMatchObject({ name: 'TimeoutError' })
    await store.close()
  })

  it('close() releases held locks at once: another store takes the lock without waiting', async () => {
    const dir = join(base, 'close')
    const first = dirCache({ dir })
    const lease = await first.lock(NAME, { ttlMs: TTL })
    const second = dirCache({ dir })
    const waiting = second.lock(NAME, { ttlMs: TTL, signal: AbortSignal.timeout(5000) })
    await first.close()
    expect(BigInt((await waiting).token)).toBe(BigInt(lease.token) + 1n)
    await second.close()
  })
})
