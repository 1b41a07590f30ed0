import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { RedisServerError, startRedis } from '../src/index.js'

/** True while a process with this pid exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

/** Sends one inline command and resolves the first reply line (e.g. `+PONG`). */
function command(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let reply = ''
    socket.setEncoding('utf8')
    socket.once('connect', () => socket.write(`${line}\r\n`))
    socket.on('data', (chunk: string) => {
      reply += chunk
      const end = reply.indexOf('\r\n')
      if (end >= 0) {
        socket.end()
        resolve(reply.slice(0, end))
      }
    })
    socket.once('error', reject)
  })
}

const NEVER_READY = fileURLToPath(new URL('./fixtures/never-ready.sh', import.meta.url))

async function waitUntilGone(pid: number): Promise<void> {
  const deadline = Date.now() + 5000
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
}

describe('startRedis', () => {
  it('serves on a free loopback port and tells its url', async () => {
    const redis = await startRedis()
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`)
      expect(await command(redis.port, 'PING')).toBe('+PONG')
    } finally {
      await redis.close()
    }
  })

  it('stop() kills it like a crash, start() brings it back on the same port and empty', async () => {
    const redis = await startRedis()
    try {
      expect(await command(redis.port, 'SET k v')).toBe('+OK')
      const pid = redis.pid() as number
      await redis.stop()
      expect(alive(pid)).toBe(false)
      expect(redis.pid()).toBeUndefined()
      await expect(command(redis.port, 'PING')).rejects.toMatchObject({ code: 'ECONNREFUSED' })
      await redis.start()
      expect(redis.pid()).not.toBe(pid)
      expect(await command(redis.port, 'GET k')).toBe('$-1')
    } finally {
      await redis.close()
    }
  })

  it('start() while running fails with ERR_REDIS_RUNNING; close() twice is fine', async () => {
    const redis = await startRedis()
    const pid = redis.pid() as number
    const error = await redis.start().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RedisServerError)
    expect((error as RedisServerError).code).toBe('ERR_REDIS_RUNNING')
    await redis.close()
    await redis.close()
    expect(alive(pid)).toBe(false)
  })

  it('fails with one clear line when redis-server is missing', async () => {
    const error = await startRedis({ binary: 'redis-server-that-does-not-exist' }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(RedisServerError)
    expect((error as RedisServerError).code).toBe('ERR_REDIS_NOT_FOUND')
    expect((error as Error).message).toBe(
      'redis-server-that-does-not-exist not found: apt-get install -y redis-server',
    )
  })

  it('rejects malformed options with ERR_REDIS_INVALID_OPTION before starting anything', async () => {
    for (const options of [
      null,
      { binary: '' },
      { startTimeoutMs: 0 },
      { startTimeoutMs: Number.NaN },
      { signal: 'soon' },
    ]) {
      const error = await startRedis(options as never).catch((e: unknown) => e)
      expect(error, JSON.stringify(options)).toBeInstanceOf(RedisServerError)
      expect((error as RedisServerError).code).toBe('ERR_REDIS_INVALID_OPTION')
    }
  })

  it('fails with ERR_REDIS_START and the output when redis-server refuses its arguments', async () => {
    // `false` exits at once with status 1, as a redis-server refusing its configuration would.
    const error = await startRedis({ binary: 'false' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RedisServerError)
    expect((error as RedisServerError).code).toBe('ERR_REDIS_START')
    expect((error as Error).message).toMatch(/exited while starting/)
  })

  it('gives up with ERR_REDIS_START after startTimeoutMs when the server never becomes ready', async () => {
    const error = await startRedis({ binary: NEVER_READY, startTimeoutMs: 300 }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(RedisServerError)
    expect((error as RedisServerError).code).toBe('ERR_REDIS_START')
    expect((error as Error).message).toMatch(/did not accept connections .* within 300 ms/)
  })

  it('rejects with the reason when the signal aborts during start-up', async () => {
    const reason = new Error('test over')
    const controller = new AbortController()
    const started = startRedis({ binary: NEVER_READY, signal: controller.signal })
    setTimeout(() => controller.abort(reason), 100)
    await expect(started).rejects.toBe(reason)
  })

  it('leaves no redis-server behind when the test process is killed with SIGKILL', async () => {
    const script = fileURLToPath(new URL('./fixtures/start-and-wait.ts', import.meta.url))
    const child = spawn(
      process.execPath,
      ['--conditions=@autotls/source', '--import', 'tsx', script],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    ).on('error', () => {})
    const pid = await new Promise<number>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const line = /^PID (\d+)$/m.exec(out)
        if (line?.[1]) resolve(Number(line[1]))
      })
      child.once('exit', (code) => reject(new Error(`child exited ${code}: ${out}`)))
    })
    expect(alive(pid)).toBe(true)
    child.kill('SIGKILL')
    await waitUntilGone(pid)
    expect(alive(pid)).toBe(false)
  })
})
