import { createHttpsFetch } from '@autotls/acme'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { type Env, handshake, startEnv } from './helpers/env.js'

let env: Env
let server: ManagedServer
let badNonces = 0
let transport: ReturnType<typeof createHttpsFetch> | undefined

beforeAll(async () => {
  env = await startEnv({ nonceRejectPercent: 50 }, { keyTypes: ['ec-p256'], fetch: countingFetch })
  server = env.manager.createServer()
  await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
})

/** The real transport, counting the badNonce problems the CA answers with. */
async function countingFetch(url: string | URL | Request, init?: RequestInit): Promise<Response> {
  transport ??= createHttpsFetch({ caPem: env.pebble.caPem })
  const response = await transport(String(url), init ?? {})
  if (response.status === 400 && (await response.clone().text()).includes('badNonce')) badNonces++
  return response
}

afterAll(async () => {
  await env?.manager.close()
  await env?.pebble.stop()
})

describe('a CA refusing half of all nonces (PEBBLE_WFE_NONCEREJECT=50)', () => {
  it('rfc8555 §6.5: 20 names are all obtained, none fails', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `nonce${i}.test`)
    const outcome = await env.manager.manage(names).then(
      () => 'ok',
      (error: Error) => error.message,
    )
    const failures = env.events.flatMap((e) =>
      e.type === 'failed' ? [`${e.name}: ${e.error.message}`] : [],
    )
    expect(failures).toEqual([])
    expect(outcome).toBe('ok')
    expect(env.events.filter((e) => e.type === 'obtained')).toHaveLength(20)
    expect(badNonces).toBeGreaterThan(20)
    for (const name of names) {
      expect((await handshake(env.pebble.tlsPort, name, { ca: env.roots })).subjectaltname).toBe(
        `DNS:${name}`,
      )
    }
  }, 60_000)
})
