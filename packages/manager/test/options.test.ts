import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MANAGER_ERROR_CODES } from '../src/errors.js'
import { createManager } from '../src/manager.js'
import type { ManagerOptions } from '../src/manager-options.js'
import { type Env, handshake, startEnv } from './helpers/env.js'

const hosts = ['example.com']
const silent = { debug() {}, info() {}, warn() {}, error() {} }

/** Values no numeric option accepts. */
const notANumber = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -5,
  1.5,
  'soon',
  null,
  {},
  [],
  true,
]

/** Per option: values that are wrong for it (besides the wrong types every option refuses). */
const wrong: Record<string, readonly unknown[]> = {
  handshakeTimeoutMs: [...notANumber, 0, 2 ** 31],
  failureTtlMs: [...notANumber, 0],
  issuanceTimeoutMs: [...notANumber, 0, 999],
  helloTimeoutMs: [...notANumber, 0],
  tlsHandshakeTimeoutMs: [...notANumber, 0],
  maxContexts: [...notANumber, 0],
  maxConcurrentIssuances: [...notANumber, 0],
  lockTtlMs: [...notANumber, 0, 500],
  maxFailures: [...notANumber, 0],
  refusalLogIntervalMs: [...notANumber, 0],
  httpsPort: [...notANumber, 0, 65_536, 99_999],
  directoryUrl: ['ftp://ca.example/dir', 'http://ca.example/dir', 'not a url', '', 5, null],
  keyTypes: [[], ['ed25519'], 'ec-p256', 5, null],
  challenges: [[], ['dns-01'], 'http-01', null],
  dns: [
    'rfc2136',
    5,
    null,
    {},
    { type: 'dns-01', present() {} },
    { type: 'http-01', present() {}, cleanup() {} },
  ],
  email: ['not-an-address', 5, ['a@b.example', 7], null],
  acceptTerms: [5, '', null, {}],
  caPem: ['no pem here', [], 5, null],
  profile: ['', 5, null],
  preferredChain: ['', 5, null],
  allowIp: ['yes', 1, null],
  externalAccountBinding: [{ kid: 'k' }, 'eab', 5, null],
  renewal: [
    'soon',
    5,
    null,
    { backoffBaseMs: Number.NaN },
    { backoffBaseMs: 0 },
    { backoffBaseMs: 1000, backoffMaxMs: 10 },
  ],
  issuanceBudget: [
    true,
    'lots',
    5,
    null,
    { maxOrders: 0 },
    { maxOrders: Number.NaN },
    { windowMs: -1 },
    { maxOrdersPerDomain: 1.5 },
    { domainWindowMs: Number.POSITIVE_INFINITY },
  ],
  logger: [console.log, 'pino', {}, { warn() {} }, null],
  onEvent: ['log', 5, {}, null],
  now: [5, 'now', {}, null],
  random: [0.5, 'random', null],
  fetch: ['fetch', {}, null],
  cache: ['dir', {}, { get() {} }, 5, null],
  hosts: ['example.com', 5, null, {}, ['a..b']],
}

describe('options (one resolver checks every option at construction)', () => {
  it('property: any option given a wrong type, NaN, infinity, a negative, zero where meaningless, out of range, or a non-https directory URL throws ERR_MANAGER_INVALID_OPTION naming it', () => {
    const cases = Object.entries(wrong).flatMap(([name, values]) =>
      values.map((value) => [name, value] as const),
    )
    fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        fc.subarray(['failureTtlMs', 'maxContexts', 'httpsPort'] as const),
        ([name, value], validOthers) => {
          const valid: Record<string, number> = {
            failureTtlMs: 1000,
            maxContexts: 10,
            httpsPort: 8443,
          }
          const options = {
            hosts,
            logger: silent,
            ...Object.fromEntries(validOthers.map((k) => [k, valid[k]])),
            [name]: value,
          } as unknown as ManagerOptions
          let thrown: unknown
          try {
            createManager(options)
          } catch (error) {
            thrown = error
          }
          expect(thrown).toMatchObject({ code: 'ERR_MANAGER_INVALID_OPTION' })
          expect((thrown as Error).message).toContain(name)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('accepts every option at its documented bounds, and http for a loopback CA', () => {
    expect(() =>
      createManager({
        hosts,
        logger: silent,
        directoryUrl: 'http://127.0.0.1:14000/dir',
        httpsPort: 65_535,
        lockTtlMs: 3000,
        issuanceTimeoutMs: 1000,
        handshakeTimeoutMs: 1,
        issuanceBudget: false,
      }),
    ).not.toThrow()
    expect(() =>
      createManager({ hosts, logger: silent, directoryUrl: 'http://localhost/dir' }),
    ).not.toThrow()
  })

  it('every error code follows the repository convention ERR_MANAGER_<WHAT>', () => {
    for (const code of MANAGER_ERROR_CODES)
      expect(code).toMatch(/^ERR_MANAGER_[A-Z0-9]+(_[A-Z0-9]+)*$/)
  })
})

describe('lockTtlMs', () => {
  let env: Env
  beforeAll(async () => {
    env = await startEnv({}, { keyTypes: ['ec-p256'], lockTtlMs: 5000 })
    const server = env.manager.createServer((_req, res) => res.end('hello'))
    await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
  })
  afterAll(async () => {
    await env?.manager.close()
    await env?.pebble.stop()
  })

  it('is the TTL of every lock the manager takes: the account key and the certificate', async () => {
    const cert = await handshake(env.pebble.tlsPort, 'ttl.test', { ca: env.roots })
    expect(cert.subjectaltname).toBe('DNS:ttl.test')
    const names = env.store.locks.map((lock) => lock.name)
    expect(names.some((name) => name.includes('accounts'))).toBe(true)
    expect(names.some((name) => name.includes('ttl.test'))).toBe(true)
    expect(new Set(env.store.locks.map((lock) => lock.ttlMs))).toEqual(new Set([5000]))
  })
})
