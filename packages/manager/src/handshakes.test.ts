import type { SecureContext } from 'node:tls'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { subjectServedBy } from '../test/helpers/context-handshake.js'
import { selfSigned } from '../test/helpers/self-signed.js'
import type { CertificateId } from './certificate-id.js'
import type { ChallengeAnswers } from './challenge-answers.js'
import { ManagerError } from './errors.js'
import { FailureMemory } from './failure-memory.js'
import { Handshakes, type OwnServer, type Ready } from './handshakes.js'
import { createHostCheck, type HostPolicy } from './host-policy.js'
import type { Logger } from './logger.js'
import { zeroCounters } from './manager-counters.js'
import type { ManagerOptions } from './manager-options.js'
import type { Obtainer } from './obtainer.js'
import { RefusalReporter } from './refusal-reporter.js'
import type { Renewer } from './renewer.js'
import { resolveOptions } from './resolve-options.js'
import {
  decodeStoredCertificate,
  encodeStoredCertificate,
  type StoredCertificate,
} from './stored-certificate.js'

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} }
/** A self-signed certificate per name the obtainer below hands out. */
const certs = new Map<string, StoredCertificate>()
let cert: StoredCertificate
/** Stands in for the RFC 8737 certificate of a pending tls-alpn-01 challenge. */
const challengeContext = {} as SecureContext

beforeAll(async () => {
  for (const name of ['a.test', 'b.test', 'c.test']) {
    const { key, cert: chain } = await selfSigned(name, 'ec')
    const bytes = encodeStoredCertificate(key, chain)
    const now = Date.now()
    certs.set(name, await decodeStoredCertificate(bytes, { name, keyType: 'ec-p256', now }))
  }
  cert = certs.get('a.test') as StoredCertificate
})

/**
 * Handshakes over real parts (host policy, failure memory, refusal reporter, contexts), with the
 * obtainer handing out each name's self-signed certificate (or failing) and a clock the test moves.
 */
function setup(hosts: HostPolicy, more: Partial<ManagerOptions> = {}) {
  const clock = { now: Date.now() }
  const asked: string[] = []
  const policy: HostPolicy =
    typeof hosts === 'function'
      ? (name, options) => {
          asked.push(name)
          return hosts(name, options)
        }
      : hosts
  const options = resolveOptions({ hosts: policy, now: () => clock.now, logger: silent, ...more })
  const counters = zeroCounters()
  const hostCheck = createHostCheck(policy)
  const checked: string[] = []
  const obtained: string[] = []
  let obtainable = true
  const held = new Map<string, { cert: StoredCertificate }>()
  const obtainer = {
    obtain: async <T>(id: CertificateId, install: (c: StoredCertificate) => T): Promise<T> => {
      obtained.push(id.key)
      if (!obtainable) throw new ManagerError('ERR_MANAGER_ISSUANCE_FAILED', 'the CA refused')
      return install(certs.get(id.name) ?? cert)
    },
  } as unknown as Obtainer
  const renewer = {
    get: (key: string) => held.get(key),
    track: (id: CertificateId, c: StoredCertificate) => held.set(id.key, { cert: c }),
  } as unknown as Renewer
  const lifetime = new AbortController().signal
  const handshakes = new Handshakes({
    options,
    hostCheck: (raw, signal) => {
      checked.push(raw)
      return hostCheck(raw, signal)
    },
    certificateName: (name) => name,
    obtainer,
    renewer,
    failures: new FailureMemory(100, () => clock.now),
    counters,
    answers: {
      alpnContext: async (name: string) => (name === 'a.test' ? challengeContext : null),
    } as unknown as ChallengeAnswers,
    refusals: new RefusalReporter({
      logger: silent,
      intervalMs: 60_000,
      now: () => clock.now,
      counters,
      emit: () => {},
    }),
    lifetime,
  })
  const refuseFromNowOn = (): void => {
    obtainable = false
  }
  return { handshakes, clock, asked, checked, obtained, counters, refuseFromNowOn }
}

/** A server of the manager's own whose context holds `adopted`'s certificate (or none yet). */
function own(adopted?: Ready): OwnServer {
  return { adopted }
}

/** What `prepare` resolved with: the key of the certificate made ready, or the alert. */
async function prepared(result: ReturnType<Handshakes['prepare']>): Promise<string> {
  const settled = await result
  return typeof settled === 'string' ? settled : settled.key
}

