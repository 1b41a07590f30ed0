import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { processIdentity, processTag } from '@autotls/cache/backend'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dirCache } from '../src/index.js'
import { lockPath } from '../src/key-path.js'
import { exited, startFixture } from './child.js'

const NAME = 'v1/locks/certs/example.com/ecdsa-p256'
const KEY = 'v1/certs/example.com/ecdsa-p256'

function output(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = pattern.exec(out)
      if (match) resolve(match[1] ?? match[0])
    })
    child.once('exit', (code, signal) => reject(new Error(`exited (${code ?? signal}): ${out}`)))
  })
}

function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? ''
}

const onLinux = process.platform === 'linux' && processIdentity().space !== ''

describe.runIf(onLinux)('dirCache fenced writes across processes', () => {
  let base: string
  let sleeper: ChildProcess

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'autotls-fenced-'))
    sleeper = spawn('sleep', ['600'], { stdio: 'ignore' })
  })

  afterAll(async () => {
    sleeper.kill('SIGKILL')
    await rm(base, { recursive: true, force: true })
  })

  it('a holder stopped (SIGSTOP) past its TTL is refused when it resumes: the successor’s value stays', async () => {
    const dir = join(base, 'stopped')
    const go = join(base, 'go-stopped')
    const ttlMs = 1000
    const frozen = startFixture('fenced-writer.ts', [dir, NAME, String(ttlMs), go, KEY, 'frozen'])
    try {
      const frozenToken = await output(frozen, /^locked (\d+)$/m)
      frozen.kill('SIGSTOP')
      const store = dirCache({ dir })
      // A stopped process is alive: the lock frees only when its TTL has passed.
      const startedAt = performance.now()
      const lease = await store.lock(NAME, { ttlMs, signal: AbortSignal.timeout(10_000) })
      expect(performance.now() - startedAt).toBeGreaterThan(ttlMs / 2)
      expect(BigInt(lease.token)).toBe(BigInt(frozenToken) + 1n)
      await store.put(KEY, new TextEncoder().encode('successor'), { lease })
      const outcome = output(frozen, /^(wrote|refused \S+)$/m)
      await writeFile(go, '')
      frozen.kill('SIGCONT')
      expect(await outcome).toBe('refused ERR_CACHE_STALE_LEASE')
      expect(new TextDecoder().decode((await store.get(KEY)) ?? undefined)).toBe('successor')
      await store.close()
    } finally {
      frozen.kill('SIGKILL')
      await exited(frozen)
    }
  })

  async function intent(dir: string, tag: string): Promise<string> {
    const lockDir = join(dir, ...lockPath(dir, NAME))
    await mkdir(lockDir, { recursive: true })
    const name = `.w.${tag}.0123456789ab`
    await writeFile(join(lockDir, name), '')
    return join(lockDir, name)
  }

  it('the intent of a writer that died mid-write is cleared by the next lock(), which does not wait for it', async () => {
    const dir = join(base, 'dead-writer')
    const [space] = processTag().split('-')
    const pid = sleeper.pid ?? 0
    await intent(dir, `${space}-${pid}-${Number(startTime(pid)) - 1}`)
    const store = dirCache({ dir })
    const lease = await store.lock(NAME, { ttlMs: 60_000, signal: AbortSignal.timeout(2000) })
    expect(lease.token).toBe('1')
    const lockDir = join(dir, ...lockPath(dir, NAME))
    expect(await readdir(lockDir)).toEqual(['1'])
    await store.close()
  })

  it('lock() waits for a live writer’s announced write before it resolves', async () => {
    const dir = join(base, 'live-writer')
    const [space] = processTag().split('-')
    const pid = sleeper.pid ?? 0
    const path = await intent(dir, `${space}-${pid}-${startTime(pid)}`)
    const store = dirCache({ dir })
    let resolved = false
    const locking = store.lock(NAME, { ttlMs: 60_000 }).then((lease) => {
      resolved = true
      return lease
    })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(resolved).toBe(false)
    await rm(path)
    expect((await locking).token).toBe('1')
    await store.close()
  })
})
