import { createHttpsFetch } from '@autotls/acme'
import { certificateKey, lockName } from '@autotls/cache'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { createManager } from '../src/manager.js'
import { CountingStore, type Env, handshake, memoryLogger, startEnv } from './helpers/env.js'

// The CA's directory answers slowly the first time, so the ACME client and account are still
// being created when the first caller gives up.
let env: Env
let server: ManagedServer
let transport: ReturnType<typeof createHttpsFetch> | undefined
let directoryDelays = 1

async function slowDirectory(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  transport ??= createHttpsFetch({ caPem: env.pebble.caPem })
  if (String(input) === env.pebble.directoryUrl && directoryDelays > 0) {
    directoryDelays--
    await new Promise((resolve) => setTimeout(resolve, 600))
  }
  return transport(String(input), init ?? {})
}

beforeAll(async () => {
  env = await startEnv({}, { keyTypes: ['ec-p256'], fetch: slowDirectory })
  server = env.manager.createServer()
  await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
})

afterAll(async () => {
  await env?.manager.close()
  await env?.pebble.stop()
})

describe('shared work runs under the manager’s lifetime', () => {
  it('a first caller aborting (while the ACME account is being created) does not fail a concurrent second caller, and records no failure for either name', async () => {
    const first = env.manager.secureContext('first.test', 'ec-p256', {
      signal: AbortSignal.timeout(100),
    })
    const second = env.manager.secureContext('second.test', 'ec-p256')
    await expect(first).rejects.toMatchObject({ code: 'ERR_MANAGER_ABORTED' })
    await expect(second).resolves.toBeDefined()
    expect(env.events.filter((e) => e.type === 'failed')).toEqual([])
    expect(env.manager.counters().failed).toBe(0)
    // The first caller's name was not marked as failed either: its issuance went on.
    const cert = await handshake(env.pebble.tlsPort, 'first.test', { ca: env.roots })
    expect(cert.subjectaltname).toBe('DNS:first.test')
    expect(
      env.events
        .filter((e) => e.type === 'obtained')
        .map((e) => e.name)
        .sort(),
    ).toEqual(['first.test', 'second.test'])
  })

  it('close() during an issuance aborts it and releases its cache lock: another process takes the lock at once', async () => {
    const store = new CountingStore()
    let orderSeen: () => void = () => {}
    const ordering = new Promise<void>((resolve) => {
      orderSeen = resolve
    })
    const hanging = createManager({
      hosts: ['held-lock.test'],
      cache: store,
      directoryUrl: env.pebble.directoryUrl,
      caPem: env.pebble.caPem,
      acceptTerms: true,
      challenges: ['tls-alpn-01'],
      keyTypes: ['ec-p256'],
      logger: memoryLogger(),
      // The CA never answers the new order (Pebble's /order-plz): the issuance holds its lock.
      fetch: async (input, init) => {
        transport ??= createHttpsFetch({ caPem: env.pebble.caPem })
        if (String(input).endsWith('/order-plz')) {
          orderSeen()
          return new Promise<Response>((_, reject) =>
            init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
          )
        }
        return transport(String(input), init ?? {})
      },
    })
    const waiting = hanging.secureContext('held-lock.test').catch((error: unknown) => error)
    await ordering
    await hanging.close()
    expect(await waiting).toMatchObject({ code: 'ERR_MANAGER_CLOSED' })
    const lease = await store.inner.lock(lockName(certificateKey('held-lock.test', 'ec-p256')), {
      ttlMs: 60_000,
      signal: AbortSignal.timeout(1000),
    })
    await lease.release()
  })
})
