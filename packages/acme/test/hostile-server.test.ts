import { generateKeyPair } from '@autotls/crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { AcmeClient, AcmeError, issueCertificate } from '../src/index.js'
import { fakeClock } from './fake-clock.js'
import { type ScriptedServer, startScriptedServer } from './scripted-acme-server.js'

const servers: ScriptedServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function setup(clientOptions: { timeoutMs?: number; useFakeClock?: boolean } = {}) {
  const server = await startScriptedServer({ authzPendingPolls: Number.POSITIVE_INFINITY })
  servers.push(server)
  const clock = fakeClock()
  const client = new AcmeClient({
    directoryUrl: server.directoryUrl,
    accountKey: await generateKeyPair(),
    random: () => 0.5,
    ...(clientOptions.useFakeClock === false ? {} : { now: clock.now, sleep: clock.sleep }),
    ...(clientOptions.timeoutMs === undefined ? {} : { timeoutMs: clientOptions.timeoutMs }),
  })
  return { server, clock, client }
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AcmeError)
  return (error as AcmeError).code
}

const dns = (value: string) => ({ type: 'dns', value }) as const

describe('hostile server answers become typed errors', () => {
  it('invalid JSON in the directory → ERR_ACME_RESPONSE', async () => {
    const { server, client } = await setup()
    server.override('/dir', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"newNonce": ')
    })
    expect(await codeOf(client.directory())).toBe('ERR_ACME_RESPONSE')
  })

  it('a directory served as text/html → ERR_ACME_RESPONSE', async () => {
    const { server, client } = await setup()
    server.override('/dir', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<html>maintenance</html>')
    })
    expect(await codeOf(client.directory())).toBe('ERR_ACME_RESPONSE')
  })

  it('a directory missing newOrder → ERR_ACME_RESPONSE', async () => {
    const { server, client } = await setup()
    server.override('/dir', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ newNonce: 'x', newAccount: 'y' }))
    })
    expect(await codeOf(client.directory())).toBe('ERR_ACME_RESPONSE')
  })

  it('rfc8555 §7.3: a newAccount answer without Location → ERR_ACME_RESPONSE', async () => {
    const { server, client } = await setup()
    server.override('/new-account', (_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ status: 'valid' }))
    })
    expect(await codeOf(client.createAccount({ termsOfServiceAgreed: true }))).toBe(
      'ERR_ACME_RESPONSE',
    )
  })

  it('rfc8555 §7.4: a newOrder answer without Location → ERR_ACME_RESPONSE', async () => {
    const { server, client } = await setup()
    await client.createAccount({ termsOfServiceAgreed: true })
    server.override('/new-order', (_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          status: 'pending',
          identifiers: [dns('a.example')],
          authorizations: [],
          finalize: `${server.base}/finalize/1`,
        }),
      )
    })
    expect(await codeOf(client.newOrder({ identifiers: [dns('a.example')] }))).toBe(
      'ERR_ACME_RESPONSE',
    )
  })

  it('rfc8555 §7.4: an order whose identifiers differ from the request → ERR_ACME_RESPONSE', async () => {
    const { server, client } = await setup()
    await client.createAccount({ termsOfServiceAgreed: true })
    server.override('/new-order', (_req, res) => {
      res.writeHead(201, {
        'content-type': 'application/json',
        location: `${server.base}/order/99`,
      })
      res.end(
        JSON.stringify({
          status: 'pending',
          identifiers: [dns('evil.example')],
          authorizations: [],
          finalize: `${server.base}/finalize/99`,
        }),
      )
    })
    const error = await client
      .newOrder({ identifiers: [dns('a.example')] })
      .catch((e: unknown) => e as AcmeError)
    expect((error as AcmeError).code).toBe('ERR_ACME_RESPONSE')
    expect((error as AcmeError).message).toContain('evil.example')
  })

  it('rfc8555 §7.4.2: a certificate served as application/json → ERR_ACME_RESPONSE', async () => {
    const { server, client } = await setup()
    await client.createAccount({ termsOfServiceAgreed: true })
    server.override('/cert/1', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{}')
    })
    expect(await codeOf(client.downloadCertificate(`${server.base}/cert/1`))).toBe(
      'ERR_ACME_RESPONSE',
    )
  })

  it('a 50 MB body is cut off after the 1 MiB cap, without buffering it', async () => {
    const { server, client } = await setup({ useFakeClock: false })
    let written = 0
    const closed = new Promise<void>((resolve) => {
      server.override('/dir', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        const chunk = Buffer.alloc(64 * 1024, 0x20)
        const pump = (): void => {
          while (written < 50 * 1024 * 1024) {
            written += chunk.length
            if (!res.write(chunk)) return void res.once('drain', pump)
          }
          res.end()
        }
        res.on('close', () => resolve())
        pump()
      })
    })
    const started = performance.now()
    expect(await codeOf(client.directory())).toBe('ERR_ACME_RESPONSE')
    await closed
    expect(performance.now() - started).toBeLessThan(5000)
    expect(written).toBeLessThan(20 * 1024 * 1024)
  })

  it('a declared Content-Length over the cap is refused before reading', async () => {
    const { server, client } = await setup({ useFakeClock: false })
    server.override('/dir', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50e6) })
      res.write('{')
    })
    expect(await codeOf(client.directory())).toBe('ERR_ACME_RESPONSE')
  })

  it('rfc8555 §7.5.1: an authorization that stays pending forever ends at the deadline', async () => {
    const { client, clock } = await setup({ timeoutMs: 60_000 })
    await client.createAccount({ termsOfServiceAgreed: true })
    const order = await client.newOrder({ identifiers: [dns('a.example')] })
    const authzUrl = order.authorizations[0] as string
    const authz = await client.getAuthorization(authzUrl)
    await client.respondToChallenge(authz.challenges[0] as (typeof authz.challenges)[number])
    expect(await codeOf(client.waitForAuthorization(authzUrl))).toBe('ERR_ACME_TIMEOUT')
    const waited = clock.sleeps.reduce((a, b) => a + b, 0)
    expect(waited).toBeLessThanOrEqual(60_000)
    expect(waited).toBeGreaterThan(50_000)
  })

  it('a server that never answers ends at the real deadline, not later', async () => {
    const { server, client } = await setup({ timeoutMs: 300, useFakeClock: false })
    server.override('/dir', () => {})
    const started = performance.now()
    expect(await codeOf(client.directory())).toBe('ERR_ACME_TIMEOUT')
    expect(performance.now() - started).toBeLessThan(2000)
  })

  it("issueCertificate's own timeoutMs running out is ERR_ACME_TIMEOUT, not the caller's abort", async () => {
    const { server, client } = await setup({ useFakeClock: false })
    server.override('/dir', () => {})
    const solver = { type: 'http-01' as const, present: async () => {}, cleanup: async () => {} }
    const pending = issueCertificate({
      client,
      identifiers: ['slow.test'],
      solvers: [solver],
      account: { termsOfServiceAgreed: true },
      timeoutMs: 300,
    })
    expect(await codeOf(pending)).toBe('ERR_ACME_TIMEOUT')
  })

  it('a caller abort ends a call with ERR_ACME_ABORTED', async () => {
    const { server, client } = await setup({ useFakeClock: false })
    server.override('/dir', () => {})
    const controller = new AbortController()
    const pending = client.directory({ signal: controller.signal })
    setTimeout(() => controller.abort(), 20)
    expect(await codeOf(pending)).toBe('ERR_ACME_ABORTED')
  })
})
