import { execFile } from 'node:child_process'
import { createServer as createHttpsServer } from 'node:https'
import { connect } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { type Env, handshake, startEnv } from './helpers/env.js'

let env: Env
let server: ManagedServer
const policyAsked: string[] = []

beforeAll(async () => {
  env = await startEnv(
    { domainBlocklist: ['blocked.ok.test'] },
    {
      keyTypes: ['ec-p256'],
      hosts: (name) => {
        policyAsked.push(name)
        return name.endsWith('.ok.test')
      },
    },
  )
  server = env.manager.createServer()
  await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
})

afterAll(async () => {
  await env?.manager.close()
  await env?.pebble.stop()
})

function opensslConnect(servername: string | null): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${env.pebble.tlsPort}`,
        ...(servername === null ? ['-noservername'] : ['-servername', servername]),
      ],
      { timeout: 10_000 },
      (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`),
    )
    child.stdin?.end()
  })
}

/** A TLS client's handshake error message (the alert it received), or 'connected'. */
function tlsAttempt(servername: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(
      { host: '127.0.0.1', port: env.pebble.tlsPort, servername, rejectUnauthorized: false },
      () => {
        socket.destroy()
        resolve('connected')
      },
    )
    socket.on('error', (error) => resolve(error.message))
  })
}

describe('refused handshakes are visible', () => {
  it('openssl s_client for a name outside the policy gets a TLS alert (unrecognized_name), not an unexpected EOF', async () => {
    const out = await opensslConnect('not-allowed.test')
    expect(out).toMatch(/unrecognized name|alert number 112/)
    expect(out).not.toMatch(/unexpected eof/)
  })

  it('1,000 refused attempts: every one counted and emitted, one warning line per rate-limit interval', async () => {
    const before = env.manager.counters().refused
    const results: string[] = []
    for (let batch = 0; batch < 20; batch++) {
      results.push(
        ...(await Promise.all(Array.from({ length: 50 }, () => tlsAttempt('not-allowed.test')))),
      )
    }
    expect(results.every((message) => /unrecognized name/.test(message))).toBe(true)
    expect(env.manager.counters().refused - before).toBe(1000)
    expect(
      env.events.filter((e) => e.type === 'refused' && e.name === 'not-allowed.test').length,
    ).toBeGreaterThanOrEqual(1000)
    const warnings = env.logger.lines.filter(
      (line) => line.startsWith('warn') && line.includes('"not-allowed.test"'),
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/not allowed by the host policy; add it to hosts if it is yours/)
  })

  it('an invalid name and a missing SNI get unrecognized_name too', async () => {
    expect(await tlsAttempt('a..b')).toMatch(/unrecognized name/)
    const out = await opensslConnect(null)
    expect(out).toMatch(/unrecognized name|alert number 112/)
  })

  it('a name that cannot get a certificate (the CA refuses it) gets internal_error, and the reason is logged', async () => {
    expect(await tlsAttempt('blocked.ok.test')).toMatch(/internal error/)
    expect(env.logger.lines).toContainEqual(
      expect.stringMatching(
        /^warn refused a handshake for "blocked\.ok\.test": no certificate to be had/,
      ),
    )
    const { failed, refused, obtained } = env.manager.counters()
    expect(failed).toBe(1)
    expect(refused).toBeGreaterThan(1000)
    expect(obtained).toBe(0)
  })

  it('an allowed name is served, counted as served from memory afterwards, and the policy asked once per handshake', async () => {
    const cert = await handshake(env.pebble.tlsPort, 'fine.ok.test', { ca: env.roots })
    expect(cert.subjectaltname).toBe('DNS:fine.ok.test')
    const before = env.manager.counters().servedFromMemory
    policyAsked.length = 0
    for (let i = 0; i < 3; i++)
      await handshake(env.pebble.tlsPort, 'fine.ok.test', { ca: env.roots })
    expect(env.manager.counters()).toMatchObject({ obtained: 1 })
    expect(env.manager.counters().servedFromMemory).toBe(before + 3)
    // The policy is asked once per handshake (before TLS), not again from the SNI callback.
    expect(policyAsked).toEqual(['fine.ok.test', 'fine.ok.test', 'fine.ok.test'])
  })

  it('a server of your own (tlsOptions()) cannot send the alert, but its refusals are counted, emitted and logged too', async () => {
    const own = createHttpsServer(env.manager.tlsOptions())
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve))
    try {
      const before = env.manager.counters().refused
      const message = await new Promise<string>((resolve) => {
        const socket = connect(
          {
            host: '127.0.0.1',
            port: (own.address() as { port: number }).port,
            servername: 'elsewhere.test',
            rejectUnauthorized: false,
          },
          () => resolve('connected'),
        )
        socket.on('error', (error) => resolve(error.message))
      })
      expect(message).not.toBe('connected')
      expect(env.manager.counters().refused).toBe(before + 1)
      expect(env.events.at(-1)).toMatchObject({
        type: 'refused',
        name: 'elsewhere.test',
        reason: 'not-allowed',
      })
    } finally {
      await new Promise((resolve) => own.close(resolve))
    }
  })
})
