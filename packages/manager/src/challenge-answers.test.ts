import type { ChallengeArgs } from '@autotls/acme'
import { lockName, memoryCache } from '@autotls/cache'
import { describe, expect, it } from 'vitest'
import { ChallengeAnswers } from './challenge-answers.js'
import { consoleLogger } from './logger.js'

const TOKEN = 'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA'
const KEY_AUTHORIZATION = `${TOKEN}.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI`

function args(name: string, seen: () => void): ChallengeArgs {
  return {
    identifier: { type: 'dns', value: name },
    token: TOKEN,
    keyAuthorization: KEY_AUTHORIZATION,
    signal: AbortSignal.timeout(10_000),
    validationSeen: seen,
  }
}

describe('ChallengeAnswers: validation-aware polling', () => {
  it('rfc8737 §3: serving a local tls-alpn-01 answer tells its issuance the validation arrived', async () => {
    const cache = memoryCache()
    const lease = await cache.lock(lockName('v1/certs/alpn.test/ec-p256'), { ttlMs: 10_000 })
    const here = new ChallengeAnswers(cache, consoleLogger)
    const elsewhere = new ChallengeAnswers(cache, consoleLogger)
    let seen = 0
    await here.solver('tls-alpn-01', lease).present(args('alpn.test', () => seen++))
    expect(await here.alpnContext('alpn.test', AbortSignal.timeout(1000))).not.toBeNull()
    expect(seen).toBe(1)
    // Another process sharing the cache answers from the cache: it has no poll to wake.
    expect(await elsewhere.alpnContext('alpn.test', AbortSignal.timeout(1000))).not.toBeNull()
    expect(seen).toBe(1)
    expect(await here.alpnContext('other.test', AbortSignal.timeout(1000))).toBeNull()
    expect(seen).toBe(1)
    await lease.release()
  })

  it('rfc8555 §8.3: serving a local http-01 answer tells its issuance the validation arrived', async () => {
    const cache = memoryCache()
    const lease = await cache.lock(lockName('v1/certs/http.test/ec-p256'), { ttlMs: 10_000 })
    const here = new ChallengeAnswers(cache, consoleLogger)
    const elsewhere = new ChallengeAnswers(cache, consoleLogger)
    let seen = 0
    await here.solver('http-01', lease).present(args('http.test', () => seen++))
    const signal = AbortSignal.timeout(1000)
    expect(await here.httpAnswer('http.test', TOKEN, signal)).toBe(KEY_AUTHORIZATION)
    expect(await here.httpAnswer('http.test', TOKEN, signal)).toBe(KEY_AUTHORIZATION)
    expect(seen).toBe(2)
    expect(await elsewhere.httpAnswer('http.test', TOKEN, signal)).toBe(KEY_AUTHORIZATION)
    expect(await here.httpAnswer('http.test', 'other-token', signal)).toBeNull()
    expect(seen).toBe(2)
    await lease.release()
  })
})
