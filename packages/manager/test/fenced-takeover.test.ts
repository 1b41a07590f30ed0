import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { certificateKey } from '@autotls/cache'
import { type RedisCache, redisCache } from '@autotls/cache-redis'
import { splitPem } from '@autotls/crypto'
import { type Pebble, startPebble } from '@autotls/pebble'
import { type RedisServer, startRedis } from '@autotls/redis-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createManager, type Manager } from '../src/manager.js'
import type { ManagerEvent } from '../src/manager-event.js'
import { handshake, memoryLogger } from './helpers/env.js'

const NAME = 'fenced.test'
const LOCK_TTL_MS = 3000
let pebble: Pebble
let redis: RedisServer
let cache: RedisCache
let second: Manager
const events: ManagerEvent[] = []

beforeAll(async () => {
  pebble = await startPebble({ nonceRejectPercent: 0 })
  redis = await startRedis()
  cache = redisCache({ url: redis.url })
  // The second replica: it also answers every tls-alpn-01 validation (from the shared cache).
  second = createManager({
    hosts: [NAME],
    cache,
    directoryUrl: pebble.directoryUrl,
    caPem: pebble.caPem,
    acceptTerms: true,
    keyTypes: ['ec-p256'],
    lockTtlMs: LOCK_TTL_MS,
    logger: memoryLogger(),
    onEvent: (event) => events.push(event),
  })
  const server = second.createServer()
  await new Promise<void>((resolve) => server.listen(pebble.tlsPort, '127.0.0.1', resolve))
})

afterAll(async () => {
  await second?.close()
  await cache?.close()
  await redis?.stop()
  await pebble?.stop()
})

function startReplica(): {
  child: ChildProcessWithoutNullStreams
  waitFor(text: string): Promise<string>
} {
  const script = fileURLToPath(new URL('./fixtures/redis-replica.ts', import.meta.url))
  const child = spawn(
    process.execPath,
    ['--conditions=@autotls/source', '--import', 'tsx', script],
    {
      env: {
        ...process.env,
        REPLICA_CONFIG: JSON.stringify({
          redisUrl: redis.url,
          directoryUrl: pebble.directoryUrl,
          caPem: pebble.caPem,
          name: NAME,
          lockTtlMs: LOCK_TTL_MS,
          holdPutMs: 500,
        }),
      },
    },
  )
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  return {
    child,
    waitFor: (text) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (out.includes(text)) resolve(out)
          else if (child.exitCode !== null) reject(new Error(`replica exited: ${out}`))
          else setTimeout(check, 20)
        }
        check()
      }),
  }
}

/** The serial (upper-case hex, as Node prints it) of the leaf stored in the cache for NAME. */
async function storedSerial(): Promise<string> {
  const bytes = await cache.get(certificateKey(NAME, 'ec-p256'))
  const leaf = splitPem(new TextDecoder().decode(bytes ?? new Uint8Array())).find((block) =>
    block.startsWith('-----BEGIN CERTIFICATE-----'),
  )
  const { X509Certificate } = await import('node:crypto')
  return new X509Certificate(leaf ?? '').serialNumber
}

describe('fenced writes with a real redis-server (issue 13)', () => {
  it('a holder paused past its lease mid-issuance is refused on resume, and every replica serves the certificate of the holder that took over', async () => {
    const first = startReplica()
    await first.waitFor('READY')
    first.child.stdin.write('go\n')
    await first.waitFor('PUTTING')
    first.child.kill('SIGSTOP')
    try {
      // The first holder's lease expires in Redis; the second replica takes the lock and stores.
      await new Promise((resolve) => setTimeout(resolve, LOCK_TTL_MS + 1000))
      await second.manage([NAME])
      expect(events.at(-1)).toMatchObject({ type: 'obtained', name: NAME, adopted: false })
    } finally {
      first.child.kill('SIGCONT')
    }
    const out = await first.waitFor('SERVES')
    expect(out).toContain('PUT REFUSED ERR_CACHE_STALE_LEASE')
    expect(out).toContain(`EVENT obtained ${NAME} true`)
    const winner = await storedSerial()
    expect(out).toContain(`SERVES ${winner}`)
    const served = await handshake(pebble.tlsPort, NAME, { ca: await pebble.roots() })
    expect(served.serialNumber).toBe(winner)
    if (first.child.exitCode === null)
      await new Promise((resolve) => first.child.once('exit', resolve))
  }, 60_000)
})
