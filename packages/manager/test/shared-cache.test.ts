import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { dirCache } from '@autotls/cache-dir'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { createManager, type Manager } from '../src/manager.js'
import type { ManagerEvent } from '../src/manager-event.js'
import { handshake, memoryLogger } from './helpers/env.js'

let pebble: Pebble
let roots: string[]
let dir: string

beforeAll(async () => {
  pebble = await startPebble({ nonceRejectPercent: 0 })
  roots = await pebble.roots()
  dir = await mkdtemp(join(tmpdir(), 'autotls-manager-dir-'))
})

afterAll(async () => {
  await pebble?.stop()
  await rm(dir, { recursive: true, force: true })
})

/** A manager on the dir cache, its server listening on Pebble's tls-alpn-01 port. */
async function serve(
  events: ManagerEvent[] = [],
): Promise<{ manager: Manager; server: ManagedServer; close(): Promise<void> }> {
  const cache = dirCache({ dir })
  const manager = createManager({
    hosts: (name) => name.endsWith('.test'),
    cache,
    directoryUrl: pebble.directoryUrl,
    caPem: pebble.caPem,
    acceptTerms: true,
    keyTypes: ['ec-p256'],
    logger: memoryLogger(),
    onEvent: (event) => events.push(event),
  })
  const server = manager.createServer()
  await new Promise<void>((resolve) => server.listen(pebble.tlsPort, '127.0.0.1', resolve))
  return {
    manager,
    server,
    close: async () => {
      await manager.close()
      await cache.close()
    },
  }
}

function startReplica(names: string[]): {
  child: ChildProcessWithoutNullStreams
  output: () => string
  waitFor(text: string): Promise<void>
} {
  const script = fileURLToPath(new URL('./fixtures/replica.ts', import.meta.url))
  const child = spawn(
    process.execPath,
    ['--conditions=@autotls/source', '--import', 'tsx', script],
    {
      env: {
        ...process.env,
        REPLICA_CONFIG: JSON.stringify({
          dir,
          directoryUrl: pebble.directoryUrl,
          caPem: pebble.caPem,
          names,
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
    output: () => out,
    waitFor: (text) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (out.includes(text)) resolve()
          else if (child.exitCode !== null) reject(new Error(`replica exited: ${out}`))
          else setTimeout(check, 20)
        }
        check()
      }),
  }
}

describe('processes sharing a dir cache', () => {
  it('a restart on the same dir cache makes zero new orders and serves the same certificate', async () => {
    const first = await serve()
    const before = await handshake(pebble.tlsPort, 'restart.test', { ca: roots })
    await first.close()
    const orders = pebble.orderCount()
    const second = await serve()
    try {
      const after = await handshake(pebble.tlsPort, 'restart.test', { ca: roots })
      expect(after.serialNumber).toBe(before.serialNumber)
      expect(pebble.orderCount()).toBe(orders)
    } finally {
      await second.close()
    }
  })

  it('a replica that serves nothing obtains a certificate: this process answers its tls-alpn-01 challenge from the cache', async () => {
    const events: ManagerEvent[] = []
    const front = await serve(events)
    const replica = startReplica(['replica.test'])
    try {
      await replica.waitFor('READY')
      const orders = pebble.orderCount()
      replica.child.stdin.write('go\n')
      await replica.waitFor('DONE')
      expect(replica.output()).toContain('EVENT obtained replica.test false')
      expect(pebble.orderCount()).toBe(orders + 1)
      // This process then serves the replica's certificate from the cache without an order.
      await handshake(pebble.tlsPort, 'replica.test', { ca: roots })
      expect(pebble.orderCount()).toBe(orders + 1)
      expect(events).toEqual([])
    } finally {
      replica.child.kill()
      await front.close()
    }
  })

  it('two processes wanting the same new name at once make one order (cache lock), the other adopts it', async () => {
    const events: ManagerEvent[] = []
    const front = await serve(events)
    const replica = startReplica(['shared.test'])
    try {
      await replica.waitFor('READY')
      const orders = pebble.orderCount()
      replica.child.stdin.write('go\n')
      const cert = await handshake(pebble.tlsPort, 'shared.test', { ca: roots })
      await replica.waitFor('DONE')
      expect(cert.subjectaltname).toBe('DNS:shared.test')
      expect(pebble.orderCount()).toBe(orders + 1)
      const adopted = [
        replica.output().includes('EVENT obtained shared.test true'),
        events.some((e) => e.type === 'obtained' && e.adopted),
      ]
      expect(adopted.filter(Boolean)).toHaveLength(1)
    } finally {
      replica.child.kill()
      await front.close()
    }
  })
})