/** Calls the SNI callback; says whether it answered before returning, and with what. */
function sni(
  callback: ReturnType<Handshakes['sniCallback']>,
  servername: string,
): { sync: boolean; result: Promise<SecureContext | undefined> } {
  let answered = false
  // The executor runs at once: `answered` says whether the callback did too.
  const result = new Promise<SecureContext | undefined>((resolve, reject) => {
    callback(servername, (error, context) => {
      answered = true
      if (error) reject(error)
      else resolve(context)
    })
  })
  result.catch(() => {})
  return { sync: answered, result }
}

describe('Handshakes: what a context that left memory is', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it("a context handed out (secureContext(), tlsOptions()' SNI callback) still serves its certificate after it left memory and the release grace passed; one only the manager's own server used is freed", async () => {
    // Fake timers while contexts leave and the grace passes; the handshakes run on real ones.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const { handshakes } = setup(['a.test', 'b.test', 'c.test'], { maxContexts: 1 })
    const viaSecureContext = await handshakes.secureContext('a.test', 'ec-p256', undefined)
    const viaTlsOptions = await sni(handshakes.sniCallback('ec-p256'), 'b.test').result
    const ownOnly = await handshakes.prepare('c.test', 'ec-p256')
    if (viaTlsOptions === undefined || typeof ownOnly === 'string') throw new Error('not ready')
    await handshakes.prepare('a.test', 'ec-p256') // rebuilt: c.test's context leaves too
    vi.advanceTimersByTime(60_000)
    vi.useRealTimers()
    expect(await subjectServedBy(viaSecureContext)).toBe('CN=a.test')
    expect(await subjectServedBy(viaTlsOptions)).toBe('CN=b.test')
    expect(await subjectServedBy(ownOnly.context)).toMatch(/^failed: /)
  })
})

describe('Handshakes: the handshake path from memory', () => {
  it('with a list policy, a name held in memory is answered before TLS synchronously, without checking the name again', async () => {
    const { handshakes, checked, obtained, counters } = setup(['a.test'])
    const cold = handshakes.prepare('A.test', 'ec-p256')
    expect(cold).toBeInstanceOf(Promise)
    expect(await prepared(cold)).toBe('a.test/ec-p256')
    expect(obtained).toEqual(['a.test/ec-p256'])
    expect(checked).toEqual(['A.test'])
    for (let i = 0; i < 3; i++) {
      const warm = handshakes.prepare('A.test', 'ec-p256')
      expect(warm).not.toBeInstanceOf(Promise)
      expect(await prepared(warm)).toBe('a.test/ec-p256')
    }
    expect(checked).toEqual(['A.test'])
    expect(counters.servedFromMemory).toBe(3)
    // The SNI callback of the prepared connection answers at once, from memory.
    const answer = sni(handshakes.sniCallback('ec-p256', own()), 'A.test')
    expect(answer.sync).toBe(true)
    expect(await answer.result).toBeDefined()
    expect(obtained).toHaveLength(1)
  })

  it('with a function policy, the policy is asked once per handshake: before TLS, not again from the SNI callback', async () => {
    const { handshakes, asked } = setup(() => true)
    expect(await prepared(handshakes.prepare('a.test', 'ec-p256'))).toBe('a.test/ec-p256')
    const second = handshakes.prepare('a.test', 'ec-p256')
    expect(second).toBeInstanceOf(Promise)
    expect(await prepared(second)).toBe('a.test/ec-p256')
    expect(asked).toEqual(['a.test', 'a.test'])
    const answer = sni(handshakes.sniCallback('ec-p256', own()), 'a.test')
    expect(answer.sync).toBe(true)
    expect(await answer.result).toBeDefined()
    expect(asked).toEqual(['a.test', 'a.test'])
  })

  it("on the manager's own server, the certificate its context holds is answered with no context (no SSL_CTX switch), any other with its own", async () => {
    const { handshakes } = setup(['a.test', 'b.test'])
    const a = await handshakes.prepare('a.test', 'ec-p256')
    const b = await handshakes.prepare('b.test', 'ec-p256')
    if (typeof a === 'string' || typeof b === 'string') throw new Error('not ready')
    const callback = handshakes.sniCallback('ec-p256', own(a))
    const same = sni(callback, 'a.test')
    expect(same.sync).toBe(true)
    expect(await same.result).toBeUndefined()
    expect(await sni(callback, 'b.test').result).toBe(b.context)
    // A server whose context holds nothing yet gets every context handed over.
    expect(await sni(handshakes.sniCallback('ec-p256', own()), 'a.test').result).toBe(a.context)
  })

  it("on the manager's own server, the adopted certificate's context rebuilt after it left memory is still answered with no context", async () => {
    const { handshakes } = setup(['a.test', 'b.test'], { maxContexts: 1 })
    const a = await handshakes.prepare('a.test', 'ec-p256')
    if (typeof a === 'string') throw new Error('not ready')
    const callback = handshakes.sniCallback('ec-p256', own(a))
    await handshakes.prepare('b.test', 'ec-p256') // evicts a.test's context
    const rebuilt = await handshakes.prepare('a.test', 'ec-p256')
    if (typeof rebuilt === 'string') throw new Error('not ready')
    expect(rebuilt).not.toBe(a)
    expect(rebuilt.cert).toBe(a.cert)
    const answer = sni(callback, 'a.test')
    expect(answer.sync).toBe(true)
    expect(await answer.result).toBeUndefined()
  })

  it('a function policy that stops allowing a held name refuses its next handshake', async () => {
    let allowed = true
    const { handshakes } = setup(() => allowed)
    expect(await prepared(handshakes.prepare('a.test', 'ec-p256'))).toBe('a.test/ec-p256')
    allowed = false
    expect(await prepared(handshakes.prepare('a.test', 'ec-p256'))).toBe('unrecognized_name')
  })

  it('an expired certificate held in memory is not served: the handshake goes to the obtainer, and is refused when it fails', async () => {
    const { handshakes, clock, obtained, refuseFromNowOn } = setup(['a.test'])
    expect(await prepared(handshakes.prepare('a.test', 'ec-p256'))).toBe('a.test/ec-p256')
    expect(handshakes.prepare('a.test', 'ec-p256')).not.toBeInstanceOf(Promise)
    clock.now = cert.leaf.notAfter.getTime()
    refuseFromNowOn()
    const late = handshakes.prepare('a.test', 'ec-p256')
    expect(late).toBeInstanceOf(Promise)
    expect(await prepared(late)).toBe('internal_error')
    expect(obtained).toEqual(['a.test/ec-p256', 'a.test/ec-p256'])
    const answer = sni(handshakes.sniCallback('ec-p256', own()), 'a.test')
    expect(answer.sync).toBe(false)
    await expect(answer.result).rejects.toBeInstanceOf(ManagerError)
  })

  it('an SNI callback of your own server (tlsOptions) with a list policy answers a name seen before from memory, and counts it', async () => {
    const { handshakes, counters, checked } = setup(['a.test'])
    const callback = handshakes.sniCallback('ec-p256')
    const first = sni(callback, 'a.test')
    expect(first.sync).toBe(false)
    expect(await first.result).toBeDefined()
    const again = sni(callback, 'a.test')
    expect(again.sync).toBe(true)
    expect(await again.result).toBeDefined()
    expect(checked).toEqual(['a.test'])
    expect(counters.servedFromMemory).toBe(1)
  })

  it('rfc8737: a tls-alpn-01 connection asks a function policy once, before TLS; its SNI callback only normalises the name', async () => {
    const { handshakes, asked } = setup((name) => name === 'a.test')
    expect(await handshakes.prepareChallenge('A.test')).toBeNull()
    expect(await handshakes.prepareChallenge('b.test')).toBe('unrecognized_name')
    expect(asked).toEqual(['a.test', 'b.test'])
    expect(await sni(handshakes.challengeSniCallback(), 'A.test').result).toBe(challengeContext)
    expect(asked).toEqual(['a.test', 'b.test'])
  })

  it('a name outside a list policy is refused every time, and never remembered', async () => {
    const { handshakes, checked, obtained } = setup(['a.test'])
    expect(await prepared(handshakes.prepare('b.test', 'ec-p256'))).toBe('unrecognized_name')
    expect(await prepared(handshakes.prepare('b.test', 'ec-p256'))).toBe('unrecognized_name')
    expect(checked).toEqual(['b.test', 'b.test'])
    expect(obtained).toEqual([])
  })
})
